import Foundation

/// Splits text into search terms for BM25: Unicode word boundaries, case and accent folding,
/// English stop words removed (so "the" does not outweigh "invoice"), and a light English
/// stemmer (plurals, possessives, -ing, -ed), so "backups" finds "backup" and "approved" "approval's" stem.
public struct WordTokenizer: Sendable {
    public let stopWords: Set<String>

    public init(stopWords: Set<String> = WordTokenizer.englishStopWords) {
        self.stopWords = stopWords
    }

    /// The terms of `text`, in order.
    public func terms(_ text: String) -> [String] {
        Self.words(text).compactMap { word in
            // ASCII needs only lower-casing, byte by byte; Foundation's folding is for the rest.
            let folded =
                word.utf8.allSatisfy({ $0 < 0x80 })
                ? String(decoding: word.utf8.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
                : word.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
            return stopWords.contains(folded) ? nil : Self.stem(folded)
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
                if let begin = start {
                    words.append(text[begin..<index])
                    start = nil
                }
                words.append(text[index..<next])
            } else if character.isLetter || character.isNumber {
                if start == nil { start = index }
            } else if let begin = start {
                let joins =
                    "'’.,_".contains(character) && next < text.endIndex
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

    /// Suffix stripping after the first step of Porter's algorithm, for ASCII words only (other
    /// languages keep their words whole rather than be cut by English rules).
    static func stem(_ word: String) -> String {
        guard word.count > 3, word.allSatisfy({ $0.isASCII && $0.isLetter || $0 == "'" || $0 == "’" }) else { return word }
        var w = word
        if w.hasSuffix("'s") || w.hasSuffix("’s") { w.removeLast(2) }
        if w.hasSuffix("'") || w.hasSuffix("’") { w.removeLast() }
        if w.hasSuffix("sses") {
            w.removeLast(2)
        } else if w.hasSuffix("ies"), w.count > 4 {
            w.removeLast(3)
            w += "y"
        } else if w.hasSuffix("s"), !w.hasSuffix("ss"), !w.hasSuffix("us"), !w.hasSuffix("is"), w.count > 3 {
            w.removeLast()
        }
        for suffix in ["ing", "ed"] where w.hasSuffix(suffix) {
            let stem = w.dropLast(suffix.count)
            // Only when a vowel remains ("sing", "red" stay), and undoubling "shipped" → "ship".
            guard stem.count >= 3, stem.contains(where: { "aeiouy".contains($0) }) else { break }
            w = String(stem)
            if let last = w.last, w.count > 3, w.dropLast().last == last, !"lsz".contains(last) { w.removeLast() }
            break
        }
        return w
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

    /// Words (as terms) that shape a question but say nothing of its subject: left out of a
    /// question's BM25 query and of its coverage, where they would match any passage.
    public static let questionWords: Set<String> = [
        "how", "much", "many", "long", "often", "soon", "why", "whom", "whose", "do", "doe", "did", "does", "can", "could",
        "should", "must", "may", "might", "shall", "am", "been", "being", "get", "got", "give", "tell", "told", "know",
        "any", "some", "all", "each", "every", "one", "there", "here", "about", "than", "up", "out", "over", "us", "anyone",
        "someone", "people", "thing", "way", "need", "want", "like", "make", "use", "i'm", "it's", "what's",
    ]
}
