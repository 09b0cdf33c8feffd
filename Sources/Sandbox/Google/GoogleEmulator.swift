import CirrusCore
import Foundation
import Hummingbird

/// Google's OAuth 2.0 web-server flow and Drive API v3, as described in `providers/google-drive.md`.
struct GoogleEmulator: ProviderEmulator {
    let platform = Platform.googleDrive
    let hosts: Set<ProviderHost> = [.googleAccounts, .googleOAuth, .googleAPIs, .googleDocs]
    let store: SandboxStore
    let authority: OAuthAuthority
    let accounts: [SandboxAccount]
    let exportLimitBytes: Int
    /// Where `changes.watch` channels live and are notified from.
    let webhooks: Webhooks

    static let accessTTL = 3599

    func handle(_ request: SandboxRequest) async throws -> SandboxResponse {
        switch (request.host, request.path) {
        case (.googleAccounts, "/o/oauth2/v2/auth"), (.googleAccounts, "/o/oauth2/auth"):
            return await authorize(request)
        case (.googleAccounts, "/.well-known/openid-configuration"):
            return discovery(request)
        case (.googleOAuth, "/token"), (.googleAPIs, "/oauth2/v4/token"), (.googleAccounts, "/o/oauth2/token"):
            return await token(request)
        case (.googleOAuth, "/revoke"):
            return await revoke(request)
        case (.googleAPIs, "/oauth2/v3/userinfo"), (.googleAPIs, "/oauth2/v2/userinfo"):
            return await userinfo(request)
        case (.googleAPIs, let path) where path.hasPrefix("/drive/v3/"):
            return await GoogleDriveAPI(emulator: self).handle(request)
        case (.googleDocs, let path) where path.hasPrefix("/feeds/download/"):
            return await GoogleDriveAPI(emulator: self).exportLink(request)
        default:
            return GoogleErrors.envelope(404, reason: "notFound", message: "Not Found", operation: "unknown")
        }
    }

    func faultResponse(status: Int, retryAfter: Int?, request: SandboxRequest) -> SandboxResponse {
        var response: SandboxResponse
        switch status {
        case 429: response = GoogleErrors.envelope(429, reason: "rateLimitExceeded", message: "Rate Limit Exceeded", domain: "usageLimits", operation: "fault")
        case 503: response = GoogleErrors.envelope(503, reason: "backendError", message: "The service is currently unavailable.", operation: "fault")
        default: response = GoogleErrors.envelope(status, reason: "backendError", message: "Backend Error", operation: "fault")
        }
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }

    // MARK: Authorization endpoint

    private func authorize(_ request: SandboxRequest) async -> SandboxResponse {
        await EmulatedAuthorizationEndpoint(platform: platform, authority: authority, accounts: accounts, dialect: authorizeDialect).handle(request)
    }

    /// Google's consent: `email`/`profile` reported as their userinfo URLs, scopes described in
    /// words, a refresh token only for offline access on the first consent or with
    /// `prompt=consent`, and Google's error pages.
    private var authorizeDialect: AuthorizeDialect {
        let authority = authority
        let platform = platform
        return AuthorizeDialect(
            providerName: "Google", consentAction: { $0.base(.googleAccounts) + "/o/oauth2/v2/auth" },
            unknownClient: { _ in .page(title: "Error 401: invalid_client", detail: "The OAuth client was not found.", status: .unauthorized) },
            redirectMismatch: .page(
                title: "Error 400: redirect_uri_mismatch",
                detail:
                    "You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy. The redirect URI in the request does not match the ones authorized for the OAuth client."
            ),
            validate: { params in
                guard params["response_type"] == "code" else { return .failure(.init(refusal: .redirect([("error", "unsupported_response_type")]))) }
                guard let scope = params["scope"], !scope.isEmpty else {
                    return .failure(.init(refusal: .redirect([("error", "invalid_request"), ("error_description", "Missing required parameter: scope")])))
                }
                if let method = params["code_challenge_method"], method != "S256", method != "plain" {
                    return .failure(.init(refusal: .redirect([("error", "invalid_request"), ("error_description", "Invalid code_challenge_method")])))
                }
                return .success(Self.expand(scope.split(separator: " ").map(String.init)))
            },
            describeScopes: { $0.map(Self.describe) },
            terms: { params, _, account, client in
                let offline = params["access_type"] == "offline"
                let prompted = (params["prompt"] ?? "").split(separator: " ").contains("consent")
                let firstConsent = !(await authority.hasConsented(platform: platform, accountID: account.id, clientID: client.clientID))
                return CodeTerms(issueRefreshToken: offline && (prompted || firstConsent), prefix: "4/0A")
            },
            extraResult: { params, scopes in
                let prompted = (params["prompt"] ?? "").split(separator: " ").contains("consent")
                return [("scope", scopes.joined(separator: " ")), ("authuser", "0"), ("prompt", prompted ? "consent" : "none")]
            })
    }

    /// Google reports `email`/`profile` as the userinfo URLs.
    static func expand(_ scopes: [String]) -> [String] {
        scopes.map {
            switch $0 {
            case "email": "https://www.googleapis.com/auth/userinfo.email"
            case "profile": "https://www.googleapis.com/auth/userinfo.profile"
            default: $0
            }
        }
    }

    static func describe(_ scope: String) -> String {
        switch scope {
        case "https://www.googleapis.com/auth/drive.readonly": "See and download all your Google Drive files"
        case "https://www.googleapis.com/auth/drive.metadata.readonly": "See information about your Google Drive files"
        case "https://www.googleapis.com/auth/drive": "See, edit, create, and delete all of your Google Drive files"
        case "https://www.googleapis.com/auth/userinfo.email": "See your primary Google Account email address"
        case "https://www.googleapis.com/auth/userinfo.profile": "See your personal info"
        case "openid": "Associate you with your personal info on Google"
        default: scope
        }
    }

    private func discovery(_ request: SandboxRequest) -> SandboxResponse {
        .json(
            [
                "issuer": "https://accounts.google.com",
                "authorization_endpoint": request.base(.googleAccounts) + "/o/oauth2/v2/auth",
                "token_endpoint": request.base(.googleOAuth) + "/token",
                "userinfo_endpoint": request.base(.googleAPIs) + "/oauth2/v3/userinfo",
                "revocation_endpoint": request.base(.googleOAuth) + "/revoke",
                "response_types_supported": ["code"],
                "scopes_supported": ["openid", "email", "profile"],
                "code_challenge_methods_supported": ["plain", "S256"],
                "grant_types_supported": ["authorization_code", "refresh_token"],
            ], pretty: true, operation: "discovery")
    }

    // MARK: Token endpoint

    private func token(_ request: SandboxRequest) async -> SandboxResponse {
        await EmulatedTokenEndpoint(authority: authority, dialect: tokenDialect).handle(request.form, basic: request.basicCredentials)
    }

    /// Google's token endpoint: `ya29.` access tokens for an hour, stable `1//` refresh tokens,
    /// an id_token for openid, `redirect_uri` required with every code, and Google's wording.
    private var tokenDialect: TokenDialect {
        let accounts = accounts
        @Sendable func answer(_ status: HTTPResponse.Status, _ error: String, _ description: String, _ operation: String) -> SandboxResponse {
            .json(["error": error, "error_description": description], status: status, pretty: true, headers: Self.noStore, operation: operation)
        }
        return TokenDialect(
            accessTTL: { Self.accessTTL }, accessPrefix: "ya29.a0", refreshPrefix: "1//0g", refreshPolicy: .stable,
            refreshLifetime: .init(idle: 183 * 86_400), requiresRedirectURI: true,
            failure: { failure, operation in
                switch failure {
                case .client(.unknownClient, _): answer(.unauthorized, "invalid_client", "The OAuth client was not found.", operation)
                case .client: answer(.unauthorized, "invalid_client", "Unauthorized", operation)
                case .missingParameter("redirect_uri"): answer(.badRequest, "invalid_request", "Missing parameter: redirect_uri", operation)
                case .missingParameter(let name): answer(.badRequest, "invalid_request", "Missing required parameter: \(name)", operation)
                case .unsupportedGrantType(let type): answer(.badRequest, "unsupported_grant_type", "Invalid grant_type: \(type)", operation)
                case .grant(.codeReused): answer(.badRequest, "invalid_grant", "Code was already redeemed.", operation)
                case .grant(.redirectMismatch): answer(.badRequest, "redirect_uri_mismatch", "Bad Request", operation)
                case .grant(.pkceMissingVerifier): answer(.badRequest, "invalid_grant", "Missing code verifier.", operation)
                case .grant(.pkceMismatch): answer(.badRequest, "invalid_grant", "Invalid code verifier.", operation)
                case .grant(.refreshRevoked), .grant(.refreshReuseDetected), .grant(.refreshExpired):
                    answer(.badRequest, "invalid_grant", "Token has been expired or revoked.", operation)
                case .grant: answer(.badRequest, "invalid_grant", "Bad Request", operation)
                }
            },
            success: { request, operation in
                let issued = request.issued
                var body = request.standardBody
                if issued.access.scopes.contains("openid"), let account = accounts.first(where: { $0.id == issued.access.accountID }) {
                    body["id_token"] = Self.idToken(account: account, clientID: request.client.clientID)
                }
                return .json(body, pretty: true, headers: Self.noStore, operation: operation)
            })
    }

    static let noStore: HTTPFields = [.cacheControl: "no-cache, no-store, max-age=0, must-revalidate", .init("Pragma")!: "no-cache"]

    /// An id_token shaped like Google's (RS256 header, standard claims). Its signature is not
    /// verifiable: clients here read identity from userinfo or Drive's `about`.
    static func idToken(account: SandboxAccount, clientID: String) -> String {
        let now = Int(Date().timeIntervalSince1970)
        let claims: [String: Any] = [
            "iss": "https://accounts.google.com", "aud": clientID, "azp": clientID, "sub": account.id, "email": account.email,
            "email_verified": true, "name": account.displayName, "given_name": account.givenName, "family_name": account.familyName,
            "iat": now, "exp": now + 3600,
        ]
        return OAuthAuthority.unsignedJWT(header: ["alg": "RS256", "kid": "sandbox", "typ": "JWT"], claims: claims)
    }

    // MARK: Revocation and identity

    private func revoke(_ request: SandboxRequest) async -> SandboxResponse {
        guard request.method == .post else {
            return .json(["error": "invalid_request", "error_description": "Method not allowed"], status: .notFound, operation: "revoke")
        }
        let token = request.form["token"] ?? request.query["token"] ?? ""
        if await authority.revoke(token: token) {
            return .json([String: Any](), operation: "revoke")
        }
        return .json(["error": "invalid_token", "error_description": "Token expired or revoked"], status: .badRequest, operation: "revoke")
    }

    private func userinfo(_ request: SandboxRequest) async -> SandboxResponse {
        guard let token = request.bearerToken, let grant = await authority.validate(token, platform: platform),
            let account = accounts.first(where: { $0.id == grant.accountID })
        else {
            return .json(["error": "invalid_request", "error_description": "Invalid Credentials"], status: .unauthorized, operation: "userinfo")
        }
        if request.path.hasPrefix("/oauth2/v2") {
            return .json(
                [
                    "id": account.id, "email": account.email, "verified_email": true, "name": account.displayName,
                    "given_name": account.givenName, "family_name": account.familyName, "hd": "githafconsulting.com",
                ], pretty: true, operation: "userinfo")
        }
        return .json(
            [
                "sub": account.id, "email": account.email, "email_verified": true, "name": account.displayName,
                "given_name": account.givenName, "family_name": account.familyName, "hd": "githafconsulting.com",
            ], pretty: true, operation: "userinfo")
    }
}

/// Google's JSON error envelope (providers/google-drive.md §6.1).
enum GoogleErrors {
    static func envelope(
        _ code: Int, reason: String, message: String, domain: String = "global", location: String? = nil,
        locationType: String? = nil, status: String? = nil, topMessage: String? = nil, headers: HTTPFields = [:],
        operation: String
    ) -> SandboxResponse {
        var detail: [String: Any] = ["message": message, "domain": domain, "reason": reason]
        if let location { detail["location"] = location }
        if let locationType { detail["locationType"] = locationType }
        var error: [String: Any] = ["code": code, "message": topMessage ?? message, "errors": [detail]]
        if let status { error["status"] = status }
        return .json(
            ["error": error], status: HTTPResponse.Status(code: code), pretty: true, headers: headers, operation: operation)
    }

    static func unauthenticated(operation: String) -> SandboxResponse {
        envelope(
            401, reason: "authError", message: "Invalid Credentials", location: "Authorization", locationType: "header",
            status: "UNAUTHENTICATED",
            topMessage:
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
            headers: [.wwwAuthenticate: "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\""],
            operation: operation)
    }

    static func unregistered(operation: String) -> SandboxResponse {
        envelope(
            403, reason: "forbidden",
            message:
                "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
            status: "PERMISSION_DENIED", operation: operation)
    }

    static func notFound(_ fileID: String, operation: String) -> SandboxResponse {
        envelope(404, reason: "notFound", message: "File not found: \(fileID).", location: "fileId", locationType: "parameter", operation: operation)
    }

    static func insufficientScopes(operation: String) -> SandboxResponse {
        envelope(
            403, reason: "insufficientPermissions", message: "Insufficient Permission", status: "PERMISSION_DENIED",
            topMessage: "Request had insufficient authentication scopes.", operation: operation)
    }

    static func invalid(_ location: String, message: String = "Invalid Value", operation: String) -> SandboxResponse {
        envelope(400, reason: "invalid", message: message, location: location, locationType: "parameter", operation: operation)
    }
}
