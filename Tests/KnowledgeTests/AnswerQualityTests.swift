import Foundation
import Testing

@testable import Knowledge

/// Whether answers can be trusted: the right file first, "I don't know" when nothing answers,
/// and questions in other languages — on the tuning questions and on held-out ones.
@Suite("Answer quality: ranking, abstention and languages")
struct AnswerQualityTests {
    /// One question's outcome.
    struct Outcome {
        let question: String
        let set: String
        let answerable: Bool
        let top1: Bool
        let top5: Bool
        let evidence: AnswerEvidence
        let declined: DeclineReason?
    }

    static func ask(_ corpus: EvaluationCorpus, _ question: String, expected: Set<String>, set: String, abstention: Abstention) async throws -> Outcome {
        let vector = try await corpus.embedder.embed([question])[0]
        let ordered = try await corpus.reranked(question, vector: vector)
        var titles: [String] = []
        for passage in ordered where !titles.contains(passage.title) { titles.append(passage.title) }
        let passages = Array(ordered.prefix(6))
        let language = Language.detect(question) ?? .english
        let evidence = abstention.evidence(question: question, language: language, passages: passages, rarity: corpus.index.rarity(of:))
        return Outcome(
            question: question, set: set, answerable: !expected.isEmpty, top1: titles.first.map { expected.contains($0) } ?? false,
            top5: titles.prefix(5).contains { expected.contains($0) }, evidence: evidence,
            declined: abstention.decline(evidence, found: !passages.isEmpty))
    }

    static func percent(_ part: Int, _ whole: Int) -> String { String(format: "%5.1f %%", whole == 0 ? 0 : Double(part) / Double(whole) * 100) }

    @Test("answerable questions get the right file first and are answered; unanswerable ones are declined; other languages are measured")
    func quality() async throws {
        // given the corpus and every question set
        let corpus = try await EvaluationCorpus.build()
        let abstention = Abstention()
        var outcomes: [Outcome] = []
        // when each is asked
        for (question, expected) in EvaluationCorpus.questions {
            outcomes.append(try await Self.ask(corpus, question, expected: expected, set: "tuning", abstention: abstention))
        }
        for question in QuestionSets.tuningUnanswerable {
            outcomes.append(try await Self.ask(corpus, question, expected: [], set: "tuning", abstention: abstention))
        }
        for (question, expected) in QuestionSets.heldOut {
            outcomes.append(try await Self.ask(corpus, question, expected: expected, set: "held-out", abstention: abstention))
        }
        for question in QuestionSets.heldOutUnanswerable {
            outcomes.append(try await Self.ask(corpus, question, expected: [], set: "held-out", abstention: abstention))
        }
        var languages: [Language: [Outcome]] = [:]
        for (language, question, expected) in QuestionSets.otherLanguages {
            #expect(Language.detect(question) == language, "\(question)")
            languages[language, default: []].append(try await Self.ask(corpus, question, expected: expected, set: language.rawValue, abstention: abstention))
        }
        if let path = ProcessInfo.processInfo.environment["DUMP_EVIDENCE"] {
            let rows = (outcomes + languages.values.joined()).map { outcome -> [String: Any] in
                [
                    "question": outcome.question, "set": outcome.set, "answerable": outcome.answerable, "top1": outcome.top1, "top5": outcome.top5,
                    "confidence": outcome.evidence.confidence, "coverage": outcome.evidence.coverage, "missing": outcome.evidence.missing,
                    "agree": outcome.evidence.rankersAgree, "support": outcome.evidence.support,
                ]
            }
            try JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted]).write(to: URL(fileURLWithPath: path))
        }
        if ProcessInfo.processInfo.environment["SHOW_MISSES"] != nil {
            for outcome in outcomes where outcome.answerable == (outcome.declined != nil) {
                print(
                    "  \(outcome.answerable ? "declined" : "answered") [\(outcome.set)] \(outcome.question) — \(outcome.declined.map(\.description) ?? String(format: "support %.2f", outcome.evidence.support))"
                )
            }
        }

        // then the figures, printed for the README and held
        print("Answer quality (swift test --filter AnswerQualityTests), \(corpus.titles.count) documents:")
        print("  set        answerable  top-1     top-5     declined | unanswerable  declined")
        var figures: [String: (top1: Double, top5: Double, falseDecline: Double, decline: Double)] = [:]
        for set in ["tuning", "held-out"] {
            let answerable = outcomes.filter { $0.set == set && $0.answerable }
            let unanswerable = outcomes.filter { $0.set == set && !$0.answerable }
            let top1 = answerable.filter(\.top1).count
            let top5 = answerable.filter(\.top5).count
            let falseDeclines = answerable.filter { $0.declined != nil }.count
            let declines = unanswerable.filter { $0.declined != nil }.count
            print(
                "  \(set.padding(toLength: 9, withPad: " ", startingAt: 0))  \(String(format: "%10d", answerable.count))  \(Self.percent(top1, answerable.count))   \(Self.percent(top5, answerable.count))   \(Self.percent(falseDeclines, answerable.count)) | \(String(format: "%12d", unanswerable.count))  \(Self.percent(declines, unanswerable.count))"
            )
            figures[set] = (
                Double(top1) / Double(answerable.count), Double(top5) / Double(answerable.count), Double(falseDeclines) / Double(answerable.count),
                Double(declines) / Double(unanswerable.count)
            )
        }
        for language in [Language.german, .french, .spanish] {
            let asked = languages[language] ?? []
            print(
                "  \(language.englishName.padding(toLength: 9, withPad: " ", startingAt: 0))  \(String(format: "%10d", asked.count))  \(Self.percent(asked.filter(\.top1).count, asked.count))   \(Self.percent(asked.filter(\.top5).count, asked.count))   \(Self.percent(asked.filter { $0.declined != nil }.count, asked.count)) |"
            )
        }
        #expect(EvaluationCorpus.questions.count + QuestionSets.heldOut.count >= 100)
        #expect(QuestionSets.tuningUnanswerable.count + QuestionSets.heldOutUnanswerable.count >= 50)
        // Held where they stand (README, "How answers are made"); the goal of 90 % of
        // unanswerable questions declined is not reached yet.
        for set in ["tuning", "held-out"] {
            let measured = try #require(figures[set])
            #expect(measured.top1 >= 0.84, "\(set) top-1 \(measured.top1)")
            #expect(measured.top5 >= 0.98, "\(set) top-5 \(measured.top5)")
            #expect(measured.falseDecline <= 0.03, "\(set) answerable declined \(measured.falseDecline)")
            #expect(measured.decline >= 0.75, "\(set) unanswerable declined \(measured.decline)")
        }
        // Off-topic questions are all declined at the default caution.
        let balanced = Abstention(caution: .balanced)
        for question in EvaluationCorpus.offTopic + QuestionSets.heldOutUnanswerable.prefix(20) {
            let outcome = try await Self.ask(corpus, question, expected: [], set: "off-topic", abstention: balanced)
            #expect(outcome.declined != nil, "\(question): support \(outcome.evidence.support)")
        }
        // Other languages without a language model: names and numbers still find some files.
        for language in [Language.german, .french, .spanish] {
            let asked = languages[language] ?? []
            #expect(Double(asked.filter(\.top5).count) / Double(asked.count) >= 0.5, "\(language) top-5")
        }
    }
}
