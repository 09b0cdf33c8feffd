import AsyncHTTPClient
import CirrusCore
import FluentKit
import Foundation
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

@testable import App

/// Two `cirrus serve` processes on one PostgreSQL database, sharing one `cirrus sandbox`.
/// Only meaningful on PostgreSQL (SQLite is one process by design), so it runs in that pass.
@Suite("Several server processes", .serialized, .enabled(if: TestHarness.postgresBaseURL != nil))
struct MultiProcessTests {
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("cirrus")
    }

    static func launch(_ arguments: [String], environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func waitUntilUp(_ url: String) async throws {
        try await eventually("\(url) comes up") {
            // 200 only: anything else may be another test's server that took the port.
            let response = try? await ConnectDriver.http.execute(HTTPClientRequest(url: url), timeout: .seconds(2))
            return response?.status.code == 200
        }
    }

    static func call(
        _ url: String, method: HTTPMethod = .GET, bearer: String? = nil, json: [String: Any]? = nil, accept: String = "application/json"
    ) async throws -> (Int, [String: String], [UInt8]) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: accept)
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        }
        let response = try await ConnectDriver.http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return (Int(response.status.code), headers, Array(buffer: body))
    }

    /// Signs the owner in on a server process and connects `platform` through the sandbox's
    /// consent page, as an API client: start with the token, consent, call the callback with it.
    /// Returns the token.
    static func connect(_ platform: Platform, origin: String) async throws -> String {
        let login = try await call(
            origin + "/api/v1/auth/login", method: .POST, json: ["email": TestHarness.ownerEmail, "password": TestHarness.ownerPassword])
        let bearer = try #require((try JSONSerialization.jsonObject(with: Data(login.2)) as? [String: Any])?["token"] as? String)
        let connect = try await call(origin + "/api/v1/integrations/\(platform.rawValue)/connect", bearer: bearer)
        let page = try await call(try #require(connect.1["location"]), accept: "text/html")
        let html = String(decoding: page.2, as: UTF8.self)
        var request = HTTPClientRequest(url: try #require(ConnectDriver.attribute("action", in: html)))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        let fields = ConnectDriver.hiddenFields(html) + [("decision", "allow")]
        request.body = .bytes(ByteBuffer(string: fields.map { "\($0.0)=\(TestClient.formEncode($0.1))" }.joined(separator: "&")))
        let decision = try await ConnectDriver.http.execute(request, timeout: .seconds(30))
        let callback = try #require(decision.headers.first(name: "Location"))
        #expect(try await call(callback, bearer: bearer).0 == 200)
        return bearer
    }

    /// Starts a sandbox and two `cirrus serve` processes on the harness's database (an owner
    /// made first), runs `body` with the servers' origins and the sandbox's, then stops them all.
    static func withTwoServers<T>(
        _ harness: TestHarness, environment extra: [String: String] = [:], _ body: ([String], String) async throws -> T
    ) async throws -> T {
        try await harness.withStore { store in
            try await Accounts(store: store, bcryptCost: 4, sessionLifetime: 3600)
                .createUser(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword, role: .owner)
        }
        let sandboxPort = try TestHarness.freePort()
        let ports = [try TestHarness.freePort(), try TestHarness.freePort()]
        let sandbox = try Self.launch(
            ["sandbox", "--port", String(sandboxPort)] + ports.flatMap { ["--app-url", "http://127.0.0.1:\($0)"] }, environment: [:])
        var servers: [Process] = []
        defer {
            for process in servers + [sandbox] where process.isRunning { process.terminate() }
        }
        let sandboxOrigin = "http://127.0.0.1:\(sandboxPort)"
        try await Self.waitUntilUp(sandboxOrigin + "/_sandbox/stats")
        for port in ports {
            servers.append(
                try Self.launch(
                    ["serve", "--port", String(port)],
                    environment: [
                        "DATABASE_URL": harness.config.databaseURL!.revealed,
                        "CIRRUS_ENCRYPTION_KEYS": harness.config.encryptionKeys.map(\.revealed).joined(separator: ","),
                        "CIRRUS_DEMO": "true", "CIRRUS_SANDBOX_URL": sandboxOrigin, "API_BASE_URL": "http://127.0.0.1:\(port)",
                        "CIRRUS_AUTO_MIGRATE": "false", "DATA_DIR": harness.dataDirectory.path, "LOG_LEVEL": "error",
                        "CIRRUS_MODEL_DIR": TestHarness.modelDirectory.path,
                    ].merging(extra) { $1 }))
        }
        let origins = ports.map { "http://127.0.0.1:\($0)" }
        for origin in origins { try await Self.waitUntilUp(origin + "/health") }
        return try await body(origins, sandboxOrigin)
    }

    @Test("50 simultaneous calls across two processes on a connection whose token just expired cause exactly one refresh")
    func singleRefreshAcrossProcesses() async throws {
        // given: a migrated database with an owner, a sandbox, and two servers
        let harness = try await TestHarness.make()
        try await Self.withTwoServers(harness) { origins, sandboxOrigin in
            // Connect Microsoft 365 through the first server.
            let bearer = try await Self.connect(.microsoft, origin: origins[0])

            // when: the token runs out at the provider and both servers get 25 calls each at once
            try await harness.withStore { store in
                let row = try #require(try await UserIntegration.query(on: store.database).first())
                row.tokenExpiresAt = Date().addingTimeInterval(30)
                try await row.save(on: store.database)
            }
            try await ConnectDriver.control(sandboxOrigin, "/tokens/expire", ["platform": "microsoft"])
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<50 {
                    let origin = origins[index % 2]
                    group.addTask { try await Self.call(origin + "/api/v1/integrations/microsoft/account", bearer: bearer).0 }
                }
                var all: [Int] = []
                for try await status in group { all.append(status) }
                return all
            }

            // then
            #expect(statuses.every { $0 == 200 })
            #expect(try await ConnectDriver.stats(sandboxOrigin, .microsoft)["token.refresh_token"] == 1)
        }
    }

    @Test("a rate limit holds across processes: questions asked of either server count together")
    func rateLimitAcrossProcesses() async throws {
        // given: three questions a minute per person, two servers
        let harness = try await TestHarness.make()
        try await Self.withTwoServers(harness, environment: ["CIRRUS_RATE_LIMITS": "chat=3/100"]) { origins, _ in
            let login = try await Self.call(
                origins[0] + "/api/v1/auth/login", method: .POST, json: ["email": TestHarness.ownerEmail, "password": TestHarness.ownerPassword])
            let bearer = try #require((try JSONSerialization.jsonObject(with: Data(login.2)) as? [String: Any])?["token"] as? String)
            // when: the owner asks each server in turn
            var statuses: [Int] = []
            var retryAfter: String?
            for index in 0..<5 {
                let reply = try await Self.call(
                    origins[index % 2] + "/api/v1/chat", method: .POST, bearer: bearer, json: ["question": "What is our refund policy?"])
                statuses.append(reply.0)
                if reply.0 == 429 { retryAfter = retryAfter ?? reply.1["retry-after"] }
            }
            // then: three in all were answered, whichever server took them
            #expect(statuses == [200, 200, 200, 429, 429])
            #expect(retryAfter.flatMap(Int.init).map { $0 >= 1 } == true)
        }
    }
}
