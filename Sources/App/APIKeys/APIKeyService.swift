import FluentKit
import Foundation

/// A workspace's API keys: made and revoked by its admins, each recorded in the activity log.
struct APIKeyService: Sendable {
    let store: Store
    let audit: Audit

    /// What every key starts with, so a bearer is told from a sign-in token without a lookup
    /// (and secret scanners can recognise a leaked one).
    static let keyPrefix = "cirrus_"
    /// Characters of a key kept in the clear, to tell keys apart in a list.
    static let shownCharacters = keyPrefix.count + 6
    static let expiryDays = 1...3650

    /// A row of the key list; never the key itself.
    struct Summary: Sendable, Encodable, Equatable {
        let id: UUID
        let name: String
        let scope: APIKeyScope
        /// The key's first characters, e.g. `cirrus_k3Fq9x`.
        let prefix: String
        let createdBy: String
        let createdAt: Date?
        let lastUsedAt: Date?
        let expiresAt: Date?
        let expired: Bool
    }

    /// A key just made: the secret, shown once, and its row.
    struct Issued: Sendable {
        let key: String
        let summary: Summary
    }

    /// Makes a key for the admin's workspace that acts as them within `scope`.
    func create(
        name: String, scope: APIKeyScope, expiresInDays: Int?, by identity: Identity, clientAddress: String?, now: Date = Date()
    )
        async throws -> Issued
    {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(name.count), !name.contains(where: \.isNewline) else { throw APIKeyError.invalidName }
        if let days = expiresInDays, !Self.expiryDays.contains(days) { throw APIKeyError.invalidExpiry }
        let secret = Self.keyPrefix + SecureToken.make()
        let key = APIKey(
            workspaceID: identity.workspaceID, creatorID: identity.userID, name: name, scope: scope, keyHash: SecureToken.hash(secret),
            keyPrefix: String(secret.prefix(Self.shownCharacters)), expiresAt: expiresInDays.map { now.addingTimeInterval(TimeInterval($0) * 86400) })
        try await key.create(on: store.database)
        await audit.record(
            .apiKeyCreated, workspaceID: identity.workspaceID, actorID: identity.userID, actorEmail: identity.email,
            detail: "\(name) (\(scope.rawValue))", clientAddress: clientAddress)
        return Issued(key: secret, summary: Self.summary(key, creatorEmail: identity.email, now: now))
    }

    /// The workspace's keys, newest first, expired ones included (marked).
    func list(workspaceID: UUID, now: Date = Date()) async throws -> [Summary] {
        try await APIKey.query(on: store.database).filter(\.$workspace.$id == workspaceID).with(\.$creator)
            .sort(\.$createdAt, .descending).all()
            .map { Self.summary($0, creatorEmail: $0.creator.email, now: now) }
    }

    /// Revokes a key of the admin's workspace; one of another workspace is not found.
    func revoke(_ id: UUID, by identity: Identity, clientAddress: String?) async throws {
        guard let key = try await APIKey.query(on: store.database).filter(\.$id == id).filter(\.$workspace.$id == identity.workspaceID).first()
        else { throw APIKeyError.notFound }
        try await key.delete(on: store.database)
        await audit.record(
            .apiKeyRevoked, workspaceID: identity.workspaceID, actorID: identity.userID, actorEmail: identity.email,
            detail: "\(key.name) (\(key.scope.rawValue))", clientAddress: clientAddress)
    }

    /// The identity a key acts with: its creator as they are now (a demoted creator's key loses
    /// what they lost), limited to the key's scope. Notes the use at most once a minute.
    static func identity(key secret: String, on database: any Database, now: Date = Date()) async throws -> Identity? {
        guard
            let key = try await APIKey.query(on: database).filter(\.$keyHash == SecureToken.hash(secret)).with(\.$creator).first(),
            key.expiresAt.map({ $0 > now }) ?? true,
            key.creator.$workspace.id == key.$workspace.id
        else { return nil }
        let id = try key.requireID()
        if (key.lastUsedAt.map { now.timeIntervalSince($0) >= 60 }) ?? true {
            try await APIKey.query(on: database).filter(\.$id == id).set(\.$lastUsedAt, to: now).update()
        }
        return Identity(user: key.creator, method: .apiKey(id: id, scope: key.scope))
    }

    private static func summary(_ key: APIKey, creatorEmail: String, now: Date) -> Summary {
        Summary(
            id: key.id!, name: key.name, scope: key.scope, prefix: key.keyPrefix, createdBy: creatorEmail, createdAt: key.createdAt,
            lastUsedAt: key.lastUsedAt, expiresAt: key.expiresAt, expired: key.expiresAt.map { $0 <= now } ?? false)
    }
}
