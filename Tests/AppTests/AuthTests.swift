import Foundation
import HTTPTypes
import TestSupport
import Testing

@testable import App

@Suite("Sign-in, sessions and CSRF")
struct AuthTests {
    @Test("the owner from CIRRUS_ADMIN_EMAIL signs in on the page and lands on the dashboard")
    func pageSignIn() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            // when
            let reply = try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            // then
            #expect(reply.status == .seeOther)
            #expect(reply.headers[.location] == "/admin")
            #expect(client.hasSession)
            let cookie = reply.headers[values: .setCookie].first { $0.hasPrefix("cirrus_session=") } ?? ""
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(!cookie.contains("Secure"))
            let dashboard = try await client.get("/admin")
            #expect(dashboard.status == .ok)
            #expect(dashboard.body.contains("Dashboard"))
        }
    }

    @Test("a wrong password re-shows the form with a message and no session")
    func wrongPassword() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            let reply = try await client.signIn(email: TestHarness.ownerEmail, password: "not the password")
            #expect(reply.status == .unauthorized)
            #expect(reply.body.contains("The email or password is not right."))
            #expect(!client.hasSession)
        }
    }

    @Test("the API issues a bearer token that works on later calls, and logout revokes it")
    func apiToken() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            let token = try await client.apiToken(email: "OWNER@example.com", password: TestHarness.ownerPassword)
            let me = try await client.get("/api/v1/me", bearer: token)
            #expect(me.status == .ok)
            #expect(try me.json()["email"] as? String == TestHarness.ownerEmail)
            #expect(try me.json()["role"] as? String == "owner")
            let logout = try await client.send(.post, "/api/v1/auth/logout", headers: [.authorization: "Bearer \(token)"], withCookies: false)
            #expect(logout.status == .noContent)
            #expect(try await client.get("/api/v1/me", bearer: token).status == .unauthorized)
        }
    }

    @Test("API sign-in failure is a 401 in the error shape")
    func apiFailure() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            let reply = try await client.json(.post, "/api/v1/auth/login", ["email": TestHarness.ownerEmail, "password": "nope nope nope"])
            #expect(reply.status == .unauthorized)
            let error = try reply.json()["error"] as? [String: Any]
            #expect(error?["code"] as? String == "invalid_credentials")
            #expect(error?["message"] as? String == "The email or password is not right.")
        }
    }

    @Test("repeated failures get a clear 429 with Retry-After, even with the right password afterwards")
    func rateLimit() async throws {
        let harness = try await TestHarness.make([AppConfig.Key.loginMaxFailures: "3"])
        try await harness.withServer { client in
            for _ in 0..<3 {
                let reply = try await client.json(.post, "/api/v1/auth/login", ["email": TestHarness.ownerEmail, "password": "wrong password"])
                #expect(reply.status == .unauthorized)
            }
            let limited = try await client.json(.post, "/api/v1/auth/login", ["email": TestHarness.ownerEmail, "password": TestHarness.ownerPassword])
            #expect(limited.status == .tooManyRequests)
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 > 0)
            #expect((try limited.json()["error"] as? [String: Any])?["code"] as? String == "rate_limited")
            let page = try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            #expect(page.status == .tooManyRequests)
            #expect(page.body.contains("Too many failed sign-ins"))
        }
    }

    @Test("the per-address allowance stops a spray across many accounts")
    func addressRateLimit() async throws {
        let harness = try await TestHarness.make([AppConfig.Key.loginMaxFailures: "2"])
        try await harness.withServer { client in
            var statuses: [HTTPResponse.Status] = []
            for index in 0..<9 {
                let reply = try await client.json(.post, "/api/v1/auth/login", ["email": "user\(index)@example.com", "password": "guess guess"])
                statuses.append(reply.status)
            }
            #expect(statuses.prefix(8).every { $0 == .unauthorized })
            #expect(statuses.last == .tooManyRequests)
        }
    }

    @Test("a form post without the CSRF token is rejected", arguments: ["/login", "/logout"])
    func csrfRejected(path: String) async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            if path == "/logout" {
                try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            } else {
                _ = try await client.get("/login")
            }
            let reply = try await client.postForm(path, [("email", TestHarness.ownerEmail), ("password", TestHarness.ownerPassword)])
            #expect(reply.status == .forbidden)
            #expect(reply.body.contains("did not come from this site"))
            let forged = try await client.postForm(path, [("_csrf", "forged-token-forged-token-forged-token"), ("email", "x")])
            #expect(forged.status == .forbidden)
        }
    }

    @Test("a cookie-authenticated API write needs X-CSRF-Token; a bearer one does not")
    func csrfOnAPI() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let withoutHeader = try await client.send(.post, "/api/v1/auth/logout")
            #expect(withoutHeader.status == .forbidden)
            #expect((try withoutHeader.json()["error"] as? [String: Any])?["code"] as? String == "csrf_rejected")
            let page = try await client.get("/admin/settings")
            let token = TestClient.csrfToken(in: page.body) ?? ""
            let withHeader = try await client.send(.post, "/api/v1/auth/logout", headers: [AuthenticationMiddleware.csrfHeader: token])
            #expect(withHeader.status == .noContent)
            #expect(try await client.get("/api/v1/me").status == .unauthorized)
        }
    }

    @Test("signed-out visitors are sent to sign-in and back to where they were going")
    func redirectToLogin() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            let reply = try await client.get("/admin/integrations")
            #expect(reply.status == .found)
            #expect(reply.headers[.location] == "/login?next=%2Fadmin%2Fintegrations")
            let page = try await client.send(.get, "/login?next=%2Fadmin%2Fintegrations")
            let token = TestClient.csrfToken(in: page.body) ?? ""
            let signIn = try await client.postForm(
                "/login",
                [
                    ("_csrf", token), ("email", TestHarness.ownerEmail), ("password", TestHarness.ownerPassword), ("next", "/admin/integrations"),
                ])
            #expect(signIn.headers[.location] == "/admin/integrations")
        }
    }

    @Test("signing out ends the session on the server")
    func signOut() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let page = try await client.get("/admin")
            let token = TestClient.csrfToken(in: page.body) ?? ""
            let out = try await client.postForm("/logout", [("_csrf", token)])
            #expect(out.headers[.location] == "/login")
            #expect(try await client.get("/admin").status == .found)
        }
        let sessions = try await harness.withStore { store in try await BrowserSession.query(on: store.database).count() }
        #expect(sessions == 0)
    }
}
