import CirrusCore
import FluentKit
import Foundation
import Knowledge

/// Reads and changes a workspace's chatbot settings.
struct ChatbotService: Sendable {
    let store: Store
    let audit: Audit
    /// The caution a workspace that never saved its settings answers with.
    let defaultCaution: AnswerCaution

    /// The workspace's chatbot: its saved settings, else the defaults.
    func profile(for workspaceID: UUID) async throws -> ChatbotProfile {
        profile(try await row(for: workspaceID))
    }

    private func profile(_ row: ChatbotSettings?) -> ChatbotProfile {
        guard let row else { return .defaults(caution: defaultCaution) }
        let categories = (try? JSONDecoder().decode([String].self, from: Data(row.categoriesJSON.utf8))) ?? []
        return ChatbotProfile(
            name: row.name, greeting: row.greeting, categories: categories, unknownAnswer: row.unknownAnswer, minimumSupport: row.minimumSupport,
            answerStyle: row.answerStyle, systemPrompt: row.systemPrompt, contactURL: row.contactURL, showsSourceLinks: row.showsSourceLinks)
    }

    /// Applies `change` and returns the settings as saved; an admin's action, recorded in the activity log.
    @discardableResult
    func update(_ change: ChatbotChange, by identity: Identity, clientAddress: String?) async throws -> ChatbotProfile {
        let saved = try await row(for: identity.workspaceID)
        let profile = try change.applied(to: profile(saved))
        let row = saved ?? ChatbotSettings()
        row.$workspace.id = identity.workspaceID
        row.name = profile.name
        row.greeting = profile.greeting
        row.categoriesJSON = String(decoding: try JSONEncoder().encode(profile.categories), as: UTF8.self)
        row.unknownAnswer = profile.unknownAnswer
        row.minimumSupport = profile.minimumSupport
        row.answerStyle = profile.answerStyle
        row.systemPrompt = profile.systemPrompt
        row.contactURL = profile.contactURL
        row.showsSourceLinks = profile.showsSourceLinks
        try await row.save(on: store.database)
        await audit.record(
            .chatbotChanged, workspaceID: identity.workspaceID, actorID: identity.userID, actorEmail: identity.email, clientAddress: clientAddress)
        return profile
    }

    private func row(for workspaceID: UUID) async throws -> ChatbotSettings? {
        try await ChatbotSettings.query(on: store.database).filter(\.$workspace.$id == workspaceID).first()
    }
}
