import FluentKit
import SQLKit

/// Every migration, in the order they run. Append new ones; never edit one that has shipped.
enum CirrusMigrations {
    static let all: [any Migration] = [
        CreateWorkspaces(),
        CreateUsers(),
        CreateSessions(),
        CreateAPITokens(),
        CreateUserIntegrations(),
        CreateOAuthStates(),
        CreateDocuments(),
        CreateChunks(),
        CreateImportJobs(),
        CreateImportItems(),
        CreateAuditEvents(),
        AddConnectionDetailsToUserIntegrations(),
        AddImportItemFileDetails(),
        CreateKnowledgeChanges(),
        AddEmbeddingModelToDocuments(),
        CreateChatTurns(),
        RestoreSitesOnUserIntegrations(),
        AddRefreshClaimToUserIntegrations(),
        AddExpansionGuardsToImportItems(),
        AddBindingToOAuthStates(),
        QualifyConfluenceDocumentKeys(),
        AddPasswordChangeToUsers(),
        CreateSyncedSources(),
        CreatePushChannels(),
        AddFollowUpToSyncedSources(),
        AddOCRToDocuments(),
        AddDeclineReasonToChatTurns(),
        CreateConversations(),
        CreateChatbotSettings(),
        CreateWidgetSettings(),
        CreateAskedQuestions(),
        DropChatTurns(),
        CreateAPIKeys(),
        CreateRateLimitCounts(),
        CreateInvitations(),
        CreateNotifications(),
        CreateWebhooks(),
    ]
}

extension Database {
    /// Adds columns to a table, one `ALTER TABLE` each (SQLite adds a single column per statement).
    func addColumns(_ columns: [(FieldKey, DatabaseSchema.DataType)], to table: String) async throws {
        for (name, type) in columns { try await schema(table).field(name, type).update() }
    }

    /// Drops columns from a table, last added first.
    func dropColumns(_ columns: [(FieldKey, DatabaseSchema.DataType)], from table: String) async throws {
        for (name, _) in columns.reversed() { try await schema(table).deleteField(name).update() }
    }

    /// Creates a plain index; Fluent's schema builder has no verb for it.
    func createIndex(_ name: String, on table: String, columns: String...) async throws {
        guard let sql = self as? any SQLDatabase else { return }
        var builder = sql.create(index: name).on(table)
        for column in columns { builder = builder.column(column) }
        try await builder.run()
    }
}
