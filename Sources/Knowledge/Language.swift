import Foundation

/// The languages whose questions Cirrus recognises, to have them rewritten into the documents'
/// language for retrieval and answered in their own.
public enum Language: String, Sendable, CaseIterable, Codable {
    case english = "en"
    case german = "de"
    case french = "fr"
    case spanish = "es"

    /// The language's name in English, for a language model's instructions.
    public var englishName: String {
        switch self {
        case .english: "English"
        case .german: "German"
        case .french: "French"
        case .spanish: "Spanish"
        }
    }

    /// Whether a capital letter inside a sentence marks a name (German capitalises every noun).
    var capitalisesNames: Bool { self != .german }

    /// The short words that give a language away: articles, pronouns, prepositions, question
    /// words and common verbs — frequent in any question, rare in the other languages.
    static let markers: [Language: Set<String>] = [
        .english: [
            "the", "a", "an", "is", "are", "what", "how", "who", "which", "when", "where", "why", "do", "does", "did", "of", "to",
            "in", "for", "with", "our", "we", "you", "can", "should", "much", "many", "and", "it", "on", "this", "that", "get",
        ],
        .german: [
            "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "ist", "sind", "was", "wie", "wer", "welche",
            "welcher", "welches", "wann", "wo", "warum", "wir", "ich", "und", "mit", "für", "von", "im", "auf", "nicht", "viel",
            "viele", "kann", "muss", "unser", "unsere", "werden", "wird", "bekommen", "es", "zu", "bei", "oder", "man",
        ],
        .french: [
            "le", "la", "les", "un", "une", "des", "du", "de", "est", "sont", "quel", "quelle", "quels", "quelles", "comment",
            "combien", "qui", "quand", "où", "pourquoi", "nous", "je", "et", "avec", "pour", "dans", "sur", "pas", "notre", "nos",
            "peut", "faut", "il", "elle", "au", "aux", "ce", "qu", "que", "en", "mon", "ma", "mes", "est-ce",
        ],
        .spanish: [
            "el", "la", "los", "las", "un", "una", "es", "son", "qué", "que", "cómo", "cuánto", "cuánta", "cuántos", "cuántas",
            "quién", "cuál", "cuándo", "dónde", "por", "nosotros", "yo", "y", "con", "para", "en", "del", "al", "no", "nuestro",
            "nuestra", "de", "puede", "hay", "se", "lo", "mi", "su", "cuanto", "cual", "cuando", "donde", "como",
        ],
    ]

    /// Letters that only some of the languages write, counted as one more marker each.
    static let letters: [Language: Set<Character>] = [
        .german: ["ä", "ö", "ü", "ß"], .french: ["ç", "è", "ê", "à", "ù", "â", "î", "ô", "œ"], .spanish: ["ñ", "¿", "¡", "á", "í", "ó", "ú"],
    ]

    /// The language of a short text from its function words and letters, or nil when nothing
    /// tells. Ties go to English (the documents' usual language), then in the order above.
    public static func detect(_ text: String) -> Language? {
        let words = WordTokenizer.words(text).map { $0.lowercased() }
        let lowered = Set(text.lowercased())
        var best: (language: Language, hits: Int)?
        for language in allCases {
            let set = markers[language] ?? []
            let hits = words.filter { set.contains($0) }.count + (letters[language] ?? []).intersection(lowered).count
            if hits > (best?.hits ?? 0) { best = (language, hits) }
        }
        return best?.language
    }
}
