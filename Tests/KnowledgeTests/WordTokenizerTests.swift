import Testing

@testable import Knowledge

@Suite("Word tokenizer")
struct WordTokenizerTests {
    @Test("case, accents and width fold; punctuation and stop words drop")
    func folding() {
        let terms = WordTokenizer().terms("The Café's NAÏVE résumé, and ＡＰＩ keys!")
        #expect(terms == ["cafe", "naive", "resume", "api", "key"])
    }

    @Test("words in scripts without spaces between them still split")
    func unicodeWords() {
        #expect(WordTokenizer().terms("Straße 42 Größe") == ["strasse", "42", "grosse"])
        #expect(WordTokenizer().terms("東京タワー") == ["東", "京", "タ", "ワ", "ー"])
        #expect(WordTokenizer().terms("Привет мир") == ["привет", "мир"])
        #expect(WordTokenizer().terms("version 2.5 costs $1,200") == ["version", "2.5", "cost", "1,200"])
    }

    @Test("plurals, possessives and -ing/-ed forms meet at one stem; short and non-English words stay whole")
    func stems() {
        #expect(
            WordTokenizer().terms("backups backup shipped shipping ships policies policy") == ["backup", "backup", "ship", "ship", "ship", "policy", "policy"])
        #expect(WordTokenizer().terms("red sing status class bus") == ["red", "sing", "status", "class", "bus"])
        #expect(WordTokenizer().terms("Rückerstattungen") == ["ruckerstattungen"])
    }
}
