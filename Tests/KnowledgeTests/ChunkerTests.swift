import Extraction
import TestSupport
import Testing

@testable import Knowledge

@Suite("Chunker")
struct ChunkerTests {
    @Test("chunks never span sections or locations, keep heading path and location, and stay under the window")
    func structureFirst() {
        // given a document with two pages and a long section
        let long = (1...120).map { "Sentence number \($0) explains one more detail of the refund policy." }.joined(separator: " ")
        let document = ExtractedDocument(
            title: "Guide",
            sections: [
                ExtractedSection(headingPath: ["Guide", "Refunds"], location: .page(1), text: long),
                ExtractedSection(headingPath: ["Guide", "Shipping"], location: .page(2), text: "Parcels leave within two days."),
            ])
        // when it is chunked
        let chunks = Chunker().chunk(document)
        // then
        #expect(chunks.count > 3)
        #expect(chunks.map(\.ordinal) == Array(0..<chunks.count))
        #expect(chunks.every { Chunker.estimateTokens($0.text) <= 256 })
        #expect(chunks.last?.headingPath == ["Guide", "Shipping"])
        #expect(chunks.last?.location == .page(2))
        #expect(chunks.dropLast().every { $0.location == .page(1) && $0.headingPath == ["Guide", "Refunds"] })
        // consecutive chunks overlap by one sentence
        let first = chunks[0].text
        let second = chunks[1].text
        let lastSentence = Chunker.sentences(first).last!
        #expect(second.hasPrefix(lastSentence))
        // and nothing written is lost
        for number in [1, 60, 120] { #expect(chunks.contains { $0.text.contains("Sentence number \(number) ") }) }
    }

    @Test("sentences split at terminal punctuation but not after abbreviations or initials")
    func sentences() {
        #expect(
            Chunker.sentences("Dr. Smith arrived. See e.g. the guide! Is it J. R. R. Tolkien? Yes") == [
                "Dr. Smith arrived.", "See e.g. the guide!", "Is it J. R. R. Tolkien?", "Yes",
            ])
    }

    @Test("a single enormous sentence is cut into runs that fit the window")
    func hugeSentence() {
        let words = (1...2000).map { "word\($0)" }.joined(separator: " ")
        let chunks = Chunker().chunk(ExtractedDocument(sections: [ExtractedSection(text: words)]))
        #expect(chunks.count > 5)
        #expect(chunks.every { Chunker.estimateTokens($0.text) <= 256 })
        #expect(chunks.first?.text.hasPrefix("word1 word2") == true)
    }

    @Test("with the model's tokenizer, every chunk fits the 256-token window counted in real word pieces")
    func wordPieceWindow() throws {
        // given the model's tokenizer and text that splits into many word pieces (numbers, codes, long words)
        let tokenizer = try WordPieceTokenizer(tokenizerJSON: modelDirectory.appendingPathComponent("tokenizer.json"))
        let text = (1...300).map { "Clause \($0): invoice INV-\($0 * 7919) totals EUR \($0 * 131).\($0 % 100) under agreement antidisestablishment-\($0)." }
            .joined(separator: " ")
        // when chunked with it
        let chunks = Chunker(tokenizer: tokenizer).chunk(ExtractedDocument(sections: [ExtractedSection(text: text)]))
        // then no chunk is truncated by the model, and chunks are near the 200-token target
        let lengths = chunks.map { tokenizer.encode($0.text, maxLength: 10_000).count }
        #expect(lengths.every { $0 <= 256 })
        #expect(lengths.dropLast().every { $0 >= 150 })
        #expect(chunks.contains { $0.text.contains("Clause 300:") })
    }
}
