import FluentKit
import Foundation
import Logging

/// Records audit events. A failure to write one is logged, never shown to the user as the
/// failure of what they did.
struct Audit: Sendable {
    let store: Store
    let logger: Logger

    /// Names of audited actions, as stored and shown on the Activity page.
    enum Action: String {
        case signIn = "sign_in"
        case signInFailed = "sign_in_failed"
        case signOut = "sign_out"
        case apiTokenIssued = "api_token_issued"
        case apiTokenRevoked = "api_token_revoked"
        case apiKeyCreated = "api_key_created"
        case apiKeyRevoked = "api_key_revoked"
        case personInvited = "person_invited"
        case invitationRevoked = "invitation_revoked"
        case invitationAccepted = "invitation_accepted"
        case roleChanged = "role_changed"
        case personRemoved = "person_removed"
        case webhookChanged = "webhook_changed"
        case passwordChanged = "password_changed"
        case signedOutEverywhere = "signed_out_everywhere"
        case userCreated = "user_created"
        case keysRotated = "keys_rotated"
        case connected = "integration_connected"
        case reconnected = "integration_reconnected"
        case disconnected = "integration_disconnected"
        case connectFailed = "integration_connect_failed"
        case refreshFailed = "token_refresh_failed"
        case siteChosen = "confluence_site_chosen"
        case importStarted = "import_started"
        case importFinished = "import_finished"
        case documentDeleted = "document_deleted"
        case sourceCreated = "source_created"
        case sourceChanged = "source_changed"
        case sourceSynced = "source_synced"
        case sourceDeleted = "source_deleted"
        case chatbotChanged = "chatbot_changed"
        case widgetChanged = "widget_changed"
    }

    func record(
        _ action: Action, workspaceID: UUID?, actorID: UUID?, actorEmail: String?, platform: String? = nil,
        detail: String? = nil, clientAddress: String?
    ) async {
        let event = AuditEvent(
            workspaceID: workspaceID, actorID: actorID, actorEmail: actorEmail, action: action.rawValue,
            platform: platform, detail: detail, clientAddress: clientAddress)
        do {
            try await event.create(on: store.database)
        } catch {
            logger.error("Could not record audit event", metadata: ["action": .string(action.rawValue)])
        }
    }
}
