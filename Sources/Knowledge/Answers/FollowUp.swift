import Foundation

/// A question asked after others in one conversation, made standalone for retrieval.
///
/// "Which plans include it?" after "What is agent assist?" is searched as "Which plans include
/// it? (agent assist — Feature Guide)". With a language model the model rewrites the question
/// from the conversation; without one, a follow-up — a question with a pronoun or demonstrative
/// that points back ("it", "they", "that"…), opening with "and", "what about" or "how about", or
/// with fewer than two subject words of its own — gets the previous turn's subject words that it
/// lacks and the title of the document that turn cited first.
public enum FollowUp {
    /// One earlier turn: the question as it was searched, and the title it cited first (if any).
    public struct Turn: Sendable {
        public let searchedAs: String
        public let firstSource: String?

        public init(searchedAs: String, firstSource: String?) {
            self.searchedAs = searchedAs
            self.firstSource = firstSource
        }
    }

    static let pointers: Set<String> = [
        "it", "its", "they", "them", "their", "theirs", "this", "that", "these", "those", "there", "he", "she", "him", "her", "one",
        "same", "also", "else", "other",
    ]
    static let openers = ["and ", "what about", "how about", "and what", "and how", "also ", "then "]

    /// Whether the question leans on what was said before.
    public static func leansOnContext(_ question: String, tokenizer: WordTokenizer = WordTokenizer()) -> Bool {
        let lowered = question.lowercased().trimmingCharacters(in: .whitespaces)
        if openers.contains(where: { lowered.hasPrefix($0) }) { return true }
        if WordTokenizer.words(lowered).contains(where: { pointers.contains(String($0)) }) { return true }
        return Abstention.subjectTerms(question, tokenizer: tokenizer).count < 2
    }

    /// The question made standalone from the previous turn, by the heuristic above; a question
    /// that stands on its own, or the first of a conversation, is returned as asked.
    public static func standalone(_ question: String, after previous: Turn?, tokenizer: WordTokenizer = WordTokenizer()) -> String {
        guard let previous, leansOnContext(question, tokenizer: tokenizer) else { return question }
        let own = Set(tokenizer.terms(question))
        // The previous question's subject words, as it wrote them, that this one does not repeat.
        var carried: [String] = []
        for word in WordTokenizer.words(previous.searchedAs) {
            guard let term = tokenizer.terms(String(word)).first, !WordTokenizer.questionWords.contains(term), !own.contains(term),
                !carried.contains(where: { tokenizer.terms($0).first == term })
            else { continue }
            carried.append(String(word))
        }
        var context = carried.joined(separator: " ")
        if let source = previous.firstSource.map(title(of:)), !source.isEmpty { context += context.isEmpty ? source : " — \(source)" }
        return context.isEmpty ? question : "\(question) (\(context))"
    }

    /// A file's title without its extension ("Feature Guide.docx" → "Feature Guide").
    static func title(of name: String) -> String {
        guard let dot = name.lastIndex(of: "."), name.distance(from: dot, to: name.endIndex) <= 5, dot != name.startIndex else { return name }
        return String(name[..<dot])
    }

    /// The messages that have a language model rewrite a follow-up as a standalone question.
    public static func rewritePrompt(_ question: String, history: [(question: String, answer: String)]) -> [OpenAIChatClient.Message] {
        let transcript = history.suffix(6).map { "User: \($0.question)\nAssistant: \($0.answer.prefix(600))" }.joined(separator: "\n\n")
        let system = """
            Rewrite the user's last question so it can be understood without the conversation: resolve what "it", "they", \
            "that" and the like refer to, and add the subject from the earlier turns if it is missing. Keep the question's \
            language, names, numbers and codes. Reply with the rewritten question only. If it already stands on its own, \
            reply with it unchanged.

            Conversation:

            \(transcript)
            """
        return [.init(role: "system", content: system), .init(role: "user", content: question)]
    }
}
