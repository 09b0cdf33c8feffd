import Foundation
import Testing

@testable import Knowledge

@Suite("Abstention and languages")
struct AbstentionTests {
    @Test("a question's language is told by its function words and letters; English wins ties")
    func detectsLanguage() {
        // given questions in four languages, and ones nothing tells apart
        let cases: [(String, Language?)] = [
            ("How many days of paid vacation do staff receive?", .english),
            ("Wie viele Urlaubstage bekommen die Mitarbeiter?", .german),
            ("Combien de jours de congés payés les employés ont-ils ?", .french),
            ("¿Cuántos días de vacaciones pagadas tienen los empleados?", .spanish),
            ("Beacon Zendesk 2025", nil),
            ("", nil),
        ]
        // when each is detected / then
        for (question, language) in cases { #expect(Language.detect(question) == language, "\(question)") }
    }

    @Test("names, numbers, codes and mixed-case words are the question's specific terms; a sentence's first word is not")
    func specificTerms() {
        // given / when
        let english = Abstention.specificTerms("Does Beacon integrate with Salesforce or HubSpot on the iPhone in 2026? Is it SOC 2 certified?")
        let german = Abstention.specificTerms("Wie viele Urlaubstage bekommen die Mitarbeiter 2025?", language: .german)
        // then
        #expect(english.map(\.word) == ["Beacon", "Salesforce", "HubSpot", "iPhone", "2026", "SOC", "2"])
        #expect(german.map(\.word) == ["2025"])
    }

    static func passage(_ text: String, title: String = "Pricing 2025", cosine: Float, bm25Rank: Int? = 1) -> RetrievedPassage {
        RetrievedPassage(
            documentID: UUID(), title: title, sourceType: "google_drive", url: nil, location: nil, headingPath: "", text: text, cosine: cosine,
            bm25Rank: bm25Rank)
    }

    @Test("the decision names its reason: nothing found, a term the passages lack, or too little support for the caution set")
    func declineReasons() {
        // given a pricing passage
        let pricing = [Self.passage("Starter costs 49 dollars per month. Growth costs 199 dollars per month.", cosine: 0.62)]
        let flat: ([String]) -> [Float] = { $0.map { _ in 1 } }
        let balanced = Abstention()
        // when questions are weighed against it
        let answerable = balanced.evidence(question: "How much does Growth cost per month?", passages: pricing, rarity: flat)
        let unnamed = balanced.evidence(question: "How much does Growth cost in 2027?", passages: pricing, rarity: flat)
        let distant = balanced.evidence(
            question: "What is the boiling point of water?", passages: [Self.passage("Starter costs 49 dollars.", cosine: 0.1, bm25Rank: nil)],
            rarity: flat)
        // then
        #expect(balanced.decline(answerable, found: true) == nil)
        #expect(answerable.coverage > 0.9)
        #expect(balanced.decline(unnamed, found: true) == .missingTerms(["2027"]))
        guard case .weakEvidence(let support, let needed) = balanced.decline(distant, found: true) else {
            Issue.record("expected weak evidence")
            return
        }
        #expect(support < needed)
        #expect(balanced.decline(answerable, found: false) == .nothingFound)
        // and a cautious chatbot needs more support than a lenient one for the same evidence
        #expect(AnswerCaution.cautious.minimumSupport > AnswerCaution.balanced.minimumSupport)
        #expect(AnswerCaution.balanced.minimumSupport > AnswerCaution.lenient.minimumSupport)
    }

    @Test("a language model's reply counts as \"I don't know\" only when it says so")
    func modelUnknown() {
        #expect(Answerer.isUnknown("I don't know. Nothing in the knowledge base answers this question."))
        #expect(Answerer.isUnknown("  I don’t know"))
        #expect(!Answerer.isUnknown("The Growth plan costs 199 dollars a month [1]."))
    }

    @Test("the same text in two documents (a file imported from two places) is cited once, from where it ranked first")
    func sameTextCitedOnce() {
        // given: a passage found in a Drive copy and, with other spacing and case, in a Dropbox copy, and a third document
        let text = "Refunds are paid within 14 days of a written request to the billing team."
        let drive = Self.passage(text, title: "Refunds (Drive)", cosine: 0.82)
        let dropbox = Self.passage(text.uppercased().replacingOccurrences(of: " ", with: "  "), title: "Refunds (Dropbox)", cosine: 0.81, bm25Rank: 2)
        let other = Self.passage("Refunds for annual plans are prorated by the month.", title: "Annual plans", cosine: 0.7, bm25Rank: 3)
        // when
        let grounding = Answerer().ground(
            question: "How fast are refunds paid?", passages: [drive, dropbox, other], rarity: { $0.map { _ in 1 } })
        // then
        #expect(grounding.citations.map(\.title) == ["Refunds (Drive)", "Annual plans"])
        #expect(grounding.passages.map(\.title) == ["Refunds (Drive)", "Annual plans"])
    }
}
