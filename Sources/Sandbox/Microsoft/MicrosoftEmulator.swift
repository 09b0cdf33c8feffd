import CirrusCore
import Foundation
import Hummingbird

/// The Microsoft identity platform (v2.0) and Microsoft Graph v1.0 files, as described in
/// `providers/microsoft-graph.md`.
struct MicrosoftEmulator: ProviderEmulator {
    let platform = Platform.microsoft
    let hosts: Set<ProviderHost> = [.microsoftLogin, .microsoftGraph, .sharePoint]
    let store: SandboxStore
    let authority: OAuthAuthority
    let accounts: [SandboxAccount]
    /// Sends the change notifications of Graph subscriptions.
    let webhooks: Webhooks
    /// Signs pre-authenticated download URLs.
    let downloadKey = OAuthAuthority.randomToken(32)

    func handle(_ request: SandboxRequest) async throws -> SandboxResponse {
        switch request.host {
        case .microsoftLogin: return await login(request)
        case .sharePoint: return await GraphAPI(emulator: self).preauthenticatedDownload(request)
        default: return await GraphAPI(emulator: self).handle(request)
        }
    }

    func faultResponse(status: Int, retryAfter: Int?, request: SandboxRequest) -> SandboxResponse {
        var response: SandboxResponse
        if status == 429 {
            response = GraphAPI.error(
                429, "TooManyRequests", "Please retry again later.", request: request, operation: "fault", inner: ["code": "429", "status": "429"])
        } else if status == 503 {
            response = GraphAPI.error(503, "serviceNotAvailable", "The service is temporarily unavailable.", request: request, operation: "fault")
        } else {
            response = GraphAPI.error(status, "generalException", "An unspecified error has occurred.", request: request, operation: "fault")
        }
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }

    // MARK: login.microsoftonline.com

    private func login(_ request: SandboxRequest) async -> SandboxResponse {
        let parts = request.path.split(separator: "/").map(String.init)
        guard let tenant = parts.first else {
            return .html(ConsentPage.error(providerName: "Microsoft", title: "Not found", detail: ""), status: .notFound, operation: "unknown")
        }
        let rest = parts.dropFirst().joined(separator: "/")
        switch rest {
        case "oauth2/v2.0/authorize": return await authorize(request, tenant: tenant)
        case "oauth2/v2.0/token": return await token(request, tenant: tenant)
        case "oauth2/v2.0/logout": return logout(request)
        case "v2.0/.well-known/openid-configuration": return discovery(request, tenant: tenant)
        default: return .html(ConsentPage.error(providerName: "Microsoft", title: "Not found", detail: ""), status: .notFound, operation: "unknown")
        }
    }

    static func validTenant(_ tenant: String) -> Bool {
        ["common", "organizations", "consumers", GraphDirectory.tenantID, "githafconsulting.onmicrosoft.com"].contains(tenant.lowercased())
    }

    private func authorize(_ request: SandboxRequest, tenant: String) async -> SandboxResponse {
        await EmulatedAuthorizationEndpoint(platform: platform, authority: authority, accounts: accounts, dialect: authorizeDialect(tenant: tenant))
            .handle(request)
    }

    /// The identity platform's consent under a tenant path: AADSTS error pages, PKCE needing a
    /// challenge with its method, a refresh token with `offline_access`, codes bound to the tenant.
    private func authorizeDialect(tenant: String) -> AuthorizeDialect {
        @Sendable func page(_ code: String, _ message: String) -> AuthorizeRefusal {
            .page(title: "Sign in", detail: "AADSTS\(code): \(message)")
        }
        return AuthorizeDialect(
            providerName: "Microsoft", consentAction: { $0.base(.microsoftLogin) + "/\(tenant)/oauth2/v2.0/authorize" },
            precheck: { _ in Self.validTenant(tenant) ? nil : page("90002", "Tenant '\(tenant)' not found.") },
            unknownClient: { clientID in page("700016", "Application with identifier '\(clientID ?? "")' was not found in the directory.") },
            redirectMismatch: page("50011", "The redirect URI specified in the request does not match the redirect URIs configured for the application."),
            validate: { params in
                guard params["response_type"] == "code" else {
                    return .failure(
                        .init(
                            refusal: .redirect([
                                ("error", "unsupported_response_type"),
                                ("error_description", "AADSTS70005: response_type 'token' is not enabled for the application."),
                            ])))
                }
                guard let scope = params["scope"], !scope.isEmpty else {
                    return .failure(
                        .init(
                            refusal: .redirect([
                                ("error", "invalid_request"),
                                ("error_description", "AADSTS900144: The request body must contain the following parameter: 'scope'."),
                            ])))
                }
                if params["code_challenge_method"] != nil, params["code_challenge"] == nil {
                    return .failure(
                        .init(
                            refusal: .redirect([
                                ("error", "invalid_request"), ("error_description", "AADSTS9002313: Invalid request. Request is malformed or invalid."),
                            ])))
                }
                return .success(scope.split(separator: " ").map(String.init))
            },
            declined: [("error", "access_denied"), ("error_description", "AADSTS65004: User declined to consent to access the app.")],
            terms: { params, scopes, _, _ in
                var context = ["tenant": tenant.lowercased()]
                if let nonce = params["nonce"] { context["nonce"] = nonce }
                return CodeTerms(issueRefreshToken: scopes.contains("offline_access"), prefix: "0.AXoA", context: context)
            },
            extraResult: { _, _ in [("session_state", UUID().uuidString.lowercased())] })
    }

    private func token(_ request: SandboxRequest, tenant: String) async -> SandboxResponse {
        let operation = "token.\((request.form["grant_type"] ?? "").isEmpty ? "missing" : request.form["grant_type"] ?? "")"
        guard Self.validTenant(tenant) else {
            return Self.tokenError(.badRequest, "invalid_request", 90002, "Tenant '\(tenant)' not found.", operation: operation)
        }
        guard request.contentType.hasPrefix("application/x-www-form-urlencoded") else {
            return Self.tokenError(
                .badRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.", operation: operation)
        }
        return await EmulatedTokenEndpoint(authority: authority, dialect: tokenDialect).handle(
            request.form, basic: request.basicCredentials, requiredContext: ["tenant": tenant.lowercased()])
    }

    /// Days a refresh token lives unused (Microsoft's sliding 90-day lifetime for web apps).
    static let refreshIdleDays = 90

    /// An identity-platform error: `AADSTS` code, trace and correlation ids, timestamp.
    static func tokenError(
        _ status: HTTPResponse.Status, _ error: String, _ code: Int, _ message: String, suberror: String? = nil, operation: String
    ) -> SandboxResponse {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss'Z'"
        let timestamp = formatter.string(from: Date())
        let trace = UUID().uuidString.lowercased()
        let correlation = UUID().uuidString.lowercased()
        var body: [String: Any] = [
            "error": error,
            "error_description": "AADSTS\(code): \(message)\r\nTrace ID: \(trace)\r\nCorrelation ID: \(correlation)\r\nTimestamp: \(timestamp)",
            "error_codes": [code], "timestamp": timestamp, "trace_id": trace, "correlation_id": correlation,
            "error_uri": "https://login.microsoftonline.com/error?code=\(code)",
        ]
        if let suberror { body["suberror"] = suberror }
        return .json(body, status: status, headers: [.cacheControl: "no-store, no-cache", .init("Pragma")!: "no-cache"], operation: operation)
    }

    /// The identity platform's token endpoint: JWT-looking access tokens for 60 to 90 minutes,
    /// refresh tokens that rotate (old ones stay valid), codes bound to their tenant, and AADSTS errors.
    private var tokenDialect: TokenDialect {
        let accounts = accounts
        return TokenDialect(
            accessTTL: { Int.random(in: 3600...5399) }, accessPrefix: "eyJ0eXAiOiJKV1QiLCJub25jZSI6", refreshPrefix: "0.AXoAx", refreshPolicy: .rotating,
            refreshLifetime: .init(idle: TimeInterval(Self.refreshIdleDays * 86_400)),
            failure: { failure, operation in
                switch failure {
                case .client(.unknownClient, let clientID):
                    Self.tokenError(
                        .badRequest, "unauthorized_client", 700016,
                        "Application with identifier '\(clientID ?? "")' was not found in the directory 'Githaf Consulting'.", operation: operation)
                case .client(.missingSecret, _):
                    Self.tokenError(
                        .unauthorized, "invalid_client", 7_000_218,
                        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
                        operation: operation)
                case .client:
                    Self.tokenError(
                        .unauthorized, "invalid_client", 7_000_215,
                        "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.",
                        operation: operation)
                case .missingParameter(let name):
                    Self.tokenError(
                        .badRequest, "invalid_request", 900144, "The request body must contain the following parameter: '\(name)'.", operation: operation)
                case .unsupportedGrantType(let type):
                    Self.tokenError(
                        .badRequest, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '\(type)'.", operation: operation)
                case .grant(.codeReused):
                    Self.tokenError(
                        .badRequest, "invalid_grant", 54005,
                        "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
                        operation: operation)
                case .grant(.codeExpired):
                    Self.tokenError(
                        .badRequest, "invalid_grant", 70008,
                        "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
                        operation: operation)
                case .grant(.contextMismatch):
                    Self.tokenError(
                        .badRequest, "invalid_grant", 700005, "Provided Authorization Code is intended to use against other tenant, thus rejected.",
                        operation: operation)
                case .grant(.redirectMismatch):
                    Self.tokenError(
                        .badRequest, "invalid_grant", 50148,
                        "The redirect_uri specified in the token request does not match the redirect_uri used when acquiring the authorization code.",
                        operation: operation)
                case .grant(.pkceMissingVerifier), .grant(.pkceMismatch):
                    Self.tokenError(
                        .badRequest, "invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
                        operation: operation)
                case .grant(.refreshExpired):
                    Self.tokenError(
                        .badRequest, "invalid_grant", 700_082,
                        "The refresh token has expired due to inactivity. The token was inactive for \(Self.refreshIdleDays).00:00:00.",
                        suberror: "bad_token", operation: operation)
                case .grant(.refreshRevoked), .grant(.refreshReuseDetected):
                    Self.tokenError(
                        .badRequest, "invalid_grant", 50173,
                        "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.",
                        suberror: "bad_token", operation: operation)
                case .grant:
                    Self.tokenError(.badRequest, "invalid_grant", 9_002_313, "Invalid request. Request is malformed or invalid.", operation: operation)
                }
            },
            success: { request, operation in
                let issued = request.issued
                let granted = issued.access.scopes.filter { $0 != "offline_access" } + (issued.refreshToken != nil ? ["offline_access"] : [])
                var body: [String: Any] = [
                    "token_type": "Bearer", "scope": granted.joined(separator: " "), "expires_in": issued.expiresIn,
                    "ext_expires_in": issued.expiresIn, "access_token": issued.access.token,
                ]
                if let refresh = issued.refreshToken { body["refresh_token"] = refresh }
                if let account = accounts.first(where: { $0.id == issued.access.accountID }) {
                    if issued.access.scopes.contains("openid") {
                        let nonce = request.grantType == "authorization_code" ? issued.access.context["nonce"] : nil
                        body["id_token"] = Self.idToken(account: account, clientID: request.client.clientID, nonce: nonce)
                    }
                    if request.fields["client_info"] == "1" {
                        let info = try? JSONSerialization.data(withJSONObject: ["uid": account.id, "utid": GraphDirectory.tenantID], options: [.sortedKeys])
                        body["client_info"] = (info ?? Data()).base64EncodedString().replacingOccurrences(of: "=", with: "")
                            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                    }
                }
                return .json(body, headers: [.cacheControl: "no-store, no-cache", .init("Pragma")!: "no-cache"], operation: operation)
            })
    }

    static func idToken(account: SandboxAccount, clientID: String, nonce: String?) -> String {
        let now = Int(Date().timeIntervalSince1970)
        var claims: [String: Any] = [
            "aud": clientID, "iss": "https://login.microsoftonline.com/\(GraphDirectory.tenantID)/v2.0", "tid": GraphDirectory.tenantID,
            "oid": account.id, "sub": account.id, "preferred_username": account.email, "name": account.displayName, "iat": now, "nbf": now, "exp": now + 3600,
            "ver": "2.0",
        ]
        if let nonce { claims["nonce"] = nonce }
        return OAuthAuthority.unsignedJWT(header: ["typ": "JWT", "alg": "RS256", "kid": "sandbox"], claims: claims)
    }

    private func logout(_ request: SandboxRequest) -> SandboxResponse {
        if let target = request.query["post_logout_redirect_uri"] { return .redirect(target, operation: "logout") }
        return .html("<!DOCTYPE html><p>You signed out of your account.</p>", operation: "logout")
    }

    private func discovery(_ request: SandboxRequest, tenant: String) -> SandboxResponse {
        let base = request.base(.microsoftLogin) + "/\(tenant)"
        return .json(
            [
                "issuer": "https://login.microsoftonline.com/{tenantid}/v2.0",
                "authorization_endpoint": base + "/oauth2/v2.0/authorize", "token_endpoint": base + "/oauth2/v2.0/token",
                "end_session_endpoint": base + "/oauth2/v2.0/logout", "jwks_uri": base + "/discovery/v2.0/keys",
                "response_modes_supported": ["query", "fragment", "form_post"], "response_types_supported": ["code"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "userinfo_endpoint": request.base(.microsoftGraph) + "/oidc/userinfo", "msgraph_host": "graph.microsoft.com",
                "code_challenge_methods_supported": ["plain", "S256"],
            ], operation: "discovery")
    }
}
