import AsyncHTTPClient
import CirrusCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOHTTP1

@testable import Sandbox

/// A running sandbox on a free loopback port, and a plain HTTP client that does not follow
/// redirects (so tests see each 302 as a provider sends it).
struct SandboxHarness: Sendable {
    static let redirectBase = "http://127.0.0.1:8080"
    /// The redirect URI each demo client has registered in these tests (any URL would do).
    static func redirectURI(_ platform: Platform) -> String { "\(redirectBase)/api/v1/integrations/\(platform.rawValue)/callback" }
    let sandbox: Sandbox
    let port: Int
    let http: HTTPClient

    var origin: String { "http://127.0.0.1:\(port)" }
    func url(_ host: ProviderHost, _ path: String) -> String { "\(origin)/\(host.rawValue)\(path)" }

    static func run<T: Sendable>(
        exportLimitBytes: Int = 10 * 1024 * 1024, reuseLeeway: Double = 600, now: @escaping @Sendable () -> Date = { Date() },
        _ body: @Sendable (SandboxHarness) async throws -> T
    ) async throws -> T {
        let sandbox = Sandbox(
            configuration: .init(
                redirectURIs: Dictionary(uniqueKeysWithValues: Platform.allCases.map { ($0, [redirectURI($0)]) }), exportLimitBytes: exportLimitBytes,
                atlassianReuseLeewaySeconds: reuseLeeway,
                now: now))
        await sandbox.start()
        var logger = Logger(label: "sandbox-test")
        logger.logLevel = .warning
        let app = buildSandboxApplication(sandbox, port: 0, logger: logger)
        return try await app.test(.live) { client in
            let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
            do {
                let result = try await body(SandboxHarness(sandbox: sandbox, port: client.port!, http: http))
                try await http.shutdown()
                return result
            } catch {
                try? await http.shutdown()
                throw error
            }
        }
    }

    struct Reply: Sendable {
        let status: Int
        let headers: HTTPHeaders
        let body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
        func header(_ name: String) -> String? { headers.first(name: name) }
    }

    func send(_ method: HTTPMethod = .GET, _ url: String, headers: [(String, String)] = [], body: [UInt8]? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await http.execute(request, timeout: .seconds(30))
        let data = try await response.body.collect(upTo: 512 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Array(buffer: data))
    }

    func form(_ url: String, _ fields: [(String, String)], headers: [(String, String)] = []) async throws -> Reply {
        try await send(.POST, url, headers: [("Content-Type", "application/x-www-form-urlencoded")] + headers, body: Array(Self.encode(fields).utf8))
    }

    func get(_ url: String, token: String? = nil, headers: [(String, String)] = []) async throws -> Reply {
        try await send(.GET, url, headers: (token.map { [("Authorization", "Bearer \($0)")] } ?? []) + headers)
    }

    func control(_ method: HTTPMethod, _ path: String, _ object: [String: Any] = [:]) async throws -> Reply {
        try await send(
            method, "\(origin)/_sandbox\(path)", headers: [("Content-Type", "application/json")],
            body: Array(try JSONSerialization.data(withJSONObject: object)))
    }

    static func encode(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)" }.joined(separator: "&")
    }

    /// Query items of a redirect's Location.
    static func query(of location: String) -> [String: String] {
        var result: [String: String] = [:]
        for item in URLComponents(string: location)?.queryItems ?? [] { result[item.name] = item.value }
        return result
    }

    /// Hidden fields of a consent page's form.
    static func hiddenFields(in html: String) -> [(String, String)] {
        var fields: [(String, String)] = []
        var rest = Substring(html)
        while let range = rest.range(of: "<input type=\"hidden\" name=\"") {
            rest = rest[range.upperBound...]
            let name = String(rest.prefix { $0 != "\"" })
            guard let valueRange = rest.range(of: "value=\"") else { break }
            rest = rest[valueRange.upperBound...]
            let value = String(rest.prefix { $0 != "\"" })
                .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
            fields.append((name, value))
        }
        return fields
    }
}
