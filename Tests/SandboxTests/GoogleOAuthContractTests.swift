import CirrusCore
import Foundation
import Testing

@testable import Sandbox

/// Google's OAuth 2.0 web-server flow, checked against providers/google-drive.md §1.
@Suite("Google OAuth contract")
struct GoogleOAuthContractTests {
    static let client = DemoClients.client(for: .googleDrive, redirectURIs: [])
    static let redirectURI = SandboxHarness.redirectURI(.googleDrive)
    static let driveScope = "https://www.googleapis.com/auth/drive.readonly"

    /// Walks the consent page like a browser: GET the authorization URL, POST the form with a decision.
    static func authorize(
        _ harness: SandboxHarness, extra: [(String, String)] = [], decision: String = "allow",
        verifier: String? = "verifier-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG"
    ) async throws -> [String: String] {
        var params: [(String, String)] = [
            ("client_id", client.clientID), ("redirect_uri", redirectURI), ("response_type", "code"),
            ("scope", "openid email profile \(driveScope)"), ("access_type", "offline"), ("prompt", "consent"),
            ("include_granted_scopes", "true"), ("state", "state-123"),
        ]
        if let verifier { params += [("code_challenge", OAuthAuthority.s256(verifier)), ("code_challenge_method", "S256")] }
        params += extra
        let page = try await harness.get(harness.url(.googleAccounts, "/o/oauth2/v2/auth?" + SandboxHarness.encode(params)))
        #expect(page.status == 200)
        #expect(page.text.contains(#"name="decision" value="allow""#))
        #expect(page.text.contains(#"name="decision" value="deny""#))
        let fields = SandboxHarness.hiddenFields(in: page.text) + [("account", SandboxAccounts.all[.googleDrive]![0].id), ("decision", decision)]
        let decisionReply = try await harness.form(harness.url(.googleAccounts, "/o/oauth2/v2/auth"), fields)
        #expect(decisionReply.status == 302)
        let location = try #require(decisionReply.header("Location"))
        #expect(location.hasPrefix(redirectURI + "?"))
        return SandboxHarness.query(of: location)
    }

    static func exchange(
        _ harness: SandboxHarness, code: String, verifier: String? = "verifier-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG",
        secret: String = client.clientSecret, redirect: String = redirectURI
    ) async throws -> SandboxHarness.Reply {
        var fields = [
            ("code", code), ("client_id", client.clientID), ("client_secret", secret), ("redirect_uri", redirect), ("grant_type", "authorization_code"),
        ]
        if let verifier { fields.append(("code_verifier", verifier)) }
        return try await harness.form(harness.url(.googleOAuth, "/token"), fields)
    }

    @Test("consent, code and token exchange: the documented success shapes")
    func fullFlow() async throws {
        try await SandboxHarness.run { harness in
            // when
            let redirect = try await Self.authorize(harness)
            // then: code starting 4/, echoed state, expanded scopes, authuser
            let code = try #require(redirect["code"])
            #expect(code.hasPrefix("4/"))
            #expect(redirect["state"] == "state-123")
            #expect(redirect["scope"]?.contains("https://www.googleapis.com/auth/userinfo.email") == true)
            #expect(redirect["authuser"] == "0")
            let token = try await Self.exchange(harness, code: code)
            #expect(token.status == 200)
            #expect(token.header("Cache-Control")?.contains("no-store") == true)
            #expect(token.header("Content-Type") == "application/json; charset=UTF-8")
            let body = token.json
            #expect((body["access_token"] as? String)?.hasPrefix("ya29.") == true)
            #expect((body["refresh_token"] as? String)?.hasPrefix("1//") == true)
            #expect(body["expires_in"] as? Int == 3599)
            #expect(body["token_type"] as? String == "Bearer")
            #expect((body["scope"] as? String)?.split(separator: " ").contains(Substring(Self.driveScope)) == true)
            #expect(body["id_token"] is String)
            // and userinfo names the account
            let info = try await harness.get(harness.url(.googleAPIs, "/oauth2/v3/userinfo"), token: body["access_token"] as? String)
            #expect(info.json["email"] as? String == "sarah@githafconsulting.com")
        }
    }

    @Test("a code works once: reuse is invalid_grant \"Code was already redeemed.\"")
    func codeReuse() async throws {
        try await SandboxHarness.run { harness in
            let code = try #require(try await Self.authorize(harness)["code"])
            #expect(try await Self.exchange(harness, code: code).status == 200)
            let again = try await Self.exchange(harness, code: code)
            #expect(again.status == 400)
            #expect(again.json["error"] as? String == "invalid_grant")
            #expect(again.json["error_description"] as? String == "Code was already redeemed.")
        }
    }

    @Test("PKCE: a wrong or missing verifier is refused")
    func pkce() async throws {
        try await SandboxHarness.run { harness in
            let code = try #require(try await Self.authorize(harness)["code"])
            let wrong = try await Self.exchange(harness, code: code, verifier: "another-verifier-another-verifier-another-verifier-x")
            #expect(wrong.status == 400)
            #expect(wrong.json["error"] as? String == "invalid_grant")
            let code2 = try #require(try await Self.authorize(harness)["code"])
            let missing = try await Self.exchange(harness, code: code2, verifier: nil)
            #expect(missing.json["error"] as? String == "invalid_grant")
        }
    }

    @Test("wrong secret and unknown client are 401 invalid_client; redirect mismatch at the token endpoint is 400")
    func clientErrors() async throws {
        try await SandboxHarness.run { harness in
            let code = try #require(try await Self.authorize(harness)["code"])
            let badSecret = try await Self.exchange(harness, code: code, secret: "GOCSPX-wrong")
            #expect(badSecret.status == 401)
            #expect(badSecret.json["error"] as? String == "invalid_client")
            let mismatch = try await Self.exchange(harness, code: code, redirect: "http://127.0.0.1:8080/other")
            #expect(mismatch.status == 400)
            #expect(mismatch.json["error"] as? String == "redirect_uri_mismatch")
        }
    }

    @Test("an unregistered redirect URI or client gets Google's error page, never a redirect")
    func authorizeErrorsAreNotRedirected() async throws {
        try await SandboxHarness.run { harness in
            let evil = try await harness.get(
                harness.url(
                    .googleAccounts,
                    "/o/oauth2/v2/auth?"
                        + SandboxHarness.encode([
                            ("client_id", Self.client.clientID), ("redirect_uri", "https://evil.example/callback"), ("response_type", "code"),
                            ("scope", Self.driveScope),
                        ])))
            #expect(evil.status == 400)
            #expect(evil.header("Location") == nil)
            #expect(evil.text.contains("redirect_uri_mismatch"))
            let unknown = try await harness.get(harness.url(.googleAccounts, "/o/oauth2/v2/auth?client_id=nobody&redirect_uri=x&response_type=code&scope=x"))
            #expect(unknown.status == 401)
            #expect(unknown.text.contains("invalid_client"))
        }
    }

    @Test("denying consent redirects with error=access_denied and the state")
    func deny() async throws {
        try await SandboxHarness.run { harness in
            let redirect = try await Self.authorize(harness, decision: "deny")
            #expect(redirect["error"] == "access_denied")
            #expect(redirect["state"] == "state-123")
            #expect(redirect["code"] == nil)
        }
    }

    @Test("refresh keeps the refresh token; a repeat consent without prompt=consent gives none")
    func refreshRules() async throws {
        try await SandboxHarness.run { harness in
            let code = try #require(try await Self.authorize(harness)["code"])
            let first = try await Self.exchange(harness, code: code).json
            let refresh = try #require(first["refresh_token"] as? String)
            let refreshed = try await harness.form(
                harness.url(.googleOAuth, "/token"),
                [
                    ("client_id", Self.client.clientID), ("client_secret", Self.client.clientSecret), ("refresh_token", refresh),
                    ("grant_type", "refresh_token"),
                ])
            #expect(refreshed.status == 200)
            #expect(refreshed.json["refresh_token"] == nil)
            #expect((refreshed.json["access_token"] as? String) != (first["access_token"] as? String))

            // A second authorization without prompt=consent:
            var params = [
                ("client_id", Self.client.clientID), ("redirect_uri", Self.redirectURI), ("response_type", "code"), ("scope", Self.driveScope),
                ("access_type", "offline"), ("state", "s2"),
            ]
            let page = try await harness.get(harness.url(.googleAccounts, "/o/oauth2/v2/auth?" + SandboxHarness.encode(params)))
            params = SandboxHarness.hiddenFields(in: page.text) + [("decision", "allow")]
            let location = try #require(try await harness.form(harness.url(.googleAccounts, "/o/oauth2/v2/auth"), params).header("Location"))
            let repeatCode = try #require(SandboxHarness.query(of: location)["code"])
            let noRefresh = try await Self.exchange(harness, code: repeatCode, verifier: nil).json
            #expect(noRefresh["access_token"] is String)
            #expect(noRefresh["refresh_token"] == nil)
        }
    }

    @Test("revocation kills the grant: API calls get 401 and refresh gets invalid_grant \"Token has been expired or revoked.\"")
    func revocation() async throws {
        try await SandboxHarness.run { harness in
            let code = try #require(try await Self.authorize(harness)["code"])
            let tokens = try await Self.exchange(harness, code: code).json
            let access = try #require(tokens["access_token"] as? String)
            let refresh = try #require(tokens["refresh_token"] as? String)
            let revoke = try await harness.form(harness.url(.googleOAuth, "/revoke"), [("token", access)])
            #expect(revoke.status == 200)
            let api = try await harness.get(harness.url(.googleAPIs, "/drive/v3/files"), token: access)
            #expect(api.status == 401)
            let refreshed = try await harness.form(
                harness.url(.googleOAuth, "/token"),
                [
                    ("client_id", Self.client.clientID), ("client_secret", Self.client.clientSecret), ("refresh_token", refresh),
                    ("grant_type", "refresh_token"),
                ])
            #expect(refreshed.status == 400)
            #expect(refreshed.json["error"] as? String == "invalid_grant")
            #expect(refreshed.json["error_description"] as? String == "Token has been expired or revoked.")
            let stats = try await harness.control(.GET, "/stats").json
            let routes = ((stats["platforms"] as? [String: Any])?["google_drive"] as? [String: Any])?["routes"] as? [String: Int]
            #expect(routes?["revoke"] == 1)
            #expect(routes?["token.refresh_token"] == 1)
        }
    }

    @Test("expired access tokens get the 401 envelope with WWW-Authenticate; a refresh fixes it")
    func expiry() async throws {
        try await SandboxHarness.run { harness in
            let code = try #require(try await Self.authorize(harness)["code"])
            let tokens = try await Self.exchange(harness, code: code).json
            let access = try #require(tokens["access_token"] as? String)
            _ = try await harness.control(.POST, "/tokens/expire", ["platform": "google_drive"])
            let expired = try await harness.get(harness.url(.googleAPIs, "/drive/v3/files"), token: access)
            #expect(expired.status == 401)
            #expect(expired.header("WWW-Authenticate")?.contains("invalid_token") == true)
            let error = expired.json["error"] as? [String: Any]
            #expect(error?["status"] as? String == "UNAUTHENTICATED")
            #expect(((error?["errors"] as? [[String: Any]])?.first?["reason"]) as? String == "authError")
            let refreshed = try await harness.form(
                harness.url(.googleOAuth, "/token"),
                [
                    ("client_id", Self.client.clientID), ("client_secret", Self.client.clientSecret), ("refresh_token", tokens["refresh_token"] as! String),
                    ("grant_type", "refresh_token"),
                ])
            let fresh = try #require(refreshed.json["access_token"] as? String)
            #expect(try await harness.get(harness.url(.googleAPIs, "/drive/v3/files"), token: fresh).status == 200)
        }
    }
}
