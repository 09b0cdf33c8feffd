import CirrusCore
import Foundation
import Hummingbird

/// Why an authorization request is refused: on a page at the provider (nothing is sent back
/// when the client or its redirect URI cannot be trusted), or as error parameters sent back to
/// the client's redirect URI (RFC 6749 §4.1.2.1).
enum AuthorizeRefusal: Sendable {
    case page(title: String, detail: String, status: HTTPResponse.Status = .badRequest)
    case redirect([(String, String)])
}

/// What a code is issued with, as the provider decides from the request.
struct CodeTerms: Sendable {
    var issueRefreshToken: Bool
    var prefix: String
    var context: [String: String] = [:]
}

/// How one provider's authorization endpoint speaks: its checks, its words, its consent page
/// and what its codes carry. The flow itself is ``EmulatedAuthorizationEndpoint``'s.
struct AuthorizeDialect: Sendable {
    /// The name on the consent and error pages.
    var providerName: String
    /// Where the consent form posts back (the authorization endpoint's own URL).
    var consentAction: @Sendable (SandboxRequest) -> String
    /// Checks before anything else (Microsoft: the tenant in the path); a refusal here is a page.
    var precheck: @Sendable ([String: String]) -> AuthorizeRefusal? = { _ in nil }
    var unknownClient: @Sendable (_ clientID: String?) -> AuthorizeRefusal
    var redirectMismatch: AuthorizeRefusal
    /// Dropbox: without a redirect URI the code is shown to the person to paste into the app.
    var redirectOptional = false
    /// The request's remaining checks (response type, scopes, PKCE method, audience…), in the
    /// provider's order; the scopes asked for when they pass.
    var validate: @Sendable (_ params: [String: String]) -> Result<[String], AuthorizeRefusalError>
    /// How the consent page lists the scopes (Google describes them in words).
    var describeScopes: @Sendable ([String]) -> [String] = { $0 }
    /// Parameters of the consent form that are the person's answers, not the client's request.
    var answerFields: Set<String> = ["decision", "account"]
    /// Another choice on the consent page (Atlassian: which site).
    var extraChoice: (@Sendable () -> (String, String, [(String, String)]))? = nil
    /// The error parameters sent back when the person declines.
    var declined: [(String, String)] = [("error", "access_denied")]
    /// What the code carries (a refresh token, its look, its context); may record the person's
    /// other answers first (Atlassian: the granted site).
    var terms: @Sendable (_ params: [String: String], _ scopes: [String], _ account: SandboxAccount, _ client: OAuthClient) async -> CodeTerms
    /// The parameters sent back with the code, besides `code` and `state`.
    var extraResult: @Sendable (_ params: [String: String], _ scopes: [String]) -> [(String, String)] = { _, _ in [] }
}

/// A refusal as an `Error`, so ``AuthorizeDialect/validate`` can return it in a `Result`.
struct AuthorizeRefusalError: Error, Sendable {
    let refusal: AuthorizeRefusal
}

/// The one emulated OAuth 2.0 authorization endpoint (RFC 6749 §4.1.1): the client and its
/// exact redirect URI, the consent page, the person's decision, and the code, with every
/// answer in the provider's ``AuthorizeDialect``.
struct EmulatedAuthorizationEndpoint: Sendable {
    let platform: Platform
    let authority: OAuthAuthority
    let accounts: [SandboxAccount]
    let dialect: AuthorizeDialect

    func handle(_ request: SandboxRequest) async -> SandboxResponse {
        // The POST from the consent form carries the original request in hidden fields.
        let isDecision = request.method == .post
        let params = isDecision ? request.form : request.query
        func page(_ refusal: AuthorizeRefusal, back: ([(String, String)]) -> SandboxResponse) -> SandboxResponse {
            switch refusal {
            case .page(let title, let detail, let status):
                .html(ConsentPage.error(providerName: dialect.providerName, title: title, detail: detail), status: status, operation: "authorize.error")
            case .redirect(let items):
                back(items)
            }
        }
        let nowhere: ([(String, String)]) -> SandboxResponse = { _ in
            .html(
                ConsentPage.error(providerName: dialect.providerName, title: "Error", detail: "The request is not valid."), status: .badRequest,
                operation: "authorize.error")
        }
        if let refusal = dialect.precheck(params) { return page(refusal, back: nowhere) }
        guard let clientID = params["client_id"], let client = await authority.client(clientID), client.platform == platform else {
            return page(dialect.unknownClient(params["client_id"]), back: nowhere)
        }
        let redirectURI = params["redirect_uri"]
        if let redirectURI, !client.redirectURIs.contains(redirectURI) { return page(dialect.redirectMismatch, back: nowhere) }
        if redirectURI == nil, !dialect.redirectOptional { return page(dialect.redirectMismatch, back: nowhere) }
        let state = params["state"]
        func back(_ items: [(String, String)]) -> SandboxResponse {
            guard let redirectURI else {
                return .html(
                    "<!DOCTYPE html><p>Enter this code into the app: <code>\(items.first { $0.0 == "code" }?.1 ?? "")</code></p>",
                    operation: "authorize.decision")
            }
            return .redirect(
                redirectURI.appendingQuery(items + (state.map { [("state", $0)] } ?? [])), operation: isDecision ? "authorize.decision" : "authorize")
        }
        let scopes: [String]
        switch dialect.validate(params) {
        case .success(let valid): scopes = valid
        case .failure(let error): return page(error.refusal, back: back)
        }
        guard isDecision else {
            let carry = request.queryItems.filter { !dialect.answerFields.contains($0.0) }
            return .html(
                ConsentPage.render(
                    .init(
                        providerName: dialect.providerName, appName: "Cirrus", scopes: dialect.describeScopes(scopes), accounts: accounts, carry: carry,
                        action: dialect.consentAction(request), extraChoice: dialect.extraChoice?())), operation: "authorize")
        }
        guard params["decision"] == "allow" else { return back(dialect.declined) }
        let account = accounts.first { $0.id == params["account"] } ?? accounts[0]
        let terms = await dialect.terms(params, scopes, account, client)
        let code = await authority.issueCode(
            client: client, redirectURI: redirectURI, scopes: scopes, accountID: account.id, challenge: params["code_challenge"],
            challengeMethod: params["code_challenge"] == nil ? nil : (params["code_challenge_method"] ?? "plain"),
            issueRefreshToken: terms.issueRefreshToken, codePrefix: terms.prefix, context: terms.context)
        return back([("code", code)] + dialect.extraResult(params, scopes))
    }
}
