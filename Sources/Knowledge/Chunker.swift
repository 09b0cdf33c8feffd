import Extraction
import Foundation

/// A passage of a document: the unit that is embedded, searched and cited.
public struct Chunk: Sendable, Equatable {
    public var ordinal: Int
    public var text: String
    public var headingPath: [String]
    public var location: SourceLocation

    public init(ordinal: Int, text: String, headingPath: [String], location: SourceLocation) {
        self.ordinal = ordinal
        self.text = text
        self.headingPath = headingPath
        self.location = location
    }

    /// Joins a heading path into one label, as chunks are stored ("Guide › Refunds").
    public static let headingSeparator = " › "

    /// The heading path as one label.
    public var headingLabel: String { headingPath.joined(separator: Self.headingSeparator) }

    /// What a passage is embedded and word-indexed as: where it sits (title, then headings),
    /// then its text. Imports, re-embedding and the index all build it here.
    public static func passageText(title: String, heading: String, text: String) -> String {
        var place = heading
        if !place.hasPrefix(title) { place = place.isEmpty ? title : title + headingSeparator + place }
        return "\(place)\n\(text)"
    }
}

/// Splits extracted documents into passages: on structure first (a chunk never spans two
/// sections, pages, slides or sheets), then on sentences, to about `targetTokens` word-piece
/// tokens with a one-sentence overlap, and never past `maxTokens` (the embedding model's window,
/// `[CLS]` and `[SEP]` included).
///
/// Tokens are counted with the model's WordPiece tokenizer when one is given, else estimated.
public struct Chunker: Sendable {
    public var targetTokens: Int
    public var maxTokens: Int
    private let tokenizer: WordPieceTokenizer?

    public init(targetTokens: Int = 200, maxTokens: Int = 256, tokenizer: WordPieceTokenizer? = nil) {
        self.targetTokens = targetTokens
        self.maxTokens = maxTokens
        self.tokenizer = tokenizer
    }

    /// Word-piece tokens of `text`, without the two special tokens.
    public func countTokens(_ text: String) -> Int {
        tokenizer?.count(text) ?? Self.estimateTokens(text)
    }

    public func chunk(_ document: ExtractedDocument) -> [Chunk] {
        var chunks: [Chunk] = []
        // Consecutive small sections under the same heading and location are merged first.
        var pending: (text: [String], tokens: Int, headingPath: [String], location: SourceLocation)?
        func emit() {
            guard let current = pending, !current.text.isEmpty else { return }
            chunks.append(
                Chunk(ordinal: chunks.count, text: current.text.joined(separator: "\n"), headingPath: current.headingPath, location: current.location))
            pending = nil
        }
        for section in document.sections {
            if let current = pending, current.headingPath != section.headingPath || current.location != section.location { emit() }
            for sentence in Self.sentences(section.text).flatMap({ split(long: $0) }) {
                let tokens = countTokens(sentence)
                if var current = pending {
                    if current.tokens + tokens > targetTokens {
                        let overlap = current.text.last.map { countTokens($0) <= targetTokens / 4 ? [$0] : [] } ?? []
                        emit()
                        let carried = overlap.map(countTokens).reduce(0, +)
                        pending = (overlap + [sentence], carried + tokens, section.headingPath, section.location)
                    } else {
                        current.text.append(sentence)
                        current.tokens += tokens
                        pending = current
                    }
                } else {
                    pending = ([sentence], tokens, section.headingPath, section.location)
                }
            }
        }
        emit()
        return chunks
    }

    /// Sentences of a text: ends at . ! ? (followed by a space and not after a one-letter or
    /// common abbreviation) and at line breaks, which in extracted text separate list items and rows.
    static func sentences(_ text: String) -> [String] {
        var result: [String] = []
        for line in text.split(separator: "\n") {
            var current = ""
            var previousWord = ""
            var characters = Array(line)
            characters.append(" ")
            for index in 0..<(characters.count - 1) {
                let character = characters[index]
                current.append(character)
                if character == " " { previousWord = "" } else { previousWord.append(character) }
                if ".!?".contains(character), characters[index + 1] == " " {
                    let word = previousWord.dropLast().lowercased()
                    if character == "." && (word.count <= 1 || ["e.g", "i.e", "etc", "mr", "mrs", "dr", "vs", "no", "fig"].contains(word)) { continue }
                    let sentence = current.trimmingCharacters(in: .whitespaces)
                    if !sentence.isEmpty { result.append(sentence) }
                    current = ""
                }
            }
            let rest = current.trimmingCharacters(in: .whitespaces)
            if !rest.isEmpty { result.append(rest) }
        }
        return result
    }

    /// Cuts a sentence longer than the window into word runs that fit.
    func split(long sentence: String) -> [String] {
        guard countTokens(sentence) > targetTokens else { return [sentence] }
        var parts: [String] = []
        var current: [Substring] = []
        var tokens = 0
        for word in sentence.split(separator: " ") {
            let cost = countTokens(String(word))
            if tokens + cost > targetTokens, !current.isEmpty {
                parts.append(current.joined(separator: " "))
                current = []
                tokens = 0
            }
            current.append(word)
            tokens += cost
        }
        if !current.isEmpty { parts.append(current.joined(separator: " ")) }
        return parts
    }

    /// Word-piece tokens a text becomes, estimated without the vocabulary: one per word of up
    /// to six letters, one more per further four, one per punctuation mark and per digit group.
    public static func estimateTokens(_ text: String) -> Int {
        var count = 0
        var wordLength = 0
        func endWord() {
            if wordLength > 0 { count += 1 + max(0, wordLength - 3) / 4 }
            wordLength = 0
        }
        for scalar in text.unicodeScalars {
            if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                wordLength += 1
            } else {
                endWord()
                if !scalar.properties.isWhitespace { count += 1 }
            }
        }
        endWord()
        return count
    }
}
