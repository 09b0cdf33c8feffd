import FluentKit
import Foundation
import HummingbirdBcrypt
import Logging
import NIOPosix
import Synchronization

/// Users, passwords, sessions and API tokens.
struct Accounts: Sendable {
    let store: Store
    let bcryptCost: UInt8
    let sessionLifetime: TimeInterval
    let apiTokenLifetime: TimeInterval = 30 * 86400

    /// A new session or API token: the secret goes to the client once, only its hash is kept.
    struct IssuedToken: Sendable {
        let token: String
        let csrfToken: String?
        let expiresAt: Date
    }

    // MARK: Users

    /// Creates a user in `workspaceID`, or in a new workspace named after them when `nil`.
    @discardableResult
    func createUser(
        email: String, password: String, displayName: String? = nil, role: UserRole, workspaceID: UUID? = nil
    ) async throws -> User {
        let email = email.trimmingCharacters(in: .whitespaces).lowercased()
        guard Self.isPlausibleEmail(email) else { throw AuthError.invalidInput("Enter a valid email address.") }
        try Self.checkNewPassword(password)
        let database = store.database
        if try await User.query(on: database).filter(\.$email == email).first() != nil {
            throw AuthError.invalidInput("A user with this email already exists.")
        }
        let workspace: UUID
        if let workspaceID {
            workspace = workspaceID
        } else {
            let created = Workspace(name: "Default")
            try await created.create(on: database)
            workspace = try created.requireID()
        }
        let hash = try await hashPassword(password)
        let user = User(
            workspaceID: workspace, email: email,
            displayName: displayName ?? String(email.split(separator: "@").first ?? "Admin"),
            passwordHash: hash, role: role)
        try await user.create(on: database)
        return user
    }

    /// The user with this email and password, or ``AuthError/invalidCredentials``.
    ///
    /// A password check is done even for unknown addresses, so timing does not reveal which
    /// addresses have accounts.
    func verify(email: String, password: String) async throws -> User {
        let email = email.trimmingCharacters(in: .whitespaces).lowercased()
        let user = try await User.query(on: store.database).filter(\.$email == email).first()
        let hash: String
        if let user { hash = user.passwordHash } else { hash = try await decoyHash() }
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
        guard let user, matches else { throw AuthError.invalidCredentials }
        return user
    }

    func hashPassword(_ password: String) async throws -> String {
        let cost = bcryptCost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// A bcrypt hash of a random string, checked against when the address is unknown. It has
    /// the configured cost, as new passwords do: a cheaper decoy would let timing tell unknown
    /// addresses from real ones. Made once per cost, on first use.
    func decoyHash() async throws -> String {
        let cost = bcryptCost
        if let made = Self.decoys.withLock({ $0[cost] }) { return made }
        let made = try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(SecureToken.make(), cost: cost) }
        return Self.decoys.withLock { decoys in
            if let first = decoys[cost] { return first }
            decoys[cost] = made
            return made
        }
    }

    private static let decoys = Mutex<[UInt8: String]>([:])

    static func isPlausibleEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && email.count <= 254
            && !email.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" })
    }

    // MARK: Sessions and tokens

    func startSession(for user: User, clientAddress: String?) async throws -> IssuedToken {
        let token = SecureToken.make()
        let csrf = SecureToken.make()
        let expires = Date().addingTimeInterval(sessionLifetime)
        try await BrowserSession(
            userID: try user.requireID(), tokenHash: SecureToken.hash(token), csrfToken: csrf,
            expiresAt: expires, clientAddress: clientAddress
        ).create(on: store.database)
        return IssuedToken(token: token, csrfToken: csrf, expiresAt: expires)
    }

    func issueAPIToken(for user: User, name: String = "api") async throws -> IssuedToken {
        let token = SecureToken.make()
        let expires = Date().addingTimeInterval(apiTokenLifetime)
        try await APIToken(userID: try user.requireID(), tokenHash: SecureToken.hash(token), name: name, expiresAt: expires)
            .create(on: store.database)
        return IssuedToken(token: token, csrfToken: nil, expiresAt: expires)
    }

    /// The identity behind a session cookie, if the session exists and has not expired.
    func identity(sessionToken: String) async throws -> Identity? {
        guard
            let session = try await BrowserSession.query(on: store.database)
                .filter(\.$tokenHash == SecureToken.hash(sessionToken))
                .with(\.$user)
                .first(),
            session.expiresAt > Date()
        else { return nil }
        return Identity(user: session.user, method: .session(id: try session.requireID(), csrfToken: session.csrfToken))
    }

    /// The identity behind an API bearer token, if it exists and has not expired. Notes when
    /// the token was used, at most once a minute (a write per request would cost more than it tells).
    /// An API key (``APIKeyService/keyPrefix``) is resolved by ``APIKeyService``.
    func identity(bearerToken: String, now: Date = Date()) async throws -> Identity? {
        if bearerToken.hasPrefix(APIKeyService.keyPrefix) { return try await APIKeyService.identity(key: bearerToken, on: store.database, now: now) }
        guard
            let token = try await APIToken.query(on: store.database)
                .filter(\.$tokenHash == SecureToken.hash(bearerToken))
                .with(\.$user)
                .first(),
            token.expiresAt > now
        else { return nil }
        let id = try token.requireID()
        if (token.lastUsedAt.map { now.timeIntervalSince($0) >= 60 }) ?? true {
            try await APIToken.query(on: store.database).filter(\.$id == id).set(\.$lastUsedAt, to: now).update()
        }
        return Identity(user: token.user, method: .bearer(id: id))
    }

    func endSession(id: UUID) async throws {
        try await BrowserSession.query(on: store.database).filter(\.$id == id).delete()
    }

    /// Ends every browser session of the user and revokes every API token, except `keeping`
    /// (the session or token making the request, when it should survive). Returns how many ended.
    @discardableResult
    func signOutEverywhere(userID: UUID, keeping: Identity.Method? = nil) async throws -> Int {
        let database = store.database
        var sessions = BrowserSession.query(on: database).filter(\.$user.$id == userID)
        var tokens = APIToken.query(on: database).filter(\.$user.$id == userID)
        switch keeping {
        case .session(let id, _)?: sessions = sessions.filter(\.$id != id)
        case .bearer(let id)?: tokens = tokens.filter(\.$id != id)
        case .apiKey?, nil: break
        }
        let count = try await sessions.count() + tokens.count()
        try await sessions.delete()
        try await tokens.delete()
        return count
    }

    /// The user's API tokens that have not expired, newest first.
    func apiTokens(userID: UUID) async throws -> [APIToken] {
        try await APIToken.query(on: store.database).filter(\.$user.$id == userID).filter(\.$expiresAt > Date())
            .sort(\.$createdAt, .descending).all()
    }

    /// Revokes one of the user's own API tokens; another user's id is simply not found.
    func revokeAPIToken(id: UUID, userID: UUID) async throws {
        guard try await APIToken.query(on: store.database).filter(\.$id == id).filter(\.$user.$id == userID).first() != nil else {
            throw AuthError.tokenNotFound
        }
        try await APIToken.query(on: store.database).filter(\.$id == id).delete()
    }

    func revokeAPIToken(id: UUID) async throws {
        try await APIToken.query(on: store.database).filter(\.$id == id).delete()
    }

    /// Changes the password after checking the current one. Every other session and token of
    /// the user ends (whoever knew the old password is signed out); `keeping` stays.
    func changePassword(userID: UUID, current: String, new: String, keeping: Identity.Method) async throws {
        guard let user = try await User.find(userID, on: store.database) else { throw AuthError.notSignedIn }
        let hash = user.passwordHash
        guard try await NIOThreadPool.singleton.runIfActive({ Bcrypt.verify(current, hash: hash) }) else {
            throw AuthError.wrongCurrentPassword
        }
        try Self.checkNewPassword(new, current: current)
        user.passwordHash = try await hashPassword(new)
        user.mustChangePassword = nil
        try await user.save(on: store.database)
        try await signOutEverywhere(userID: userID, keeping: keeping)
    }

    static func checkNewPassword(_ password: String, current: String? = nil) throws {
        guard password.count >= 10 else { throw AuthError.invalidInput("Use a password of at least 10 characters.") }
        guard password.count <= 1024 else { throw AuthError.invalidInput("Use a password of at most 1,024 characters.") }
        if let current, password == current { throw AuthError.invalidInput("Choose a password different from the current one.") }
    }

    /// Removes expired sessions, API tokens and OAuth states.
    func purgeExpired(now: Date = Date()) async throws {
        let database = store.database
        try await BrowserSession.query(on: database).filter(\.$expiresAt < now).delete()
        try await APIToken.query(on: database).filter(\.$expiresAt < now).delete()
        try await OAuthState.query(on: database).filter(\.$expiresAt < now).delete()
    }
}

extension Identity {
    init(user: User, method: Method) {
        self.init(
            userID: user.id!, workspaceID: user.$workspace.id, email: user.email,
            displayName: user.displayName, role: user.role, method: method, mustChangePassword: user.mustChangePassword == true)
    }
}
