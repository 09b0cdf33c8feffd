import Foundation

/// Splits text into search terms for BM25: Unicode word boundaries, case and accent folding,
/// and English stop words removed (so "the" does not outweigh "invoice").
public struct WordTokenizer: Sendable {
    public let stopWords: Set<String>

    public init(stopWords: Set<String> = WordTokenizer.englishStopWords) {
        self.stopWords = stopWords
    }

    /// The terms of `text`, in order.
    public func terms(_ text: String) -> [String] {
        Self.words(text).compactMap { word in
            let folded = word.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
            return stopWords.contains(folded) ? nil : folded
        }
    }

    /// Word segmentation after the spirit of Unicode's UAX #29 (which Foundation on Linux does
    /// not offer): runs of letters and digits, joined across `'`, `.`, `,` and `_` between two
    /// of them ("don't", "2.5", "1,200", "snake_case"); each Han, Hiragana or Katakana character
    /// is a word of its own, as those scripts do not put spaces between words.
    static func words(_ text: String) -> [Substring] {
        var words: [Substring] = []
        var start: String.Index?
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if isIdeographic(character) {
                if let begin = start { words.append(text[begin..<index]); start = nil }
                words.append(text[index..<next])
            } else if character.isLetter || character.isNumber {
                if start == nil { start = index }
            } else if let begin = start {
                let joins = "'’.,_".contains(character) && next < text.endIndex
                    && (text[next].isLetter || text[next].isNumber) && !isIdeographic(text[next])
                if !joins {
                    words.append(text[begin..<index])
                    start = nil
                }
            }
            index = next
        }
        if let begin = start { words.append(text[begin...]) }
        return words
    }

    private static func isIdeographic(_ character: Character) -> Bool {
        guard let scalar = character.unicodeScalars.first else { return false }
        switch scalar.value {
        case 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x2FA1F: return true
        default: return false
        }
    }

    public static let englishStopWords: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "he", "her", "his", "i",
        "if", "in", "into", "is", "it", "its", "me", "my", "no", "not", "of", "on", "or", "our", "she", "so", "such",
        "that", "the", "their", "them", "then", "there", "these", "they", "this", "to", "was", "we", "were", "what",
        "when", "where", "which", "who", "will", "with", "would", "you", "your",
    ]
}
