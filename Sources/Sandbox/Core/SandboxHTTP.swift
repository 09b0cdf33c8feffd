import CirrusCore
import Foundation
import Hummingbird
import NIOCore

/// A provider request as an emulator sees it: the real host and path, parsed query and body.
public struct SandboxRequest: Sendable {
    public var method: HTTPRequest.Method
    public var host: ProviderHost
    /// The provider's own path, e.g. `/drive/v3/files/abc`; percent-decoded per segment.
    public var path: String
    /// The path as sent (still percent-encoded), for providers that address items by path.
    public var rawPath: String
    public var query: [String: String]
    public var queryItems: [(String, String)]
    public var headers: HTTPFields
    public var body: [UInt8]
    /// `http://127.0.0.1:PORT`, for absolute links the emulator hands out.
    public var origin: String

    /// The sandbox URL standing in for `https://HOST`.
    public func base(_ host: ProviderHost) -> String { "\(origin)/\(host.rawValue)" }

    public var bearerToken: String? {
        guard let value = headers[.authorization], value.lowercased().hasPrefix("bearer ") else { return nil }
        return String(value.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    }

    /// HTTP Basic credentials (client id and secret at token endpoints).
    public var basicCredentials: (String, String)? {
        guard let value = headers[.authorization], value.lowercased().hasPrefix("basic "),
            let data = Data(base64Encoded: String(value.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return nil }
        return (
            String(text[..<colon]).removingPercentEncoding ?? String(text[..<colon]),
            String(text[text.index(after: colon)...]).removingPercentEncoding ?? String(text[text.index(after: colon)...])
        )
    }

    /// The body as an url-encoded form.
    public var form: [String: String] {
        Self.parseForm(String(decoding: body, as: UTF8.self))
    }

    public var contentType: String { headers[.contentType]?.lowercased() ?? "" }

    static func parseForm(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for (key, value) in parsePairs(text) where values[key] == nil { values[key] = value }
        return values
    }

    static func parsePairs(_ text: String) -> [(String, String)] {
        text.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
            }
            guard let key = parts.first else { return nil }
            return (decode(key), parts.count > 1 ? decode(parts[1]) : "")
        }
    }
}

/// An emulator's answer, plus the operation name it is counted under in the statistics.
public struct SandboxResponse: Sendable {
    public var status: HTTPResponse.Status
    public var headers: HTTPFields
    public var body: ResponseBody
    public var operation: String

    public init(status: HTTPResponse.Status, headers: HTTPFields = [:], body: ResponseBody = .init(), operation: String) {
        self.status = status
        self.headers = headers
        self.body = body
        self.operation = operation
    }

    /// A JSON answer; `pretty` gives Google's two-space indentation.
    public static func json(
        _ object: Any, status: HTTPResponse.Status = .ok, contentType: String = "application/json; charset=UTF-8",
        pretty: Bool = false, headers: HTTPFields = [:], operation: String
    ) -> SandboxResponse {
        let data = FastJSON.data(object, pretty: pretty)
        var fields = headers
        fields[.contentType] = contentType
        return SandboxResponse(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)), operation: operation)
    }

    public static func bytes(
        _ bytes: [UInt8], status: HTTPResponse.Status = .ok, contentType: String, headers: HTTPFields = [:], operation: String
    ) -> SandboxResponse {
        var fields = headers
        fields[.contentType] = contentType
        return SandboxResponse(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)), operation: operation)
    }

    public static func html(_ html: String, status: HTTPResponse.Status = .ok, operation: String) -> SandboxResponse {
        bytes(Array(html.utf8), status: status, contentType: "text/html; charset=utf-8", operation: operation)
    }

    public static func redirect(_ location: String, status: HTTPResponse.Status = .found, operation: String) -> SandboxResponse {
        SandboxResponse(status: status, headers: [.location: location], operation: operation)
    }
}

/// One emulated provider: the hosts it answers for and how.
public protocol ProviderEmulator: Sendable {
    var platform: Platform { get }
    var hosts: Set<ProviderHost> { get }
    func handle(_ request: SandboxRequest) async throws -> SandboxResponse
    /// The provider's answer to an injected status fault, in its own error shape.
    func faultResponse(status: Int, retryAfter: Int?, request: SandboxRequest) -> SandboxResponse
}

/// Formats dates the way providers do. Formatting is done by hand with `gmtime_r`: creating
/// Foundation date formatters per response was most of the sandbox's listing time.
enum WireDate {
    /// RFC 3339 with milliseconds and `Z` (Google, Microsoft).
    static func millis(_ date: Date) -> String {
        let (base, millis) = components(date)
        return base + "." + pad(millis, 3) + "Z"
    }

    /// RFC 3339 to the second with `Z` (Dropbox, Confluence).
    static func seconds(_ date: Date) -> String {
        components(date).0 + "Z"
    }

    private static func components(_ date: Date) -> (String, Int) {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        let millis = Int(((interval - Double(seconds)) * 1000).rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let text =
            pad(Int(parts.tm_year) + 1900, 4) + "-" + pad(Int(parts.tm_mon) + 1, 2) + "-" + pad(Int(parts.tm_mday), 2) + "T"
            + pad(Int(parts.tm_hour), 2) + ":" + pad(Int(parts.tm_min), 2) + ":" + pad(Int(parts.tm_sec), 2)
        return (text, min(max(millis, 0), 999))
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        // Dates without a zone are UTC (Drive's `q` accepts '2024-06-04T12:00:00').
        return formatter.date(from: text + "Z")
    }
}
