import Foundation

/// A passage retrieved for a question, with what is needed to quote and cite it.
public struct RetrievedPassage: Sendable {
    public let documentID: UUID
    public let title: String
    public let sourceType: String
    public let url: String?
    /// "page 3", "slide 2", "sheet Budget"… or nil.
    public let location: String?
    public let headingPath: String
    public let text: String
    /// Cosine similarity of the passage to the question (nil without an embedder).
    public let cosine: Float?
    /// Rank of the passage by words alone, if BM25 found it.
    public let bm25Rank: Int?

    public init(
        documentID: UUID, title: String, sourceType: String, url: String?, location: String?, headingPath: String,
        text: String, cosine: Float?, bm25Rank: Int?
    ) {
        self.documentID = documentID
        self.title = title
        self.sourceType = sourceType
        self.url = url
        self.location = location
        self.headingPath = headingPath
        self.text = text
        self.cosine = cosine
        self.bm25Rank = bm25Rank
    }
}

/// A numbered source an answer cites.
public struct Citation: Sendable, Equatable {
    public let number: Int
    public let documentID: UUID
    public let title: String
    public let sourceType: String
    public let url: String?
    /// Where in the document: the location (page, slide, sheet) and else the heading.
    public let location: String?
    /// Calibrated probability, in percent, that this document answers the question.
    public let confidence: Int
}

/// An answer with its citations; `declined` says why, when the answer is "I don't know".
public struct Answer: Sendable {
    public let text: String
    public let citations: [Citation]
    public let declined: DeclineReason?
    /// What the decision rested on (nil when nothing was retrieved).
    public let evidence: AnswerEvidence?

    public var answered: Bool { declined == nil }

    public init(text: String, citations: [Citation], declined: DeclineReason?, evidence: AnswerEvidence?) {
        self.text = text
        self.citations = citations
        self.declined = declined
        self.evidence = evidence
    }
}

/// What the retrieved passages support: the ones to cite, or why nothing answers.
public struct Grounding: Sendable {
    public let passages: [RetrievedPassage]
    public let citations: [Citation]
    public let evidence: AnswerEvidence?
    public let declined: DeclineReason?

    /// "I don't know", with the reason.
    public func unknown() -> Answer { Answer(text: Answerer.unknown, citations: [], declined: declined ?? .nothingFound, evidence: evidence) }
}

/// Turns a passage's similarity to the question into the probability that it answers it.
///
/// A logistic curve (Platt scaling) over the cosine similarity, whose two parameters were
/// fitted by maximum likelihood on the retrieval-quality questions (`RetrievalQualityTests`
/// prints the fit and checks the calibration error): among answers shown as 80 %, about four
/// in five cite the right document.
public struct ConfidenceCalibration: Sendable {
    public var slope: Double
    public var intercept: Double

    public static let builtIn = ConfidenceCalibration(slope: 11.9, intercept: -3.93)

    public init(slope: Double, intercept: Double) {
        self.slope = slope
        self.intercept = intercept
    }

    /// Probability in 0…1.
    public func probability(cosine: Float) -> Double {
        1 / (1 + exp(-(slope * Double(cosine) + intercept)))
    }
}

/// Builds answers from retrieved passages: extractive by default (the passages' best
/// sentences, each followed by its source's marker), or the grounding prompt for a language model.
public struct Answerer: Sendable {
    public var calibration: ConfidenceCalibration
    /// Below this calibrated confidence a passage is not cited (whether to answer at all is the abstention's call).
    public var threshold: Double
    public var abstention: Abstention
    public static let unknown = "I don't know. Nothing in the knowledge base answers this question."

    public init(calibration: ConfidenceCalibration = .builtIn, threshold: Double = 0.35, caution: AnswerCaution = .balanced) {
        self.calibration = calibration
        self.threshold = threshold
        self.abstention = Abstention(calibration: calibration, caution: caution)
    }

    /// Confidence of one passage in 0…1. Without vectors, BM25's first hit counts as an even chance.
    public func confidence(_ passage: RetrievedPassage) -> Double {
        if let cosine = passage.cosine { return calibration.probability(cosine: cosine) }
        return passage.bm25Rank == 1 ? 0.5 : 0.3
    }

    /// Decides whether the passages (ranked best first) answer the question and, if so, which
    /// to cite: one numbered source per document, and never the same text twice (a file imported
    /// from two places is cited once, from where it ranked first). `rarity` weighs the question's
    /// words (the index's).
    public func ground(
        question: String, language: Language = .english, passages: [RetrievedPassage], rarity: ([String]) -> [Float], limit: Int = 4
    ) -> Grounding {
        guard !passages.isEmpty else { return Grounding(passages: [], citations: [], evidence: nil, declined: .nothingFound) }
        let evidence = abstention.evidence(question: question, language: language, passages: passages, rarity: rarity)
        if let reason = abstention.decline(evidence, found: true) { return Grounding(passages: [], citations: [], evidence: evidence, declined: reason) }
        // The best passage is cited however low its own cosine; the others when they clear the threshold.
        var texts = Set<String>()
        let distinct = passages.filter { texts.insert(Self.comparable($0.text)).inserted }
        let kept = distinct.prefix(limit).enumerated().filter { $0.offset == 0 || confidence($0.element) >= threshold }.map(\.element)
        var citations: [Citation] = []
        for passage in kept where !citations.contains(where: { $0.documentID == passage.documentID }) {
            citations.append(
                Citation(
                    number: citations.count + 1, documentID: passage.documentID, title: passage.title, sourceType: passage.sourceType,
                    url: passage.url, location: Self.place(passage), confidence: Int((confidence(passage) * 100).rounded())))
        }
        return Grounding(passages: kept, citations: citations, evidence: evidence, declined: nil)
    }

    /// Text as compared for sameness: case and runs of white space do not count.
    static func comparable(_ text: String) -> String {
        text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// An extractive answer: the sentences of the cited passages most like the question,
    /// scored by `sentenceScores` (cosine to the question, from the caller's embedder) or by
    /// shared words when it is nil.
    public func extractive(question: String, grounding: Grounding, sentenceScores: (([String]) async throws -> [Float])?) async throws -> Answer {
        let kept = grounding.passages
        let citations = grounding.citations
        guard !kept.isEmpty else { return grounding.unknown() }
        // Candidate sentences of the best passages, remembering where each came from.
        var candidates: [(passage: Int, position: Int, text: String)] = []
        for (index, passage) in kept.prefix(3).enumerated() {
            // Headings repeat the question's words without answering it; they are not quoted.
            let headings = Set((passage.headingPath.components(separatedBy: Chunk.headingSeparator) + [passage.title]).map { $0.lowercased() })
            for (position, sentence) in Chunker.sentences(passage.text).enumerated()
            where sentence.split(separator: " ").count >= 3 && !headings.contains(sentence.lowercased()) {
                candidates.append((index, position, sentence))
            }
        }
        guard !candidates.isEmpty else { return Grounding(passages: [], citations: [], evidence: grounding.evidence, declined: .nothingFound).unknown() }
        let scores: [Float]
        if let sentenceScores {
            scores = try await sentenceScores(candidates.map(\.text))
        } else {
            let tokenizer = WordTokenizer()
            let words = Set(tokenizer.terms(question))
            scores = candidates.map { candidate in
                let terms = tokenizer.terms(candidate.text)
                return terms.isEmpty ? 0 : Float(Set(terms).intersection(words).count) / Float(max(words.count, 1))
            }
        }
        // The best passage's strongest sentences, and the others' only when nearly as strong.
        let best = scores.max() ?? 0
        var chosen: [Int] = []
        for index in candidates.indices.sorted(by: { scores[$0] > scores[$1] }) where chosen.count < 4 {
            let floor: Float = candidates[index].passage == 0 ? 0.75 : 0.9
            if scores[index] >= best * floor || chosen.isEmpty { chosen.append(index) }
        }
        chosen.sort { (candidates[$0].passage, candidates[$0].position) < (candidates[$1].passage, candidates[$1].position) }
        // Each run of sentences from one source ends with that source's marker.
        let numbers = chosen.map { index in citations.first { $0.documentID == kept[candidates[index].passage].documentID }?.number ?? 1 }
        let text = chosen.enumerated().map { offset, index -> String in
            let ends = offset == chosen.count - 1 || numbers[offset + 1] != numbers[offset]
            return ends ? "\(candidates[index].text) [\(numbers[offset])]" : candidates[index].text
        }.joined(separator: " ")
        let cited = Set(chosen.map { kept[candidates[$0].passage].documentID })
        // Sources keep their numbers; ones no sentence quoted still back the answer, so they stay listed.
        return Answer(
            text: text, citations: citations.filter { cited.contains($0.documentID) || $0.number <= 3 }, declined: nil, evidence: grounding.evidence)
    }

    /// The messages that ground a language model in the cited passages only.
    /// The answer comes in `language`, the question's, whatever the sources' language.
    /// `instructions` (the chatbot's system prompt, e.g. a tone or a persona) come after the
    /// grounding rules and are told to yield to them, so they cannot unground the answer.
    public func groundingPrompt(
        question: String, language: Language = .english, passages: [RetrievedPassage], citations: [Citation], instructions: String? = nil
    ) -> [OpenAIChatClient.Message] {
        var context = ""
        for passage in passages {
            guard let number = citations.first(where: { $0.documentID == passage.documentID })?.number else { continue }
            context += "[\(number)] \(passage.title)\(Self.place(passage).map { " — \($0)" } ?? "")\n\(passage.text)\n\n"
        }
        let system = """
            You answer questions for a company's knowledge base using only the numbered sources below. \
            After each statement, cite the source it comes from with its number in square brackets, like [1]. \
            If the sources do not contain the answer, reply exactly: \(Self.unknown) \
            Do not use outside knowledge. Keep the answer short.\(language == .english ? "" : " Write the answer in \(language.englishName).")
            \(instructions.map { "\nThe chatbot's administrator adds these instructions; follow them where they do not contradict the rules above:\n\($0)\n" } ?? "")

            Sources:

            \(context)
            """
        return [.init(role: "system", content: system), .init(role: "user", content: question)]
    }

    /// The messages that have a language model restate a question in English, the documents'
    /// language, for retrieval only (the answer is still written in the question's language).
    public func translationPrompt(question: String, from language: Language) -> [OpenAIChatClient.Message] {
        let system = """
            Translate the user's question from \(language.englishName) into English so it can be searched in English documents. \
            Keep names, numbers and codes as they are. Reply with the translated question only.
            """
        return [.init(role: "system", content: system), .init(role: "user", content: question)]
    }

    /// Whether a model's reply is the "I don't know" it was told to give when the sources do not answer.
    public static func isUnknown(_ reply: String) -> Bool {
        let text = normalizedStart(reply)
        return text.hasPrefix(unknownMarker)
    }

    /// Whether a reply that has begun may still turn out to be the "I don't know" (it is a
    /// beginning of it, or it): a stream holds such a start back, so the chatbot's own wording
    /// can replace the model's.
    public static func mayBeUnknown(_ start: String) -> Bool {
        let text = normalizedStart(start)
        return unknownMarker.hasPrefix(text) || text.hasPrefix(unknownMarker)
    }

    private static let unknownMarker = String(unknown.prefix(while: { $0 != "." }).lowercased())

    private static func normalizedStart(_ reply: String) -> String {
        reply.trimmingCharacters(in: .whitespacesAndNewlines).lowercased().replacingOccurrences(of: "’", with: "'")
    }

    /// Where a passage sits, for a citation: its location, else its innermost heading.
    static func place(_ passage: RetrievedPassage) -> String? {
        if let location = passage.location, !location.isEmpty { return location }
        let heading = passage.headingPath.components(separatedBy: Chunk.headingSeparator).last { !$0.isEmpty && $0 != passage.title }
        return heading
    }
}
