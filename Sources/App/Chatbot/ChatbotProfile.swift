import CirrusCore
import Foundation
import Knowledge

/// Whether the chatbot quotes the documents or has the language model write the answer.
enum AnswerStyle: String, Codable, Sendable, CaseIterable {
    /// The passages' own sentences, each with its source: nothing is rephrased.
    case quoted
    /// The language model writes the answer from the passages, citing them; quoted when no model is configured.
    case written
}

/// How the chatbot answers, as every chat (the Chat page, the API, conversations) applies it.
struct ChatbotProfile: Sendable, Equatable, Codable {
    var name: String
    /// The first thing it says in a new chat.
    var greeting: String
    /// The categories it answers from; empty: every category.
    var categories: [String]
    /// What it says when the documents do not answer.
    var unknownAnswer: String
    /// The support an answer needs, in percent (see ``AnswerEvidence/support``); below it the
    /// chatbot says ``unknownAnswer``.
    var minimumSupport: Int
    var answerStyle: AnswerStyle
    /// Instructions for the language model (tone, persona); they never override the grounding rules.
    var systemPrompt: String?
    /// Where someone can ask a person, shown with every "I don't know".
    var contactURL: String?
    /// Whether people outside the workspace (the website widget's visitors) see links to the
    /// source files; without, they see each source's title and location. Members always do.
    var showsSourceLinks: Bool

    /// The API's names (camelCase, as everywhere).
    enum CodingKeys: String, CodingKey {
        case name, greeting, categories, unknownAnswer, minimumSupport, answerStyle, systemPrompt, showsSourceLinks
        case contactURL = "contactUrl"
    }

    /// A new workspace's chatbot: as cautious as `CIRRUS_ANSWER_CAUTION` says.
    static func defaults(caution: AnswerCaution) -> ChatbotProfile {
        ChatbotProfile(
            name: "Cirrus Assistant", greeting: "Hi! Ask me anything about our documents.", categories: [], unknownAnswer: Answerer.unknown,
            minimumSupport: Int((caution.minimumSupport * 100).rounded()), answerStyle: .written, systemPrompt: nil, contactURL: nil,
            showsSourceLinks: false)
    }

    /// The filter a question is searched with: the asker's, within the chatbot's categories.
    func restricting(_ filter: SearchFilter) -> SearchFilter {
        var filter = filter
        if !categories.isEmpty { filter.categories = Set(categories) }
        return filter
    }

    /// The answerer with this chatbot's caution.
    func applying(to answerer: Answerer) -> Answerer {
        var answerer = answerer
        answerer.abstention.minimumSupport = Double(minimumSupport) / 100
        return answerer
    }
}

/// A change to the chatbot's settings: each field given replaces the current one, the others stay.
struct ChatbotChange: Decodable, Sendable {
    var name: String?
    var greeting: String?
    var categories: [String]?
    var unknownAnswer: String?
    var minimumSupport: Int?
    var answerStyle: AnswerStyle?
    /// Blank removes it.
    var systemPrompt: String?
    /// Blank removes it.
    var contactUrl: String?
    var showsSourceLinks: Bool?

    /// `profile` with this change applied, or ``ChatbotError/invalid(field:reason:)`` naming the first bad field.
    func applied(to profile: ChatbotProfile) throws -> ChatbotProfile {
        var profile = profile
        if let name {
            profile.name = try Self.line(name, field: "name", limit: 80)
        }
        if let greeting {
            profile.greeting = try Self.text(greeting, field: "greeting", limit: 500, required: false)
        }
        if let categories {
            var seen = Set<String>()
            profile.categories = categories.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                .filter { !$0.isEmpty && seen.insert($0).inserted }
            guard profile.categories.count <= 100, profile.categories.allSatisfy({ $0.count <= 100 }) else {
                throw ChatbotError.invalid(field: "categories", reason: "at most 100 categories of 100 characters each")
            }
        }
        if let unknownAnswer {
            profile.unknownAnswer = try Self.text(unknownAnswer, field: "unknownAnswer", limit: 500, required: true)
        }
        if let minimumSupport {
            guard (0...100).contains(minimumSupport) else { throw ChatbotError.invalid(field: "minimumSupport", reason: "a percentage from 0 to 100") }
            profile.minimumSupport = minimumSupport
        }
        if let answerStyle { profile.answerStyle = answerStyle }
        if let systemPrompt {
            let prompt = try Self.text(systemPrompt, field: "systemPrompt", limit: 4000, required: false)
            profile.systemPrompt = prompt.isEmpty ? nil : prompt
        }
        if let contactUrl {
            let link = contactUrl.trimmingCharacters(in: .whitespacesAndNewlines)
            if link.isEmpty {
                profile.contactURL = nil
            } else {
                guard link.count <= 500, Self.isContactLink(link) else {
                    throw ChatbotError.invalid(field: "contactUrl", reason: "an https://, http:// or mailto: address")
                }
                profile.contactURL = link
            }
        }
        if let showsSourceLinks { profile.showsSourceLinks = showsSourceLinks }
        return profile
    }

    private static func line(_ value: String, field: String, limit: Int) throws -> String {
        let line = value.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
        guard !line.isEmpty, line.count <= limit else { throw ChatbotError.invalid(field: field, reason: "1 to \(limit) characters") }
        return line
    }

    private static func text(_ value: String, field: String, limit: Int, required: Bool) throws -> String {
        let text = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count <= limit, !required || !text.isEmpty else {
            throw ChatbotError.invalid(field: field, reason: required ? "1 to \(limit) characters" : "at most \(limit) characters")
        }
        return text
    }

    /// A link a visitor may follow: web or mail, with a host (web) or an address (mail).
    static func isContactLink(_ link: String) -> Bool {
        guard let url = URL(string: link), let scheme = url.scheme?.lowercased() else { return false }
        switch scheme {
        case "https", "http": return !(url.host ?? "").isEmpty
        case "mailto": return link.dropFirst("mailto:".count).contains("@")
        default: return false
        }
    }
}

/// Failures of the chatbot's settings, in words for the admin.
enum ChatbotError: UserFacingError {
    case invalid(field: String, reason: String)

    var code: String { "invalid_chatbot_settings" }
    var safeMessage: String {
        switch self {
        case .invalid(let field, let reason): "\(field) must be \(reason)."
        }
    }
    var kind: FailureKind { .badRequest }
}
