import CirrusCore
import Connectors
import FluentKit
import Foundation

/// Failures of setting a workspace's webhook.
enum WebhookError: UserFacingError, Equatable {
    case invalidURL(String)

    var code: String { "invalid_webhook" }

    var safeMessage: String {
        switch self {
        case .invalidURL(let reason): reason
        }
    }

    var kind: FailureKind { .badRequest }
}

/// A workspace's outbound webhook: its address and secret, and the deliveries queued for it.
struct WebhookService: Sendable {
    let store: Store
    let vault: TokenVault
    let audit: Audit
    /// Whether loopback and private addresses may receive posts (off: only the public internet).
    let allowPrivate: Bool

    /// The settings as an admin sees them (the secret included: it is theirs to configure).
    struct Settings: Sendable, Encodable, Equatable {
        let url: String?
        let enabled: Bool
        /// The HMAC-SHA256 key of `X-Cirrus-Signature`; made when the webhook is first set.
        let secret: String?
    }

    /// A row of the delivery log.
    struct DeliveryRow: Sendable, Encodable, Equatable {
        let id: UUID
        let kind: NotificationKind
        let state: WebhookDeliveryState
        let attempts: Int
        let lastStatus: Int?
        let lastError: String?
        let createdAt: Date?
        let deliveredAt: Date?
    }

    func settings(for workspaceID: UUID) async throws -> Settings {
        guard let endpoint = try await WebhookEndpoint.query(on: store.database).filter(\.$workspace.$id == workspaceID).first() else {
            return Settings(url: nil, enabled: false, secret: nil)
        }
        return Settings(url: endpoint.url, enabled: endpoint.enabled, secret: try? vault.open(endpoint.sealedSecret))
    }

    /// Sets the address (blank: removes the webhook) and whether it is on.
    func update(url: String, enabled: Bool, by identity: Identity, clientAddress: String?) async throws -> Settings {
        let url = url.trimmingCharacters(in: .whitespaces)
        let database = store.database
        let existing = try await WebhookEndpoint.query(on: database).filter(\.$workspace.$id == identity.workspaceID).first()
        if url.isEmpty {
            try await existing?.delete(on: database)
        } else {
            try Self.check(url, allowPrivate: allowPrivate)
            let endpoint = existing ?? WebhookEndpoint()
            if existing == nil {
                endpoint.$workspace.id = identity.workspaceID
                endpoint.sealedSecret = vault.seal(SecureToken.make())
            }
            endpoint.url = url
            endpoint.enabled = enabled
            try await endpoint.save(on: database)
        }
        await audit.record(
            .webhookChanged, workspaceID: identity.workspaceID, actorID: identity.userID, actorEmail: identity.email,
            detail: url.isEmpty ? "removed" : "\(LinkPolicy.describe(url)) \(enabled ? "on" : "off")", clientAddress: clientAddress)
        return try await settings(for: identity.workspaceID)
    }

    /// The newest deliveries of the workspace.
    func deliveries(for workspaceID: UUID, limit: Int = 50) async throws -> [DeliveryRow] {
        try await WebhookDelivery.query(on: store.database).filter(\.$workspace.$id == workspaceID).sort(\.$createdAt, .descending).limit(limit).all()
            .map {
                DeliveryRow(
                    id: $0.id!, kind: $0.kind, state: $0.state, attempts: $0.attempts, lastStatus: $0.lastStatus, lastError: $0.lastError,
                    createdAt: $0.createdAt, deliveredAt: $0.deliveredAt)
            }
    }

    /// An address a webhook may have: `https` (or `http` to loopback and private addresses when
    /// they are allowed), no credentials in it, and — unless private addresses are allowed — a host
    /// that is not loopback, private or link-local when written as an address.
    static func check(_ url: String, allowPrivate: Bool) throws(WebhookError) {
        guard url.count <= 2000, let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), let host = parsed.host, !host.isEmpty else {
            throw .invalidURL("Enter the webhook's full address, e.g. https://hooks.slack.com/services/….")
        }
        guard parsed.user == nil, parsed.password == nil else { throw .invalidURL("Leave credentials out of the address; the signature proves the sender.") }
        guard scheme == "https" || (scheme == "http" && allowPrivate) else { throw .invalidURL("The webhook's address must start with https://.") }
        guard !allowPrivate else { return }
        let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let literal = name.allSatisfy { $0.isHexDigit || $0 == "." || $0 == ":" } && (name.contains(".") || name.contains(":"))
        if name == "localhost" || name.hasSuffix(".localhost")
            || (literal && !LinkPolicy.systemResolve(name).allSatisfy(LinkPolicy.isPublic))
        {
            throw .invalidURL("The webhook must post to an address on the public internet, not to this machine or a private network.")
        }
    }
}
