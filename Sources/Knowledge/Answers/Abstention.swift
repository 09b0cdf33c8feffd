import Foundation

/// How readily the chatbot answers: a cautious one says "I don't know" sooner.
public enum AnswerCaution: String, Sendable, CaseIterable, Codable {
    case lenient, balanced, cautious

    /// The least support (in 0…1, see ``AnswerEvidence/support``) an answer needs.
    public var minimumSupport: Double {
        switch self {
        case .lenient: 0.35
        case .balanced: 0.5
        case .cautious: 0.65
        }
    }
}

/// What retrieval found for a question, weighed: the signals the decision to answer rests on.
public struct AnswerEvidence: Sendable, Equatable {
    /// Calibrated probability that the best of the first three passages answers (from its cosine).
    public let confidence: Double
    /// Share of the question's words, weighted by their rarity in the knowledge base, that the
    /// first passages contain (their titles and headings included).
    public let coverage: Double
    /// The question's names, numbers and codes that none of the first passages contains.
    public let missing: [String]
    /// Whether words and meaning agree: BM25 also ranks the first passage's document among its first.
    public let rankersAgree: Bool
    /// The combined probability that the passages answer the question.
    public let support: Double
}

/// Why the chatbot said "I don't know", in words for the admin.
public enum DeclineReason: Sendable, Equatable, CustomStringConvertible {
    /// No passage matched the question at all.
    case nothingFound
    /// The question names something (a name, a number, a code) the passages do not mention.
    case missingTerms([String])
    /// The passages found are too far from the question.
    case weakEvidence(support: Double, needed: Double)
    /// The language model read the passages and found no answer in them.
    case notInSources

    public var description: String {
        switch self {
        case .nothingFound: "No passage in the knowledge base matches the question."
        case .missingTerms(let terms):
            "The question asks about \(terms.map { "“\($0)”" }.joined(separator: ", ")), which the closest passages do not mention."
        case .weakEvidence(let support, let needed):
            "The closest passages support an answer with \(Int((support * 100).rounded())) %; \(Int((needed * 100).rounded())) % is needed."
        case .notInSources: "The language model found no answer in the closest passages."
        }
    }

    /// A short stable code for the API.
    public var code: String {
        switch self {
        case .nothingFound: "nothing_found"
        case .missingTerms: "missing_terms"
        case .weakEvidence: "weak_evidence"
        case .notInSources: "not_in_sources"
        }
    }
}

/// Decides from evidence whether the passages found answer a question.
///
/// A single similarity cut-off cannot tell "Which discount do students get?" (close to the
/// pricing sheet, yet unanswered by it) from a paraphrase of what the sheet says. So the decision
/// weighs four signals: the calibrated confidence of the best passage, how much of the question's
/// rarer vocabulary the best passages share, whether BM25 agrees with the vectors, and — as a
/// veto — names, numbers and codes of the question that no passage found mentions. The weights
/// of the logistic combination were fitted on the tuning questions of `AnswerQualityTests` and
/// are checked there on held-out ones.
public struct Abstention: Sendable {
    public var calibration: ConfidenceCalibration
    /// The least support (0…1) an answer needs: a caution's, or the chatbot's own setting.
    public var minimumSupport: Double
    /// Logistic weights over (confidence, coverage, rankers agree) and the intercept.
    public var weights: (confidence: Double, coverage: Double, agreement: Double, intercept: Double)
    /// How many of the first passages are read as the answer's evidence.
    public var evidenceDepth = 3

    public static let builtInWeights = (confidence: 8.0, coverage: 4.0, agreement: 1.0, intercept: -5.0)

    public init(calibration: ConfidenceCalibration = .builtIn, caution: AnswerCaution = .balanced) {
        self.calibration = calibration
        self.minimumSupport = caution.minimumSupport
        self.weights = Self.builtInWeights
    }

    /// The question's subject terms, once each: its BM25 terms without the words that only shape a question.
    public static func subjectTerms(_ question: String, tokenizer: WordTokenizer = WordTokenizer()) -> [String] {
        var seen: Set<String> = []
        return tokenizer.terms(question).filter { !WordTokenizer.questionWords.contains($0) && seen.insert($0).inserted }
    }

    /// Names, numbers and codes in the question, as BM25 terms paired with the word as asked:
    /// a word with a digit, a word in capitals ("SOC", "HIPAA"), or a capitalised word that does
    /// not open a sentence ("Salesforce", "Lisbon"). In German every noun is capitalised, so
    /// there only digits and capitals count.
    public static func specificTerms(
        _ question: String, language: Language = .english, tokenizer: WordTokenizer = WordTokenizer()
    ) -> [(term: String, word: String)] {
        var result: [(String, String)] = []
        var sentenceStart = true
        var previousEnd = question.startIndex
        for word in WordTokenizer.words(question) {
            let gap = question[previousEnd..<word.startIndex]
            if gap.contains(where: { ".?!:;\"“(".contains($0) }) { sentenceStart = true }
            previousEnd = word.endIndex
            defer { sentenceStart = false }
            let letters = word.filter(\.isLetter)
            let hasDigit = word.contains(where: \.isNumber)
            let acronym = letters.count >= 2 && letters.allSatisfy(\.isUppercase)
            // "iPhone", "GraphQL", "HubSpot": a capital after the first letter.
            let mixedCase = letters.dropFirst().contains(where: \.isUppercase) && letters.contains(where: \.isLowercase)
            let capitalised = !sentenceStart && word.first?.isUppercase == true && language.capitalisesNames
            guard hasDigit || acronym || mixedCase || capitalised, let term = tokenizer.terms(String(word)).first else { continue }
            if !result.contains(where: { $0.0 == term }) { result.append((term, String(word))) }
        }
        return result
    }

    /// Weighs what retrieval found for `question`. `rarity` gives each subject term's rarity.
    public func evidence(
        question: String, language: Language = .english, passages: [RetrievedPassage], rarity: ([String]) -> [Float],
        tokenizer: WordTokenizer = WordTokenizer()
    ) -> AnswerEvidence {
        let first = Array(passages.prefix(evidenceDepth))
        let confidence = first.map { passage in passage.cosine.map { calibration.probability(cosine: $0) } ?? (passage.bm25Rank == 1 ? 0.5 : 0.3) }.max() ?? 0
        // The words of each passage of the evidence, titles and headings included (what BM25 saw).
        let words = first.map { Set(tokenizer.terms($0.title + " " + $0.headingPath + " " + $0.text)) }
        let known = words.reduce(into: Set<String>()) { $0.formUnion($1) }
        let subject = Self.subjectTerms(question, tokenizer: tokenizer)
        let weights = rarity(subject)
        let total = weights.reduce(0, +)
        // The passage that shares most of the question's rarer words.
        let coverage =
            total > 0
            ? words.map { passage in Double(zip(subject, weights).filter { passage.contains($0.0) }.reduce(Float(0)) { $0 + $1.1 } / total) }.max() ?? 0 : 0
        let specific = Self.specificTerms(question, language: language, tokenizer: tokenizer)
        let missing = specific.filter { !known.contains($0.term) }.map(\.word)
        let agree = first.first.map { top in passages.contains { $0.documentID == top.documentID && ($0.bm25Rank ?? .max) <= 3 } } ?? false
        let w = self.weights
        let z = w.confidence * confidence + w.coverage * coverage + w.agreement * (agree ? 1 : 0) + w.intercept
        return AnswerEvidence(confidence: confidence, coverage: coverage, missing: missing, rankersAgree: agree, support: 1 / (1 + exp(-z)))
    }

    /// Why the passages do not answer, or nil when they do.
    public func decline(_ evidence: AnswerEvidence, found: Bool) -> DeclineReason? {
        guard found else { return .nothingFound }
        if !evidence.missing.isEmpty { return .missingTerms(evidence.missing) }
        if evidence.support < minimumSupport { return .weakEvidence(support: evidence.support, needed: minimumSupport) }
        return nil
    }
}
