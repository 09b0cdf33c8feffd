import AsyncHTTPClient
import CirrusCore
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

@testable import App

/// Walks a provider's consent page in the sandbox the way a browser would, for connect tests.
struct ConnectDriver {
    let client: TestClient
    /// Bearer token to start the flow with; `nil` uses the session cookie.
    let bearer: String?

    struct Started {
        /// The sandbox URL of the consent page.
        let authorizationURL: String
        var sandboxOrigin: String {
            let url = URL(string: authorizationURL)!
            return "http://\(url.host!):\(url.port!)"
        }
        var state: String? {
            URLComponents(string: authorizationURL)?.queryItems?.first { $0.name == "state" }?.value
        }
    }

    /// Starts a flow: with the bearer token as an API client would (`GET`), else as the
    /// Integrations page does (a form post with the session's CSRF token).
    func start(_ platform: Platform) async throws -> Started {
        let path = "/api/v1/integrations/\(platform.rawValue)/connect"
        let response: TestClient.Reply
        if let bearer {
            response = try await client.get(path, bearer: bearer)
        } else {
            let page = try await client.get("/admin/integrations")
            response = try await client.postForm(path, [("_csrf", TestClient.csrfToken(in: page.body) ?? "")])
        }
        guard response.status == .found || response.status == .seeOther, let location = response.headers[.location] else {
            throw TestFailure("connect answered \(response.status): \(response.body)")
        }
        return Started(authorizationURL: location)
    }

    /// Submits the consent form with `decision` and returns the callback path (with query) the provider redirects to.
    /// One client for the whole test process; it never follows redirects, so tests see each one.
    static let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

    func consent(_ started: Started, decision: String = "allow", site: String = "1324a887-45db-1bf4-1e99-ef0ff456d421") async throws -> String {
        let http = Self.http
        var request = HTTPClientRequest(url: started.authorizationURL)
        let page = try await http.execute(request, timeout: .seconds(30))
        let html = String(buffer: try await page.body.collect(upTo: 1 << 20))
        guard page.status == .ok, let action = Self.attribute("action", in: html) else { throw TestFailure("consent page: \(page.status)") }
        var fields = Self.hiddenFields(html) + [("decision", decision)]
        if html.contains("name=\"site\"") { fields.append(("site", site)) }
        request = HTTPClientRequest(url: action.replacingOccurrences(of: "&amp;", with: "&"))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: fields.map { "\($0.0)=\(TestClient.formEncode($0.1))" }.joined(separator: "&")))
        let redirect = try await http.execute(request, timeout: .seconds(30))
        guard redirect.status == .found, let location = redirect.headers.first(name: "Location"), let url = URL(string: location) else {
            throw TestFailure("consent decision answered \(redirect.status)")
        }
        return url.path + (url.query.map { "?" + $0 } ?? "")
    }

    /// Completes the callback asking for JSON: an API client with its token and no cookies, a
    /// browser with its cookies (session and flow binding).
    func callback(_ path: String) async throws -> TestClient.Reply {
        var headers: HTTPFields = [.accept: "application/json"]
        if let bearer { headers[.authorization] = "Bearer \(bearer)" }
        return try await client.send(.get, path, headers: headers, withCookies: bearer == nil)
    }

    /// The whole flow: start, allow, callback.
    func connect(_ platform: Platform) async throws -> TestClient.Reply {
        try await callback(try await consent(try await start(platform)))
    }

    static func attribute(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "\(name)=\"") else { return nil }
        let rest = html[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    static func hiddenFields(_ html: String) -> [(String, String)] {
        var fields: [(String, String)] = []
        var rest = Substring(html)
        while let range = rest.range(of: "<input type=\"hidden\" name=\"") {
            rest = rest[range.upperBound...]
            let name = String(rest.prefix { $0 != "\"" })
            guard let valueRange = rest.range(of: "value=\"") else { break }
            rest = rest[valueRange.upperBound...]
            let value = String(rest.prefix { $0 != "\"" }).replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
            fields.append((name, value))
        }
        return fields
    }

    /// The sandbox's request statistics for a platform.
    static func stats(_ origin: String, _ platform: Platform) async throws -> [String: Int] {
        let response = try await http.execute(HTTPClientRequest(url: origin + "/_sandbox/stats"), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        let json = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
        return ((json?["platforms"] as? [String: Any])?[platform.rawValue] as? [String: Any])?["routes"] as? [String: Int] ?? [:]
    }

    @discardableResult
    static func control(_ origin: String, _ path: String, _ body: [String: Any], method: HTTPMethod = .POST) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: origin + "/_sandbox" + path)
        request.method = method
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        let response = try await http.execute(request, timeout: .seconds(10))
        let reply = try await response.body.collect(upTo: 1 << 20)
        return (try? JSONSerialization.jsonObject(with: Data(buffer: reply)) as? [String: Any]) ?? [:]
    }

    /// Adds a Google Drive folder of `count` small text files to the sandbox; returns the folder id.
    static func makeDriveFolder(_ origin: String, name: String, files count: Int) async throws -> String {
        let folder = try #require(
            try await control(origin, "/files", ["platform": "google_drive", "name": name, "mimeType": "application/vnd.google-apps.folder"])["id"] as? String)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 1...count {
                group.addTask {
                    let text = "Batch note \(index): the shipment for order \(10_000 + index) leaves the warehouse on day \(index % 28 + 1)."
                    try await control(
                        origin, "/files",
                        [
                            "platform": "google_drive", "parentId": folder, "name": String(format: "note-%03d.txt", index), "mimeType": "text/plain",
                            "content": Data(text.utf8).base64EncodedString(),
                        ])
                }
                // At most as many at once as the client keeps connections per host, so none waits for one.
                if index >= 8 { try await group.next() }
            }
            try await group.waitForAll()
        }
        return folder
    }
}
