import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport

@testable import App

/// A thin client over Hummingbird's live test client that keeps cookies like a browser and
/// knows how to sign in.
final class TestClient: @unchecked Sendable {
    /// One request and its answer: status, headers and body.
    typealias Exchange = @Sendable (String, HTTPRequest.Method, HTTPFields, ByteBuffer?) async throws -> (HTTPResponse.Status, HTTPFields, ByteBuffer)

    private let exchange: Exchange
    let port: Int
    private let lock = NSLock()
    private var cookies: [String: String] = [:]

    private init(exchange: @escaping Exchange, port: Int) {
        self.exchange = exchange
        self.port = port
    }

    /// Over one of Hummingbird's test tiers.
    init(client: any TestClientProtocol) {
        self.exchange = { uri, method, headers, body in
            let response = try await client.execute(uri: uri, method: method, headers: headers, body: body)
            return (response.status, response.headers, response.body)
        }
        self.port = client.port ?? 0
    }

    /// Over a connection to a server the test started on a port of its choosing.
    init(connection: HummingbirdTesting.TestClient, port: Int) {
        self.exchange = { uri, method, headers, body in
            var headers = headers
            headers[.connection] = "keep-alive"
            let response = try await connection.execute(.init(uri, method: method, authority: "localhost", headers: headers, body: body))
            return (response.status, response.headers, response.body ?? ByteBuffer())
        }
        self.port = port
    }

    struct Reply: Sendable {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let body: String

        func json() throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] ?? [:]
        }

        /// The body as one of the API's own types (its DTOs), read as the server writes them.
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try JSONCoding.decoder().decode(type, from: Data(body.utf8))
        }
    }

    /// Sends a request, with the cookies collected so far unless `withCookies` is false.
    @discardableResult
    func send(
        _ method: HTTPRequest.Method, _ uri: String, headers: HTTPFields = [:], body: String? = nil,
        withCookies: Bool = true
    ) async throws -> Reply {
        var headers = headers
        let cookieHeader = lock.withLock { cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if withCookies, !cookieHeader.isEmpty { headers[.cookie] = cookieHeader }
        let (status, responseHeaders, responseBody) = try await exchange(uri, method, headers, body.map { ByteBuffer(string: $0) })
        for field in responseHeaders[values: .setCookie] {
            let pair = field.split(separator: ";").first ?? ""
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { continue }
            let name = String(parts[0]).trimmingCharacters(in: .whitespaces)
            let value = String(parts[1])
            lock.withLock {
                if value.isEmpty || field.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
            }
        }
        return Reply(status: status, headers: responseHeaders, body: String(buffer: responseBody))
    }

    func json(_ method: HTTPRequest.Method, _ uri: String, _ object: [String: Any], bearer: String? = nil) async throws -> Reply {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let bearer { headers[.authorization] = "Bearer \(bearer)" }
        let body = String(data: try JSONSerialization.data(withJSONObject: object), encoding: .utf8)!
        return try await send(method, uri, headers: headers, body: body, withCookies: bearer == nil)
    }

    func get(_ uri: String, bearer: String? = nil) async throws -> Reply {
        var headers: HTTPFields = [:]
        if let bearer { headers[.authorization] = "Bearer \(bearer)" }
        return try await send(.get, uri, headers: headers, withCookies: bearer == nil)
    }

    /// Posts an url-encoded form, as a browser would.
    func postForm(_ uri: String, _ fields: [(String, String)]) async throws -> Reply {
        let body = fields.map { "\(Self.formEncode($0.0))=\(Self.formEncode($0.1))" }.joined(separator: "&")
        return try await send(.post, uri, headers: [.contentType: "application/x-www-form-urlencoded"], body: body)
    }

    /// Signs in through the login page, keeping the session cookie; returns the page's CSRF token.
    @discardableResult
    func signIn(email: String, password: String) async throws -> Reply {
        let page = try await send(.get, "/login")
        let token = Self.csrfToken(in: page.body) ?? ""
        return try await postForm("/login", [("_csrf", token), ("email", email), ("password", password)])
    }

    /// Signs in through the API and returns the bearer token.
    func apiToken(email: String, password: String) async throws -> String {
        let reply = try await json(.post, "/api/v1/auth/login", ["email": email, "password": password])
        guard let token = try reply.json()["token"] as? String else {
            throw TestFailure("no token in \(reply.status): \(reply.body)")
        }
        return token
    }

    var hasSession: Bool { lock.withLock { cookies["cirrus_session"] != nil } }

    /// A cookie's value as the server last set it.
    func cookie(_ name: String) -> String? { lock.withLock { cookies[name] } }

    /// Another browser on the same server: its own, empty cookie jar.
    func anotherBrowser() -> TestClient { TestClient(exchange: exchange, port: port) }

    static func csrfToken(in html: String) -> String? {
        guard let range = html.range(of: #"name="_csrf" value=""#) else { return nil }
        let rest = html[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    static func formEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value).replacingOccurrences(of: "%20", with: "+")
    }
}
