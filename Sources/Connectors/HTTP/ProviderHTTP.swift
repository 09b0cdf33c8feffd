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

        public var text: String { String(decoding: body, as: UTF8.self) }

        /// The body as the provider documents it, or ``ConnectorError/malformedResponse(_:)``
        /// naming what was expected (a missing or misspelt key never passes as an empty value).
        public func decode<T: Decodable>(_ type: T.Type, _ what: String) throws -> T {
            do {
                return try JSONDecoder().decode(type, from: Data(body))
            } catch {
                throw ConnectorError.malformedResponse("\(what) could not be read (\(WireFormat.describe(error)))")
            }
        }
    }

    /// Sends a request, retrying transient statuses and connection failures with backoff that
    /// honours `Retry-After`.
    public func send(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: [UInt8]? = nil, timeout: TimeAmount = .seconds(30)
    ) async throws -> Reply {
        try await retry.run(
            { _ in
                var request = HTTPClientRequest(url: url)
                request.method = method
                for (name, value) in headers { request.headers.add(name: name, value: value) }
                if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
                let response = try await client.execute(request, timeout: timeout)
                let collected = try await response.body.collect(upTo: 16 << 20)
                let reply = Reply(status: Int(response.status.code), headers: response.headers, body: Array(buffer: collected))
                return RetryPolicy.isTransient(status: reply.status)
                    ? .again(retryAfter: response.headers.first(name: "Retry-After"), otherwise: reply) : .done(reply)
            }, giveUp: { ConnectorError.unavailable(String(describing: type(of: $0))) })
    }

    public func postForm(_ url: String, _ fields: [(String, String)], headers: [(String, String)] = []) async throws -> Reply {
        try await send(
            .POST, url, headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")] + headers,
            body: Array(Self.formEncode(fields).utf8))
    }

    public func postJSON(
        _ url: String, _ value: some Encodable, headers: [(String, String)] = [], timeout: TimeAmount = .seconds(30)
    ) async throws -> Reply {
        try await sendJSON(.POST, url, value, headers: headers, timeout: timeout)
    }

    /// A JSON body sent with `method` (`POST`, `PATCH`), JSON asked for back.
    public func sendJSON(
        _ method: HTTPMethod, _ url: String, _ value: some Encodable, headers: [(String, String)] = [], timeout: TimeAmount = .seconds(30)
    ) async throws -> Reply {
        try await send(
            method, url, headers: [("Content-Type", "application/json"), ("Accept", "application/json")] + headers,
            body: Array(try JSONEncoder().encode(value)), timeout: timeout)
    }

    public func get(_ url: String, bearer: String, headers: [(String, String)] = []) async throws -> Reply {
        try await send(.GET, url, headers: [("Authorization", "Bearer \(bearer)"), ("Accept", "application/json")] + headers)
    }

    /// A GET of JSON with the bearer token, decoded as the provider documents it; non-2xx
    /// answers become connector errors, other shapes ``ConnectorError/malformedResponse(_:)``.
    func get<T: Decodable>(_ type: T.Type, _ url: String, bearer: String, what: String) async throws -> T {
        let reply = try await get(url, bearer: bearer)
        guard (200..<300).contains(reply.status) else { throw Self.apiError(reply) }
        return try reply.decode(type, what)
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
        let token = try reply.decode(OAuthWire.TokenResponse.self, "the token response")
        return TokenSet(
            accessToken: token.accessToken, refreshToken: token.refreshToken,
            expiresAt: token.expiresIn.map { now.addingTimeInterval(TimeInterval($0.value)) },
            scopes: token.scope.map { $0.split(separator: " ").map(String.init) } ?? requestedScopes)
    }

    /// OAuth error bodies (`{"error", "error_description"}`, RFC 6749 §5.2) as connector errors.
    static func oauthError(_ reply: Reply) -> ConnectorError {
        let body = try? reply.decode(OAuthWire.ErrorResponse.self, "the error")
        let error = body?.error ?? ""
        let description = body?.errorDescription.map { String($0.prefix(200)) } ?? "HTTP \(reply.status)"
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

    /// The provider's own words for an error, from each one's documented error shape (for logs
    /// and for telling errors apart; people are shown ``ConnectorError/safeMessage``).
    static func errorSummary(_ reply: Reply) -> String {
        let summary: String? =
            // Google: {error: {message, errors: [{reason}]}}; Graph: {error: {code, message}}
            (try? reply.decode(WireErrors.Nested.self, "the error")).flatMap { nested in
                let words = [nested.error.errors?.first?.reason ?? nested.error.code?.text, nested.error.message].compactMap { $0 }.filter { !$0.isEmpty }
                return words.isEmpty ? nil : words.joined(separator: ": ")
            }
            ?? (try? reply.decode(WireErrors.Dropbox.self, "the error"))?.errorSummary
            ?? (try? reply.decode(WireErrors.Confluence.self, "the error"))?.errors.first?.title
            ?? (try? reply.decode(WireErrors.Message.self, "the error"))?.message
        return String((summary ?? reply.text).prefix(300))
    }
}

/// The documented error bodies of the four providers' APIs.
enum WireErrors {
    struct Nested: Decodable {
        struct Detail: Decodable {
            struct Reason: Decodable { let reason: String? }
            /// Graph's code is a word (`itemNotFound`); Google's is the HTTP status again.
            let code: OptionalText?
            let message: String?
            let errors: [Reason]?
        }
        let error: Detail
    }

    struct Dropbox: Decodable {
        let errorSummary: String
        enum CodingKeys: String, CodingKey { case errorSummary = "error_summary" }
    }

    struct Confluence: Decodable {
        struct Entry: Decodable { let title: String }
        let errors: [Entry]
    }

    struct Message: Decodable { let message: String }
}
