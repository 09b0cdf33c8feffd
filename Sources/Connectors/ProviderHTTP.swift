import AsyncHTTPClient
import CirrusCore
import Foundation
import NIOCore
import NIOHTTP1

/// HTTP for connectors: one retry policy for transient failures, JSON decoding, and error
/// mapping. Bodies of errors are kept short in messages and never include tokens.
public struct ProviderHTTP: Sendable {
    public let client: HTTPClient
    public let retry: RetryPolicy

    public init(client: HTTPClient, retry: RetryPolicy = RetryPolicy(maxAttempts: 4)) {
        self.client = client
        self.retry = retry
    }

    public struct Reply: Sendable {
        public let status: Int
        public let headers: HTTPHeaders
        public let body: [UInt8]

        public var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])) as? [String: Any]
        }

        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Sends a request, retrying transient statuses and connection failures with backoff that
    /// honours `Retry-After`.
    public func send(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: [UInt8]? = nil
    ) async throws -> Reply {
        var attempt = 0
        while true {
            attempt += 1
            var request = HTTPClientRequest(url: url)
            request.method = method
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            do {
                let response = try await client.execute(request, timeout: .seconds(30))
                let collected = try await response.body.collect(upTo: 16 << 20)
                let reply = Reply(status: Int(response.status.code), headers: response.headers, body: Array(buffer: collected))
                if RetryPolicy.isTransient(status: reply.status),
                    let delay = retry.delay(afterAttempt: attempt, retryAfter: response.headers.first(name: "Retry-After"))
                {
                    try await Task.sleep(for: delay)
                    continue
                }
                return reply
            } catch let error as CancellationError {
                throw error
            } catch {
                guard let delay = retry.delay(afterAttempt: attempt) else {
                    throw ConnectorError.unavailable(String(describing: type(of: error)))
                }
                try await Task.sleep(for: delay)
            }
        }
    }

    public func postForm(_ url: String, _ fields: [(String, String)], headers: [(String, String)] = []) async throws -> Reply {
        try await send(.POST, url, headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")] + headers,
                       body: Array(Self.formEncode(fields).utf8))
    }

    public func postJSON(_ url: String, _ object: [String: Any], headers: [(String, String)] = []) async throws -> Reply {
        try await send(.POST, url, headers: [("Content-Type", "application/json"), ("Accept", "application/json")] + headers,
                       body: Array(try JSONSerialization.data(withJSONObject: object)))
    }

    public func get(_ url: String, bearer: String, headers: [(String, String)] = []) async throws -> Reply {
        try await send(.GET, url, headers: [("Authorization", "Bearer \(bearer)"), ("Accept", "application/json")] + headers)
    }

    public static func formEncode(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)" }.joined(separator: "&")
    }

    public static func query(_ items: [(String, String)]) -> String { formEncode(items) }

    /// Reads an OAuth token response into a ``TokenSet``, or maps its error.
    static func tokenSet(_ reply: Reply, requestedScopes: [String], now: Date = Date()) throws -> TokenSet {
        guard (200..<300).contains(reply.status) else { throw oauthError(reply) }
        guard let json = reply.json, let access = json["access_token"] as? String else {
            throw ConnectorError.malformedResponse("no access_token in the token response")
        }
        let expiresIn = (json["expires_in"] as? Int) ?? (json["expires_in"] as? String).flatMap(Int.init)
        let scopes = (json["scope"] as? String).map { $0.split(separator: " ").map(String.init) } ?? requestedScopes
        return TokenSet(
            accessToken: access, refreshToken: json["refresh_token"] as? String,
            expiresAt: expiresIn.map { now.addingTimeInterval(TimeInterval($0)) }, scopes: scopes)
    }

    /// OAuth error bodies (`{"error", "error_description"}`) as connector errors.
    static func oauthError(_ reply: Reply) -> ConnectorError {
        let json = reply.json
        let error = json?["error"] as? String ?? ""
        let description = (json?["error_description"] as? String).map { String($0.prefix(200)) } ?? "HTTP \(reply.status)"
        switch error {
        case "invalid_grant": return .invalidGrant(description)
        case "invalid_client", "unauthorized_client": return .misconfigured(description)
        default:
            if reply.status >= 500 { return .unavailable("HTTP \(reply.status)") }
            return .provider(status: reply.status, message: error.isEmpty ? description : "\(error): \(description)")
        }
    }

    /// A non-2xx API answer as a connector error.
    static func apiError(_ reply: Reply) -> ConnectorError {
        switch reply.status {
        case 401: return .unauthorized
        case 404: return .notFound
        // Still throttled after every retry: worth another attempt later, not a failure of the file.
        case 429: return .unavailable("rate limited by the provider")
        case 500...: return .unavailable("HTTP \(reply.status)")
        default: return .provider(status: reply.status, message: errorSummary(reply))
        }
    }

    /// The provider's own words for an error, from each one's documented error shape.
    static func errorSummary(_ reply: Reply) -> String {
        guard let json = reply.json else { return String(reply.text.prefix(200)) }
        if let error = json["error"] as? [String: Any] {
            // Google: {error: {message, errors: [{reason}]}}; Graph: {error: {code, message}}
            let reason = ((error["errors"] as? [[String: Any]])?.first?["reason"] as? String) ?? (error["code"] as? String)
            let message = error["message"] as? String ?? ""
            return [reason, message].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ").prefix(300).description
        }
        if let summary = json["error_summary"] as? String { return String(summary.prefix(300)) }  // Dropbox
        if let errors = json["errors"] as? [[String: Any]], let title = errors.first?["title"] as? String { return String(title.prefix(300)) }  // Confluence v2
        if let message = json["message"] as? String { return String(message.prefix(300)) }
        return String(reply.text.prefix(200))
    }
}
