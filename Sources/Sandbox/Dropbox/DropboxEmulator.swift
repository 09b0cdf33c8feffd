import CirrusCore
import Crypto
import Foundation
import Hummingbird

/// Dropbox API v2 and its OAuth 2.0 endpoints (providers/dropbox.md): RPC on api.dropboxapi.com,
/// content-download on content.dropboxapi.com, longpoll on notify.dropboxapi.com.
struct DropboxEmulator: ProviderEmulator {
    let platform = Platform.dropbox
    let hosts: Set<ProviderHost> = [.dropboxWeb, .dropboxAPI, .dropboxContent, .dropboxNotify]
    let store: SandboxStore
    let authority: OAuthAuthority
    let accounts: [SandboxAccount]

    static let accessTTL = 14400
    static let appScopes = ["account_info.read", "files.metadata.read", "files.content.read"]
    /// JSON answers use exactly this type: the official Python SDK asserts equality.
    static let json = "application/json"

    func handle(_ request: SandboxRequest) async throws -> SandboxResponse {
        switch (request.host, request.path) {
        case (.dropboxWeb, "/oauth2/authorize"): return await authorize(request)
        case (.dropboxAPI, "/oauth2/token"): return await token(request)
        case (.dropboxNotify, "/2/files/list_folder/longpoll"): return await DropboxFiles(emulator: self).longpoll(request)
        case (.dropboxAPI, let path) where path.hasPrefix("/2/"), (.dropboxContent, let path) where path.hasPrefix("/2/"):
            return await rpc(request, route: String(path.dropFirst(3)))
        default:
            return Self.badInput(route: String(request.path.dropFirst(3)), "Unknown API function: \"\(request.path)\"", status: .notFound)
        }
    }

    func faultResponse(status: Int, retryAfter: Int?, request: SandboxRequest) -> SandboxResponse {
        if status == 429 {
            var response = SandboxResponse.json(
                ["error_summary": "too_many_requests/..", "error": ["reason": [".tag": "too_many_requests"], "retry_after": retryAfter ?? 1]],
                status: .tooManyRequests, contentType: Self.json, operation: "fault")
            response.headers[.retryAfter] = String(retryAfter ?? 1)
            return response
        }
        var response = SandboxResponse.bytes(
            Array("Internal Server Error".utf8), status: HTTPResponse.Status(code: status), contentType: "text/plain; charset=utf-8", operation: "fault")
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }

    // MARK: Error channels (providers/dropbox.md §12)

    /// 400: plain text, `Error in call to API function "<route>": <reason>`.
    static func badInput(route: String, _ reason: String, status: HTTPResponse.Status = .badRequest) -> SandboxResponse {
        .bytes(
            Array("Error in call to API function \"\(route)\": \(reason)".utf8), status: status, contentType: "text/plain; charset=utf-8",
            operation: "bad_input")
    }

    /// 409: a route error with a dotted `error_summary`.
    static func routeError(_ summary: String, _ error: [String: Any], operation: String) -> SandboxResponse {
        .json(["error_summary": summary, "error": error], status: .conflict, contentType: json, operation: operation)
    }

    static func authError(_ tag: String, extra: [String: Any] = [:], operation: String) -> SandboxResponse {
        var error: [String: Any] = [".tag": tag]
        for (key, value) in extra { error[key] = value }
        return .json(["error_summary": "\(tag)/", "error": error], status: .unauthorized, contentType: json, operation: operation)
    }

    // MARK: OAuth

    private func authorize(_ request: SandboxRequest) async -> SandboxResponse {
        await EmulatedAuthorizationEndpoint(platform: platform, authority: authority, accounts: accounts, dialect: authorizeDialect).handle(request)
    }

    /// Dropbox's consent: the app's scopes when none are asked for, a redirect URI that may be
    /// left out (the code is then shown to paste), a refresh token only with
    /// `token_access_type=offline`, and Dropbox's error pages.
    private var authorizeDialect: AuthorizeDialect {
        AuthorizeDialect(
            providerName: "Dropbox", consentAction: { $0.base(.dropboxWeb) + "/oauth2/authorize" },
            unknownClient: { _ in .page(title: "Invalid client_id", detail: "The app you're trying to connect to doesn't exist (invalid client_id).") },
            redirectMismatch: .page(
                title: "Invalid redirect_uri", detail: "It must exactly match one of the redirect URIs you've pre-configured for your app (including the path)."
            ),
            redirectOptional: true,
            validate: { params in
                guard params["response_type"] == "code" else {
                    return .failure(.init(refusal: .page(title: "Invalid response_type", detail: "response_type must be \"code\".")))
                }
                if let state = params["state"], state.utf8.count > 500 {
                    return .failure(.init(refusal: .page(title: "Invalid state", detail: "state is longer than 500 bytes.")))
                }
                guard let requested = params["scope"], !requested.isEmpty else { return .success(Self.appScopes) }
                let asked = requested.split(separator: " ").map(String.init)
                guard Set(asked).isSubset(of: Set(Self.appScopes + ["openid", "email", "profile"])) else {
                    return .failure(.init(refusal: .page(title: "Invalid scope", detail: "Your app does not have the required scope.")))
                }
                return .success(asked)
            },
            declined: [("error", "access_denied"), ("error_description", "The user chose not to give your app access to their Dropbox account.")],
            terms: { params, _, _, _ in CodeTerms(issueRefreshToken: params["token_access_type"] == "offline", prefix: "") })
    }

    private func token(_ request: SandboxRequest) async -> SandboxResponse {
        await EmulatedTokenEndpoint(authority: authority, dialect: tokenDialect).handle(request.form, basic: request.basicCredentials)
    }

    /// Dropbox's token endpoint: 4-hour `sl.u.` tokens, stable refresh tokens, PKCE clients
    /// without a secret, and its own wording for every refusal.
    private var tokenDialect: TokenDialect {
        let accounts = accounts
        let json = Self.json
        @Sendable func answer(_ error: String, _ description: String, _ operation: String) -> SandboxResponse {
            .json(["error": error, "error_description": description], status: .badRequest, contentType: json, operation: operation)
        }
        return TokenDialect(
            accessTTL: { Self.accessTTL }, accessPrefix: "sl.u.", refreshPrefix: "", refreshPolicy: .stable,
            allowsPublicClient: { fields, grantType in fields["code_verifier"] != nil || grantType == "refresh_token" },
            failure: { failure, operation in
                switch failure {
                case .client: answer("invalid_client", "Invalid client_id or client_secret", operation)
                case .missingParameter("refresh_token"): answer("invalid_request", "No refresh token provided", operation)
                case .missingParameter: answer("invalid_request", "No auth code provided", operation)
                case .unsupportedGrantType: answer("unsupported_grant_type", "grant_type should be authorization_code or refresh_token", operation)
                case .grant(.refreshUnknown), .grant(.refreshRevoked), .grant(.refreshReuseDetected):
                    answer("invalid_grant", "refresh token is invalid or revoked", operation)
                case .grant(.redirectMismatch): answer("invalid_grant", "redirect_uri mismatch", operation)
                case .grant(.pkceMismatch), .grant(.pkceMissingVerifier): answer("invalid_grant", "invalid code verifier", operation)
                case .grant: answer("invalid_grant", "code doesn't exist or has expired", operation)
                }
            },
            success: { request, operation in
                let issued = request.issued
                guard request.grantType == "authorization_code" else {
                    return .json(
                        ["access_token": issued.access.token, "token_type": "bearer", "expires_in": issued.expiresIn], contentType: json, operation: operation)
                }
                let account = accounts.first { $0.id == issued.access.accountID } ?? accounts[0]
                var body: [String: Any] = [
                    "access_token": issued.access.token, "token_type": "bearer", "expires_in": issued.expiresIn,
                    "scope": issued.access.scopes.joined(separator: " "), "uid": Self.uid(account), "account_id": account.id,
                ]
                if let refresh = issued.refreshToken { body["refresh_token"] = refresh }
                return .json(body, contentType: json, operation: operation)
            })
    }

    static func uid(_ account: SandboxAccount) -> String {
        String(account.id.unicodeScalars.reduce(UInt32(2_166_136_261)) { ($0 ^ $1.value) &* 16_777_619 } % 90_000_000 + 10_000_000)
    }

    // MARK: RPC dispatch

    private func rpc(_ request: SandboxRequest, route: String) async -> SandboxResponse {
        guard let token = request.bearerToken else {
            return Self.badInput(route: route, "Must provide HTTP header \"Authorization\" or URL parameter \"authorization\".")
        }
        let grant: AccessGrant
        switch await authority.inspect(token, platform: platform) {
        case .valid(let valid): grant = valid
        case .expired: return Self.authError("expired_access_token", operation: route)
        case .invalid:
            guard token.hasPrefix("sl.") else { return Self.badInput(route: route, "The given OAuth 2 access token is malformed.") }
            return Self.authError("invalid_access_token", operation: route)
        }
        let files = DropboxFiles(emulator: self)
        let content = request.host == .dropboxContent
        switch (route, content) {
        case ("users/get_current_account", false): return currentAccount(request, grant: grant)
        case ("auth/token/revoke", false):
            await authority.revoke(token: token)
            return .json(NSNull(), contentType: Self.json, operation: route)
        case ("files/list_folder", false), ("files/list_folder/continue", false), ("files/list_folder/get_latest_cursor", false),
            ("files/get_metadata", false), ("files/search_v2", false), ("files/search/continue_v2", false):
            guard grant.scopes.contains("files.metadata.read") else { return Self.missingScope("files.metadata.read", route) }
            return await files.rpc(request, route: route)
        case ("files/download", true), ("files/export", true):
            guard grant.scopes.contains("files.content.read") else { return Self.missingScope("files.content.read", route) }
            return await files.content(request, route: route)
        default:
            return Self.badInput(route: route, "Unknown API function: \"\(route)\"", status: .notFound)
        }
    }

    static func missingScope(_ scope: String, _ route: String) -> SandboxResponse {
        authError("missing_scope", extra: ["required_scope": scope], operation: route)
    }

    private func currentAccount(_ request: SandboxRequest, grant: AccessGrant) -> SandboxResponse {
        let route = "users/get_current_account"
        // A Void route: the body is `null` or nothing; JSON content type with an empty body is refused.
        let text = String(decoding: request.body, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        if request.contentType.hasPrefix("application/json"), text.isEmpty {
            return Self.badInput(route: route, "request body: could not decode input as JSON")
        }
        guard text.isEmpty || text == "null" else { return Self.badInput(route: route, "request body: expected null, got value") }
        guard grant.scopes.contains("account_info.read") else { return Self.missingScope("account_info.read", route) }
        let account = accounts.first { $0.id == grant.accountID } ?? accounts[0]
        return .json(
            [
                "account_id": account.id,
                "name": [
                    "given_name": account.givenName, "surname": account.familyName, "familiar_name": account.givenName,
                    "display_name": account.displayName, "abbreviated_name": String(account.givenName.prefix(1) + account.familyName.prefix(1)),
                ],
                "email": account.email, "email_verified": true, "disabled": false, "country": "IE", "locale": "en",
                "referral_link": "https://db.tt/cirrusdemo", "is_paired": false, "account_type": [".tag": "business"],
                "root_info": [".tag": "user", "root_namespace_id": "3235641", "home_namespace_id": "3235641"],
            ], contentType: Self.json, operation: route)
    }
}
