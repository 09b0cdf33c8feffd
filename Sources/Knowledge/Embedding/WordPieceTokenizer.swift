import Foundation

/// BERT's tokenizer as `tokenizer.json` describes it for all-MiniLM-L6-v2: the BertNormalizer
/// (control characters dropped, CJK characters spaced, accents stripped, lower-cased), the
/// BertPreTokenizer (split on whitespace and on every punctuation character) and greedy
/// longest-match-first WordPiece with `##` continuations, between `[CLS]` and `[SEP]`.
public struct WordPieceTokenizer: Sendable {
    public enum LoadError: Error, CustomStringConvertible {
        case unreadable(String)
        public var description: String {
            switch self {
            case .unreadable(let reason): "tokenizer.json: \(reason)"
            }
        }
    }

    private let vocabulary: [String: Int32]
    public let classifierID: Int32
    public let separatorID: Int32
    public let unknownID: Int32
    private let lowercase: Bool
    private let maxCharactersPerWord: Int

    /// Reads the vocabulary and options of a Hugging Face `tokenizer.json` (WordPiece model).
    public init(tokenizerJSON url: URL) throws {
        let data = try Data(contentsOf: url)
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let model = root["model"] as? [String: Any], model["type"] as? String == "WordPiece",
            let vocab = model["vocab"] as? [String: Int]
        else { throw LoadError.unreadable("not a WordPiece tokenizer") }
        var vocabulary: [String: Int32] = [:]
        vocabulary.reserveCapacity(vocab.count)
        for (piece, id) in vocab { vocabulary[piece] = Int32(id) }
        guard let cls = vocabulary["[CLS]"], let sep = vocabulary["[SEP]"], let unk = vocabulary["[UNK]"] else {
            throw LoadError.unreadable("special tokens missing")
        }
        let normalizer = root["normalizer"] as? [String: Any]
        self.vocabulary = vocabulary
        self.classifierID = cls
        self.separatorID = sep
        self.unknownID = unk
        self.lowercase = normalizer?["lowercase"] as? Bool ?? true
        self.maxCharactersPerWord = model["max_input_chars_per_word"] as? Int ?? 100
    }

    /// Token ids of `text` with `[CLS]` and `[SEP]`, truncated to `maxLength` ids in all.
    public func encode(_ text: String, maxLength: Int = 256) -> [Int32] {
        var ids: [Int32] = [classifierID]
        let budget = maxLength - 1
        for word in preTokenize(normalize(text)) {
            for id in wordPieces(word) {
                guard ids.count < budget else {
                    ids.append(separatorID)
                    return ids
                }
                ids.append(id)
            }
        }
        ids.append(separatorID)
        return ids
    }

    /// How many word-piece tokens `text` becomes, without the two special tokens or truncation.
    public func count(_ text: String) -> Int {
        preTokenize(normalize(text)).reduce(0) { $0 + wordPieces($1).count }
    }

    // MARK: - Normalizer

    func normalize(_ text: String) -> [Unicode.Scalar] {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value == 0 || value == 0xFFFD || (Self.isControl(scalar)) { continue }
            if Self.isWhitespace(scalar) {
                scalars.append(" ")
                continue
            }
            if Self.isChineseCharacter(value) {
                scalars.append(" ")
                scalars.append(scalar)
                scalars.append(" ")
                continue
            }
            scalars.append(scalar)
        }
        guard lowercase else { return scalars }
        // strip_accents follows lowercase when unset: canonical decomposition, then marks dropped.
        var string = String(String.UnicodeScalarView(scalars))
        string = string.decomposedStringWithCanonicalMapping
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(scalars.count)
        for scalar in string.unicodeScalars where scalar.properties.generalCategory != .nonspacingMark {
            if scalar.isASCII {
                result.append(("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32)! : scalar)
            } else {
                result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return result
    }

    // MARK: - Pre-tokenizer

    func preTokenize(_ scalars: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for scalar in scalars {
            if Self.isWhitespace(scalar) {
                if !current.isEmpty {
                    words.append(current)
                    current = []
                }
            } else if Self.isPunctuation(scalar) {
                if !current.isEmpty {
                    words.append(current)
                    current = []
                }
                words.append([scalar])
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    // MARK: - WordPiece

    func wordPieces(_ word: [Unicode.Scalar]) -> [Int32] {
        if word.count > maxCharactersPerWord { return [unknownID] }
        var pieces: [Int32] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var found: Int32?
            while start < end {
                var piece = start > 0 ? "##" : ""
                piece.unicodeScalars.append(contentsOf: word[start..<end])
                if let id = vocabulary[piece] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else { return [unknownID] }
            pieces.append(id)
            start = end
        }
        return pieces
    }

    // MARK: - Character classes, as BERT defines them

    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case " ", "\t", "\n", "\r": return true
        default: return scalar.properties.generalCategory == .spaceSeparator
        }
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\t", "\n", "\r": return false
        default:
            switch scalar.properties.generalCategory {
            case .control, .format, .privateUse, .surrogate, .unassigned: return true
            default: return false
            }
        }
    }

    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if (33...47).contains(value) || (58...64).contains(value) || (91...96).contains(value) || (123...126).contains(value) {
            return true
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    static func isChineseCharacter(_ value: UInt32) -> Bool {
        switch value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
            0x2B740...0x2B81F, 0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
