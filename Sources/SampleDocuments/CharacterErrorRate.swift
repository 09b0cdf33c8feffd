/// How far recognized text is from the text that was drawn: the edits (insertions, deletions,
/// substitutions) that turn one into the other over the expected length, whitespace runs
/// counting as one space — OCR's usual accuracy measure.
public enum CharacterErrorRate {
    public static func of(_ recognized: String, expected: String) -> Double {
        let a = Array(squeeze(recognized))
        let b = Array(squeeze(expected))
        guard !b.isEmpty else { return a.isEmpty ? 0 : 1 }
        guard !a.isEmpty else { return 1 }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return Double(previous[b.count]) / Double(b.count)
    }

    static func squeeze(_ text: String) -> String { text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
}
