import Foundation
import Hummingbird

/// Why a token request failed, for a provider to say in its own words.
enum TokenFailure: Sendable, Equatable {
    /// The client could not be authenticated (unknown, wrong or missing secret).
    case client(OAuthFailure, clientID: String?)
    /// A parameter the grant needs is absent (`code`, `redirect_uri`, `refresh_token`).
    case missingParameter(String)
    /// A `grant_type` other than `authorization_code` and `refresh_token` (empty when absent).
    case unsupportedGrantType(String)
    /// The code or refresh token was refused.
    case grant(OAuthFailure)
}

/// A token request the emulated endpoint accepted, for the provider's success body.
struct TokenRequest: Sendable {
    let fields: [String: String]
    let grantType: String
    let client: OAuthClient
    let issued: IssuedTokens

    /// The standard success body (RFC 6749 §5.1): the tokens, their lifetime, `Bearer` and the
    /// granted scopes, for a provider to add its own fields to.
    var standardBody: [String: Any] {
        var body: [String: Any] = [
            "access_token": issued.access.token, "expires_in": issued.expiresIn, "token_type": "Bearer",
            "scope": issued.access.scopes.joined(separator: " "),
        ]
        if let refresh = issued.refreshToken { body["refresh_token"] = refresh }
        return body
    }
}

/// How one provider's token endpoint speaks: the look and lifetime of its tokens and its words
/// and shapes for every answer. The flow itself is ``EmulatedTokenEndpoint``'s.
struct TokenDialect: Sendable {
    /// Seconds an access token lasts (Microsoft's varies per token).
    var accessTTL: @Sendable () -> Int
    var accessPrefix: String
    var refreshPrefix: String
    var refreshPolicy: RefreshPolicy
    var refreshLifetime: RefreshLifetime = .unlimited
    /// Google wants `redirect_uri` with every code; the others check it only when sent.
    var requiresRedirectURI = false
    /// Whether a client may leave its secret out (Dropbox's PKCE public clients).
    var allowsPublicClient: @Sendable (_ fields: [String: String], _ grantType: String) -> Bool = { _, _ in false }
    /// The provider's answer to a failure, counted under `operation`.
    var failure: @Sendable (_ failure: TokenFailure, _ operation: String) -> SandboxResponse
    /// The provider's answer with the issued tokens.
    var success: @Sendable (_ request: TokenRequest, _ operation: String) async -> SandboxResponse
}

/// The one emulated OAuth 2.0 token endpoint (RFC 6749 §4.1.3 and §6): client authentication
/// (form fields or HTTP Basic), the code and refresh grants against the ``OAuthAuthority``, and
/// every answer in the provider's ``TokenDialect``.
struct EmulatedTokenEndpoint: Sendable {
    let authority: OAuthAuthority
    let dialect: TokenDialect

    /// Answers a token request made of `fields` (the form or JSON body, already read).
    /// - Parameter requiredContext: what the code must have been issued under (Microsoft's tenant).
    func handle(_ fields: [String: String], basic: (String, String)?, requiredContext: [String: String] = [:]) async -> SandboxResponse {
        let grantType = fields["grant_type"] ?? ""
        let operation = "token.\(grantType.isEmpty ? "missing" : grantType)"
        let clientID = fields["client_id"] ?? basic?.0
        let client: OAuthClient
        do {
            client = try await authority.authenticate(
                clientID: clientID, secret: fields["client_secret"] ?? basic?.1, allowPublic: dialect.allowsPublicClient(fields, grantType))
        } catch {
            return dialect.failure(.client(error, clientID: clientID), operation)
        }
        do {
            let issued: IssuedTokens
            switch grantType {
            case "authorization_code":
                guard let code = fields["code"] else { return dialect.failure(.missingParameter("code"), operation) }
                if dialect.requiresRedirectURI, fields["redirect_uri"] == nil { return dialect.failure(.missingParameter("redirect_uri"), operation) }
                issued = try await authority.redeem(
                    code: code, client: client, redirectURI: fields["redirect_uri"], verifier: fields["code_verifier"], accessTTL: dialect.accessTTL(),
                    accessPrefix: dialect.accessPrefix, refreshPrefix: dialect.refreshPrefix, requiredContext: requiredContext)
            case "refresh_token":
                guard let refresh = fields["refresh_token"] else { return dialect.failure(.missingParameter("refresh_token"), operation) }
                issued = try await authority.refresh(
                    token: refresh, client: client, policy: dialect.refreshPolicy, lifetime: dialect.refreshLifetime, accessTTL: dialect.accessTTL(),
                    accessPrefix: dialect.accessPrefix,
                    refreshPrefix: dialect.refreshPrefix)
            default:
                return dialect.failure(.unsupportedGrantType(grantType), operation)
            }
            return await dialect.success(TokenRequest(fields: fields, grantType: grantType, client: client, issued: issued), operation)
        } catch {
            return dialect.failure(.grant(error), operation)
        }
    }
}
