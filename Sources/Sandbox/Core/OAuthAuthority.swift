import CirrusCore
import Crypto
import Foundation

/// A person who can sign in at an emulated provider and grant access.
public struct SandboxAccount: Sendable, Equatable {
    public var id: String
    public var email: String
    public var displayName: String
    public var givenName: String
    public var familyName: String

    public init(id: String, email: String, displayName: String, givenName: String, familyName: String) {
        self.id = id
        self.email = email
        self.displayName = displayName
        self.givenName = givenName
        self.familyName = familyName
    }
}

/// An OAuth client registered with an emulated provider: its secret and exact redirect URIs.
public struct OAuthClient: Sendable, Equatable {
    public var platform: Platform
    public var clientID: String
    public var clientSecret: String
    public var redirectURIs: [String]

    public init(platform: Platform, clientID: String, clientSecret: String, redirectURIs: [String]) {
        self.platform = platform
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.redirectURIs = redirectURIs
    }
}

/// How a provider treats refresh tokens.
public enum RefreshPolicy: Sendable {
    /// Google, Dropbox: the refresh token never changes; refresh responses carry none.
    case stable
    /// Microsoft: every refresh returns a new token; earlier ones stay valid.
    case rotating
    /// Atlassian: every refresh returns a new token and retires the one presented; presenting a
    /// retired token after `leeway` revokes the whole family.
    case rotatingWithReuseDetection(leeway: TimeInterval)
}

/// How long a provider's refresh tokens live (`nil`: no limit of that kind).
public struct RefreshLifetime: Sendable {
    /// Dies unused this long (Google: six months; Microsoft, Atlassian: 90 days); each refresh
    /// starts it again.
    public var idle: TimeInterval?
    /// Dies this long after the grant, however used (Atlassian: 365 days).
    public var absolute: TimeInterval?

    public init(idle: TimeInterval? = nil, absolute: TimeInterval? = nil) {
        (self.idle, self.absolute) = (idle, absolute)
    }

    /// Dropbox: long-lived refresh tokens end only when revoked.
    public static let unlimited = RefreshLifetime()
}

/// Why a token request failed, before a provider renders it in its own words.
public enum OAuthFailure: Error, Equatable, Sendable {
    case unknownClient
    case wrongSecret
    case missingSecret
    case missingParameter(String)
    case unsupportedGrantType(String)
    case codeUnknown
    case codeExpired
    case codeReused
    case redirectMismatch
    case pkceMissingVerifier
    case pkceMismatch
    case refreshUnknown
    case refreshRevoked
    case refreshReuseDetected
    /// Unused too long, or past the grant's absolute end (``RefreshLifetime``).
    case refreshExpired
    /// The code was issued under another context (Microsoft: another tenant path).
    case contextMismatch
}

/// An access token the sandbox issued.
public struct AccessGrant: Sendable {
    public var token: String
    public var platform: Platform
    public var accountID: String
    public var clientID: String
    public var scopes: [String]
    public var expiresAt: Date
    public var familyID: String
    /// Microsoft's tenant path, Atlassian's granted sites.
    public var context: [String: String]
}

/// The result of a successful token request.
public struct IssuedTokens: Sendable {
    public var access: AccessGrant
    public var refreshToken: String?
    public var expiresIn: Int
}

/// Authorization codes, access and refresh tokens for all four emulated providers.
///
/// One actor owns the whole token state so expiry, rotation and revocation are consistent no
/// matter how many requests race; the provider front-ends only translate wire formats.
public actor OAuthAuthority {
    struct PendingCode {
        var clientID: String
        var platform: Platform
        var redirectURI: String?
        var scopes: [String]
        var accountID: String
        var challenge: String?
        var challengeMethod: String?
        var issueRefreshToken: Bool
        var expiresAt: Date
        var redeemed: Bool
        var familyID: String?
        var context: [String: String]
    }

    struct RefreshRecord {
        var platform: Platform
        var clientID: String
        var accountID: String
        var scopes: [String]
        var familyID: String
        var context: [String: String]
        /// When it was rotated away (Atlassian) — reuse after the leeway kills the family.
        var retiredAt: Date?
        /// When the grant was made (the absolute lifetime counts from here) and when this token
        /// was last issued or used (the idle lifetime counts from here).
        var grantedAt: Date
        var usedAt: Date
    }

    private var clients: [String: OAuthClient] = [:]
    private var codes: [String: PendingCode] = [:]
    private var accessTokens: [String: AccessGrant] = [:]
    private var refreshTokens: [String: RefreshRecord] = [:]
    private var revokedFamilies: Set<String> = []
    /// (platform, account, client) pairs that have consented before, for Google's "refresh token
    /// only on first consent or prompt=consent" rule.
    private var consented: Set<String> = []
    private var counter = 0
    private let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
    }

    // MARK: Clients

    public func register(_ client: OAuthClient) {
        clients[client.clientID] = client
    }

    public func client(_ clientID: String) -> OAuthClient? {
        clients[clientID]
    }

    public func allClients() -> [OAuthClient] {
        Array(clients.values)
    }

    /// Checks client credentials; `secret == nil` is allowed only when `allowPublic` (PKCE clients).
    public func authenticate(clientID: String?, secret: String?, allowPublic: Bool = false) throws(OAuthFailure) -> OAuthClient {
        guard let clientID, let client = clients[clientID] else { throw .unknownClient }
        guard let secret else {
            if allowPublic { return client }
            throw .missingSecret
        }
        guard secret == client.clientSecret else { throw .wrongSecret }
        return client
    }

    // MARK: Codes

    /// Whether the account has consented to this client before (Google's refresh-token rule).
    public func hasConsented(platform: Platform, accountID: String, clientID: String) -> Bool {
        consented.contains("\(platform.rawValue)|\(accountID)|\(clientID)")
    }

    public func issueCode(
        client: OAuthClient, redirectURI: String?, scopes: [String], accountID: String, challenge: String?,
        challengeMethod: String?, issueRefreshToken: Bool, codePrefix: String, context: [String: String] = [:]
    ) -> String {
        consented.insert("\(client.platform.rawValue)|\(accountID)|\(client.clientID)")
        let code = codePrefix + Self.randomToken(32)
        codes[code] = PendingCode(
            clientID: client.clientID, platform: client.platform, redirectURI: redirectURI, scopes: scopes,
            accountID: accountID, challenge: challenge, challengeMethod: challengeMethod,
            issueRefreshToken: issueRefreshToken, expiresAt: now().addingTimeInterval(600), redeemed: false,
            familyID: nil, context: context)
        return code
    }

    /// Redeems a code once. A second redemption fails and, as RFC 6749 §4.1.2 advises, revokes
    /// the tokens issued from the first.
    public func redeem(
        code: String, client: OAuthClient, redirectURI: String?, verifier: String?, accessTTL: Int,
        accessPrefix: String, refreshPrefix: String, requiredContext: [String: String] = [:]
    ) throws(OAuthFailure) -> IssuedTokens {
        guard var pending = codes[code], pending.platform == client.platform else { throw .codeUnknown }
        guard pending.clientID == client.clientID else { throw .codeUnknown }
        for (key, value) in requiredContext where pending.context[key] != value { throw .contextMismatch }
        if pending.redeemed {
            if let family = pending.familyID { revokedFamilies.insert(family) }
            throw .codeReused
        }
        guard pending.expiresAt > now() else { throw .codeExpired }
        guard pending.redirectURI == redirectURI || (pending.redirectURI == nil && redirectURI == nil) else {
            throw .redirectMismatch
        }
        if let challenge = pending.challenge {
            guard let verifier else { throw .pkceMissingVerifier }
            let computed = (pending.challengeMethod ?? "plain").uppercased() == "S256" ? Self.s256(verifier) : verifier
            guard computed == challenge else { throw .pkceMismatch }
        }
        let family = Self.randomToken(12)
        pending.redeemed = true
        pending.familyID = family
        codes[code] = pending
        let access = mintAccess(
            platform: client.platform, accountID: pending.accountID, clientID: client.clientID, scopes: pending.scopes,
            ttl: accessTTL, familyID: family, prefix: accessPrefix, context: pending.context)
        var refresh: String?
        if pending.issueRefreshToken {
            let token = refreshPrefix + Self.randomToken(40)
            refreshTokens[token] = RefreshRecord(
                platform: client.platform, clientID: client.clientID, accountID: pending.accountID, scopes: pending.scopes,
                familyID: family, context: pending.context, grantedAt: now(), usedAt: now())
            refresh = token
        }
        return IssuedTokens(access: access, refreshToken: refresh, expiresIn: accessTTL)
    }

    // MARK: Refresh

    public func refresh(
        token: String, client: OAuthClient, policy: RefreshPolicy, lifetime: RefreshLifetime = .unlimited, accessTTL: Int, accessPrefix: String,
        refreshPrefix: String
    ) throws(OAuthFailure) -> IssuedTokens {
        guard var record = refreshTokens[token], record.platform == client.platform, record.clientID == client.clientID else {
            throw .refreshUnknown
        }
        guard !revokedFamilies.contains(record.familyID) else { throw .refreshRevoked }
        if let idle = lifetime.idle, now().timeIntervalSince(record.usedAt) > idle { throw .refreshExpired }
        if let absolute = lifetime.absolute, now().timeIntervalSince(record.grantedAt) > absolute { throw .refreshExpired }
        record.usedAt = now()
        refreshTokens[token]?.usedAt = record.usedAt
        var newRefresh: String?
        switch policy {
        case .stable:
            break
        case .rotating:
            newRefresh = refreshPrefix + Self.randomToken(40)
        case .rotatingWithReuseDetection(let leeway):
            if let retiredAt = record.retiredAt {
                if now().timeIntervalSince(retiredAt) > leeway {
                    revokedFamilies.insert(record.familyID)
                    throw .refreshReuseDetected
                }
            } else {
                record.retiredAt = now()
                refreshTokens[token] = record
            }
            newRefresh = refreshPrefix + Self.randomToken(40)
        }
        if let newRefresh {
            var successor = record
            successor.retiredAt = nil
            refreshTokens[newRefresh] = successor
        }
        let access = mintAccess(
            platform: record.platform, accountID: record.accountID, clientID: record.clientID, scopes: record.scopes,
            ttl: accessTTL, familyID: record.familyID, prefix: accessPrefix, context: record.context)
        return IssuedTokens(access: access, refreshToken: newRefresh, expiresIn: accessTTL)
    }

    // MARK: Access

    /// The live grant behind a bearer token, or `nil` if unknown, expired or revoked.
    public func validate(_ token: String, platform: Platform) -> AccessGrant? {
        guard let grant = accessTokens[token], grant.platform == platform, grant.expiresAt > now(),
            !revokedFamilies.contains(grant.familyID)
        else { return nil }
        return grant
    }

    /// Why a bearer token is or is not usable, for providers that answer expiry differently from revocation.
    public enum AccessCheck: Sendable {
        case valid(AccessGrant)
        case expired
        case invalid
    }

    public func inspect(_ token: String, platform: Platform) -> AccessCheck {
        guard let grant = accessTokens[token], grant.platform == platform, !revokedFamilies.contains(grant.familyID) else { return .invalid }
        return grant.expiresAt > now() ? .valid(grant) : .expired
    }

    /// Revokes the grant (access and refresh tokens) that `token` — either kind — belongs to.
    @discardableResult
    public func revoke(token: String) -> Bool {
        if let grant = accessTokens[token] {
            revokedFamilies.insert(grant.familyID)
            return true
        }
        if let record = refreshTokens[token] {
            revokedFamilies.insert(record.familyID)
            return true
        }
        return false
    }

    /// Control API: makes every access token of a platform (or all) expire now.
    public func expireAccessTokens(platform: Platform?) -> Int {
        var count = 0
        for (token, grant) in accessTokens where platform == nil || grant.platform == platform {
            accessTokens[token]?.expiresAt = now().addingTimeInterval(-1)
            count += 1
        }
        return count
    }

    /// Control API: revokes every grant of a platform (or all), as a user removing the app would.
    public func revokeAll(platform: Platform?) -> Int {
        var families: Set<String> = []
        for grant in accessTokens.values where platform == nil || grant.platform == platform { families.insert(grant.familyID) }
        for record in refreshTokens.values where platform == nil || record.platform == platform { families.insert(record.familyID) }
        revokedFamilies.formUnion(families)
        return families.count
    }

    public func reset() {
        codes = [:]
        accessTokens = [:]
        refreshTokens = [:]
        revokedFamilies = []
        consented = []
    }

    private func mintAccess(
        platform: Platform, accountID: String, clientID: String, scopes: [String], ttl: Int, familyID: String, prefix: String,
        context: [String: String]
    ) -> AccessGrant {
        let grant = AccessGrant(
            token: prefix + Self.randomToken(48), platform: platform, accountID: accountID, clientID: clientID, scopes: scopes,
            expiresAt: now().addingTimeInterval(TimeInterval(ttl)), familyID: familyID, context: context)
        accessTokens[grant.token] = grant
        return grant
    }

    // MARK: Helpers

    static func randomToken(_ length: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        return String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
    }

    /// BASE64URL(SHA256(verifier)) without padding (RFC 7636 §4.2).
    public static func s256(_ verifier: String) -> String { PKCE.challenge(for: verifier) }

    /// A JWT-shaped token (header.claims.signature) whose signature is random: emulated ID
    /// tokens carry real claims, but no client here verifies provider signatures.
    static func unsignedJWT(header: [String: Any], claims: [String: Any]) -> String {
        func segment(_ object: [String: Any]) -> String { Base64URL.encodeUnpadded(FastJSON.data(object, pretty: false)) }
        return segment(header) + "." + segment(claims) + "." + randomToken(86)
    }
}
