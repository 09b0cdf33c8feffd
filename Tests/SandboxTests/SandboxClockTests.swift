import CirrusCore
import Foundation
import Testing

@testable import Sandbox

/// `POST /_sandbox/clock` ages the providers' world: access tokens, each provider's refresh
/// token lifetimes, Drive channels and Graph subscriptions.
@Suite("Sandbox clock")
struct SandboxClockTests {
    static let day: Double = 86_400

    static func advance(_ harness: SandboxHarness, days: Double = 0, seconds: Double = 0) async throws {
        let reply = try await harness.control(.POST, "/clock", ["advanceSeconds": days * day + seconds])
        #expect(reply.status == 200)
    }

    @Test(
        "access tokens expire with the clock; refresh tokens die as each provider documents: Atlassian 90 days idle and 365 in all, Microsoft 90 idle, Google six months idle, Dropbox never"
    )
    func tokenLifetimes() async throws {
        try await SandboxHarness.run { harness in
            // given: a grant at each provider
            let confluence = try await ConfluenceContractTests.tokens(harness)
            let access = try #require(confluence["access_token"] as? String)
            var atlassian = try #require(confluence["refresh_token"] as? String)
            let microsoftCode = try #require(try await MicrosoftContractTests.authorize(harness)["code"])
            let microsoft = try #require(try await MicrosoftContractTests.exchange(harness, code: microsoftCode).json["refresh_token"] as? String)
            let googleCode = try #require(try await GoogleOAuthContractTests.authorize(harness)["code"])
            let google = try #require(try await GoogleOAuthContractTests.exchange(harness, code: googleCode).json["refresh_token"] as? String)
            let dropbox = try #require(try await DropboxContractTests.tokens(harness)["refresh_token"] as? String)
            func refreshMicrosoft() async throws -> SandboxHarness.Reply {
                try await harness.form(
                    harness.url(.microsoftLogin, "/common/oauth2/v2.0/token"),
                    [
                        ("grant_type", "refresh_token"), ("refresh_token", microsoft), ("client_id", MicrosoftContractTests.client.clientID),
                        ("client_secret", MicrosoftContractTests.client.clientSecret),
                    ])
            }
            func refreshGoogle() async throws -> SandboxHarness.Reply {
                let client = GoogleOAuthContractTests.client
                return try await harness.form(
                    harness.url(.googleOAuth, "/token"),
                    [("client_id", client.clientID), ("client_secret", client.clientSecret), ("refresh_token", google), ("grant_type", "refresh_token")])
            }
            func refreshDropbox() async throws -> SandboxHarness.Reply {
                let client = DropboxContractTests.client
                return try await harness.form(
                    harness.url(.dropboxAPI, "/oauth2/token"),
                    [("grant_type", "refresh_token"), ("refresh_token", dropbox), ("client_id", client.clientID), ("client_secret", client.clientSecret)])
            }

            // when: an hour passes
            try await Self.advance(harness, seconds: 3601)
            // then: the access token is refused, the refresh token still works
            #expect(try await ConfluenceContractTests.api(harness, "/api/v2/spaces", access).status == 401)
            let rotated = try await ConfluenceContractTests.refresh(harness, atlassian)
            #expect(rotated.status == 200)
            atlassian = try #require(rotated.json["refresh_token"] as? String)

            // when: 89 more idle days; then everyone still refreshes (which starts each idle period again)
            try await Self.advance(harness, days: 89)
            let again = try await ConfluenceContractTests.refresh(harness, atlassian)
            #expect(again.status == 200)
            atlassian = try #require(again.json["refresh_token"] as? String)
            #expect(try await refreshMicrosoft().status == 200)
            #expect(try await refreshGoogle().status == 200)

            // when: 91 idle days
            try await Self.advance(harness, days: 91)
            // then: Atlassian and Microsoft refuse; Google (six months) and Dropbox do not
            let atlassianLate = try await ConfluenceContractTests.refresh(harness, atlassian)
            #expect(atlassianLate.status == 403)
            #expect(atlassianLate.json["error"] as? String == "invalid_grant")
            let microsoftLate = try await refreshMicrosoft()
            #expect(microsoftLate.status == 400)
            #expect(microsoftLate.json["error"] as? String == "invalid_grant")
            #expect(microsoftLate.json["error_codes"] as? [Int] == [700_082])
            #expect(try await refreshGoogle().status == 200)

            // when: 184 idle days; then Google refuses too, and Dropbox's long-lived token works
            try await Self.advance(harness, days: 184)
            let googleLate = try await refreshGoogle()
            #expect(googleLate.status == 400)
            #expect(googleLate.json["error_description"] as? String == "Token has been expired or revoked.")
            #expect(try await refreshDropbox().status == 200)

            // then: the clock says how far it moved, refuses to go back, and a reset returns it
            let state = try await harness.control(.GET, "/clock")
            #expect(state.json["offsetSeconds"] as? Double == 3601 + (89 + 91 + 184) * Self.day)
            #expect(try await harness.control(.POST, "/clock", ["advanceSeconds": -5]).status == 400)
            _ = try await harness.control(.POST, "/reset")
            #expect(try await harness.control(.GET, "/clock").json["offsetSeconds"] as? Double == 0)
        }
    }

    @Test("an Atlassian grant ends 365 days after consent however often it is refreshed")
    func atlassianAbsoluteLifetime() async throws {
        try await SandboxHarness.run { harness in
            // given
            var refresh = try #require(try await ConfluenceContractTests.tokens(harness)["refresh_token"] as? String)
            // when: refreshed every 80 days
            var statuses: [Int] = []
            for _ in 0..<5 {
                try await Self.advance(harness, days: 80)
                let reply = try await ConfluenceContractTests.refresh(harness, refresh)
                statuses.append(reply.status)
                if let next = reply.json["refresh_token"] as? String { refresh = next }
            }
            // then: day 400 is past the grant's end
            #expect(statuses == [200, 200, 200, 200, 403])
        }
    }

    @Test("a Drive channel and a Graph subscription end when the clock passes their expiration")
    func channelsAge() async throws {
        try await SandboxHarness.run { harness in
            // given: a Drive channel (an hour, as none was asked for)
            let token = try await GoogleDriveContractTests.token(harness)
            let start = try #require(
                try await harness.get(harness.url(.googleAPIs, "/drive/v3/changes/startPageToken"), token: token).json["startPageToken"] as? String)
            let watch = try await harness.send(
                .POST, harness.url(.googleAPIs, "/drive/v3/changes/watch?pageToken=\(start)"),
                headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
                body: Array(#"{"id":"clock-channel","type":"web_hook","address":"https://127.0.0.1:9/hook","expiration":"1000"}"#.utf8))
            #expect(watch.status == 200)
            let expiration = try #require((watch.json["expiration"] as? String).flatMap(Double.init))
            let now = harness.sandbox.clock.now().timeIntervalSince1970 * 1000
            // an expiration in the past gets the default hour
            #expect(abs(expiration - now - 3_600_000) < 60_000)
            // and a Graph subscription for three days
            await harness.sandbox.webhooks.addGraphSubscription(
                .init(
                    id: "clock-subscription", resource: "/drives/d/root", driveID: "d", notificationURL: "https://127.0.0.1:9/graph", lifecycleURL: nil,
                    clientState: nil, expiration: harness.sandbox.clock.now().addingTimeInterval(3 * Self.day)))
            #expect(try await Self.count(harness, "/channels") == 1)

            // when: two hours pass; then the channel is gone and the subscription stays
            try await Self.advance(harness, seconds: 7200)
            #expect(try await Self.count(harness, "/channels") == 0)
            #expect(try await Self.count(harness, "/subscriptions") == 1)

            // when: three days pass; then the subscription is gone too
            try await Self.advance(harness, days: 3)
            #expect(try await Self.count(harness, "/subscriptions") == 0)
        }
    }

    static func count(_ harness: SandboxHarness, _ path: String) async throws -> Int {
        let reply = try await harness.control(.GET, path)
        return (try JSONSerialization.jsonObject(with: Data(reply.body)) as? [Any])?.count ?? -1
    }
}
