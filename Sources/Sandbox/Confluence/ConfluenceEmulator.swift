import CirrusCore
import Crypto
import Foundation
import Hummingbird

/// Atlassian OAuth 2.0 (3LO) with rotating refresh tokens, and Confluence Cloud REST through
/// the `api.atlassian.com` gateway (providers/confluence.md).
struct ConfluenceEmulator: ProviderEmulator {
    let platform = Platform.confluence
    let hosts: Set<ProviderHost> = [.atlassianAuth, .atlassianAPI, .atlassianMedia]
    let store: SandboxStore
    let authority: OAuthAuthority
    let accounts: [SandboxAccount]
    let grants = SiteGrants()
    let mediaKey = OAuthAuthority.randomToken(32)
    /// How long a just-rotated refresh token may still be presented (10 minutes at Atlassian).
    let reuseLeeway: TimeInterval

    static let accessTTL = 3600

    /// Which sites each (account, client) pair has granted: one grant covers every site added to it.
    actor SiteGrants {
        private var sites: [String: [String]] = [:]
        func add(_ cloudID: String, account: String, client: String) {
            let key = account + "|" + client
            if !(sites[key] ?? []).contains(cloudID) { sites[key, default: []].append(cloudID) }
        }
        func sites(account: String, client: String) -> [String] { sites[account + "|" + client] ?? [] }
        func reset() { sites = [:] }
    }

    func handle(_ request: SandboxRequest) async throws -> SandboxResponse {
        switch (request.host, request.path) {
        case (.atlassianAuth, "/authorize"): return await authorize(request)
        case (.atlassianAuth, "/oauth/token"): return await token(request)
        case (.atlassianMedia, let path) where path.hasPrefix("/file/"): return await ConfluenceAPI(emulator: self).media(request)
        case (.atlassianAPI, "/oauth/token/accessible-resources"): return await accessibleResources(request)
        case (.atlassianAPI, "/me"): return await me(request)
        case (.atlassianAPI, let path) where path.hasPrefix("/ex/confluence/"): return await ConfluenceAPI(emulator: self).handle(request)
        default: return .json(["code": 404, "message": "Not Found"], status: .notFound, operation: "unknown")
        }
    }

    func faultResponse(status: Int, retryAfter: Int?, request: SandboxRequest) -> SandboxResponse {
        var headers: HTTPFields = [:]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        if status == 429 {
            headers[.init("X-RateLimit-Limit")!] = "100"
            headers[.init("X-RateLimit-Remaining")!] = "0"
            headers[.init("X-RateLimit-NearLimit")!] = "true"
            headers[.init("RateLimit-Reason")!] = "confluence-quota-tenant-based"
        }
        return .json(
            [
                "errors": [
                    [
                        "status": status, "code": status == 429 ? "TOO_MANY_REQUESTS" : "INTERNAL_SERVER_ERROR",
                        "title": status == 429 ? "Too Many Requests" : "Internal Server Error", "detail": NSNull(),
                    ]
                ]
            ],
            status: HTTPResponse.Status(code: status), headers: headers, operation: "fault")
    }

    // MARK: OAuth

    private func authorize(_ request: SandboxRequest) async -> SandboxResponse {
        await EmulatedAuthorizationEndpoint(platform: platform, authority: authority, accounts: accounts, dialect: authorizeDialect).handle(request)
    }

    /// Atlassian's 3LO consent: the `api.atlassian.com` audience, a site picker whose choice is
    /// added to the grant, a refresh token with `offline_access`, and Atlassian's error pages.
    private var authorizeDialect: AuthorizeDialect {
        let grants = grants
        return AuthorizeDialect(
            providerName: "Atlassian", consentAction: { $0.base(.atlassianAuth) + "/authorize" },
            unknownClient: { _ in .page(title: "Something went wrong", detail: "Invalid client_id: the app could not be found.") },
            redirectMismatch: .page(title: "Something went wrong", detail: "The redirect_uri is not registered for this app (callback URL mismatch)."),
            validate: { params in
                guard params["audience"] == "api.atlassian.com" else {
                    return .failure(.init(refusal: .page(title: "Something went wrong", detail: "audience must be api.atlassian.com.")))
                }
                guard params["response_type"] == "code" else { return .failure(.init(refusal: .redirect([("error", "unsupported_response_type")]))) }
                guard let scope = params["scope"], !scope.isEmpty else {
                    return .failure(.init(refusal: .redirect([("error", "invalid_scope"), ("error_description", "scope is required")])))
                }
                return .success(scope.split(separator: " ").map(String.init))
            },
            answerFields: ["decision", "account", "site"],
            extraChoice: { ("site", "Use app on", ConfluenceDirectory.sites.filter(\.confluence).map { ($0.cloudID, "\($0.name).atlassian.net") }) },
            declined: [("error", "access_denied"), ("error_description", "The user did not grant access to the app.")],
            terms: { params, scopes, account, client in
                let site = params["site"].flatMap(ConfluenceDirectory.site) ?? ConfluenceDirectory.main
                await grants.add(site.cloudID, account: account.id, client: client.clientID)
                return CodeTerms(issueRefreshToken: scopes.contains("offline_access"), prefix: "")
            })
    }

    private func token(_ request: SandboxRequest) async -> SandboxResponse {
        // Documented as JSON; generic OAuth libraries send forms. Both are accepted.
        var fields: [String: String] = request.form
        if request.contentType.hasPrefix("application/json") {
            // Every field of the token request is a string; anything else counts as absent.
            guard let body = try? JSONDecoder().decode([String: OptionalString].self, from: Data(request.body)) else {
                return .json(
                    ["error": "invalid_request", "error_description": "The request body is not a JSON object."], status: .badRequest,
                    operation: "token.malformed")
            }
            fields = body.compactMapValues(\.value)
        }
        return await EmulatedTokenEndpoint(authority: authority, dialect: tokenDialect).handle(fields, basic: request.basicCredentials)
    }

    /// Atlassian's token endpoint: hour-long access tokens, refresh tokens that rotate with
    /// reuse detection after the leeway, and 403 for a refused grant.
    private var tokenDialect: TokenDialect {
        @Sendable func answer(_ status: HTTPResponse.Status, _ error: String, _ description: String, _ operation: String) -> SandboxResponse {
            .json(["error": error, "error_description": description], status: status, operation: operation)
        }
        return TokenDialect(
            accessTTL: { Self.accessTTL }, accessPrefix: "eyJraWQiOiJzYW5kYm94IiwiYWxnIjoiUlMyNTYifQ.", refreshPrefix: "eyJraWQiOiJzYW5kYm94LXJ0In0.",
            refreshPolicy: .rotatingWithReuseDetection(leeway: reuseLeeway), refreshLifetime: .init(idle: 90 * 86_400, absolute: 365 * 86_400),
            failure: { failure, operation in
                switch failure {
                case .client: answer(.unauthorized, "access_denied", "Unauthorized", operation)
                case .missingParameter(let name): answer(.badRequest, "invalid_request", "Missing required parameter: \(name)", operation)
                case .unsupportedGrantType(let type): answer(.forbidden, "unsupported_grant_type", "Unsupported grant type: \(type)", operation)
                case .grant(.refreshUnknown), .grant(.refreshRevoked), .grant(.refreshReuseDetected), .grant(.refreshExpired):
                    answer(.forbidden, "invalid_grant", "Unknown or invalid refresh token.", operation)
                case .grant(.redirectMismatch):
                    answer(.forbidden, "invalid_grant", "The redirect_uri does not match the one used to obtain the code.", operation)
                case .grant: answer(.forbidden, "invalid_grant", "Invalid authorization code", operation)
                }
            },
            success: { request, operation in .json(request.standardBody, operation: operation) })
    }

    // MARK: Gateway identity

    func grant(_ request: SandboxRequest) async -> AccessGrant? {
        guard let token = request.bearerToken else { return nil }
        return await authority.validate(token, platform: platform)
    }

    static func unauthorized(_ message: String = "Unauthorized", scopeMismatch: Bool = false) -> SandboxResponse {
        var headers: HTTPFields = [.wwwAuthenticate: "OAuth realm=\"https://api.atlassian.com\""]
        if scopeMismatch { headers[.init("X-Failure-Category")!] = "FAILURE_CLIENT_SCOPE_CHECK" }
        return .json(["code": 401, "message": message], status: .unauthorized, headers: headers, operation: "unauthorized")
    }

    private func accessibleResources(_ request: SandboxRequest) async -> SandboxResponse {
        guard let grant = await grant(request) else { return Self.unauthorized() }
        var resources: [[String: Any]] = []
        for cloudID in await grants.sites(account: grant.accountID, client: grant.clientID) {
            guard let site = ConfluenceDirectory.site(cloudID) else { continue }
            resources.append([
                "id": site.cloudID, "name": site.name, "url": site.url, "scopes": grant.scopes.filter { $0 != "offline_access" },
                "avatarUrl": "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/rocket.png",
            ])
        }
        // A Jira site granted through another flow: clients must filter by scopes, not take the first entry.
        let jira = ConfluenceDirectory.jira
        resources.append([
            "id": jira.cloudID, "name": jira.name, "url": jira.url, "scopes": ["read:jira-work", "read:jira-user"],
            "avatarUrl": "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/flag.png",
        ])
        return .json(resources.shuffled(), operation: "accessible-resources")
    }

    private func me(_ request: SandboxRequest) async -> SandboxResponse {
        guard let grant = await grant(request) else { return Self.unauthorized() }
        guard grant.scopes.contains("read:me") else { return Self.unauthorized("Unauthorized; scope does not match", scopeMismatch: true) }
        let account = accounts.first { $0.id == grant.accountID } ?? accounts[0]
        return .json(
            [
                "account_type": "atlassian", "account_id": account.id, "email": account.email, "name": account.displayName,
                "picture": "https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/default.png", "account_status": "active",
                "nickname": account.givenName.lowercased(), "zoneinfo": "Europe/Dublin", "locale": "en-GB",
                "extended_profile": ["job_title": "Head of Support", "organization": "Githaf Consulting", "department": "Support", "location": "Dublin"],
            ], operation: "me")
    }
}

/// A JSON value read as a string when it is one.
struct OptionalString: Decodable {
    let value: String?

    init(from decoder: any Decoder) throws {
        value = try? decoder.singleValueContainer().decode(String.self)
    }
}
