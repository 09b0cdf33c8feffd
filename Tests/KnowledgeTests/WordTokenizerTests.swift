import Testing

@testable import Knowledge

@Suite("Word tokenizer")
struct WordTokenizerTests {
    @Test("case, accents and width fold; punctuation and stop words drop")
    func folding() {
        let terms = WordTokenizer().terms("The Café's NAÏVE résumé, and ＡＰＩ keys!")
        #expect(terms == ["cafe's", "naive", "resume", "api", "keys"])
    }

    @Test("words in scripts without spaces between them still split")
    func unicodeWords() {
        #expect(WordTokenizer().terms("Straße 42 Größe") == ["strasse", "42", "grosse"])
        #expect(WordTokenizer().terms("東京タワー") == ["東", "京", "タ", "ワ", "ー"])
        #expect(WordTokenizer().terms("Привет мир") == ["привет", "мир"])
        #expect(WordTokenizer().terms("version 2.5 costs $1,200") == ["version", "2.5", "costs", "1,200"])
    }
}
