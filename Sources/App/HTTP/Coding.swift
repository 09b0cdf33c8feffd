import CirrusCore
import Foundation
import Hummingbird

/// Our own JSON, one convention for the API, Server-Sent Events, `/health` and error bodies:
/// camelCase keys (the seed's field names, e.g. `fileIds`, `chunkCount`; chat sources keep the
/// seed's snake_case `document_id` / `source_type`, declared on their type), ISO 8601 dates,
/// sorted keys and unescaped slashes, so the same value always reads the same.
enum JSONCoding {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// `value` as JSON text (`{}` should it not encode, which our own types always do).
    static func text(_ value: some Encodable) -> String {
        (try? encoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// Decodes JSON bodies, and url-encoded form bodies from HTML forms.
public struct AppRequestDecoder: RequestDecoder {
    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        if contentType.hasPrefix("application/x-www-form-urlencoded") {
            return try await URLEncodedFormDecoder().decode(type, from: request, context: context)
        }
        return try await JSONCoding.decoder().decode(type, from: request, context: context)
    }
}

/// Encodes API responses with ``JSONCoding``.
public struct AppResponseEncoder: ResponseEncoder {
    public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
        let data = try JSONCoding.encoder().encode(value)
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension AppRequestContext {
    public var requestDecoder: AppRequestDecoder { AppRequestDecoder() }
    public var responseEncoder: AppResponseEncoder { AppResponseEncoder() }
}

/// Server-Sent Events (`text/event-stream`), as the import progress and chat streams send them.
enum ServerSentEvents {
    /// One event: its name and a JSON body.
    static func event(_ name: String, _ value: some Encodable) -> String {
        "event: \(name)\ndata: \(JSONCoding.text(value))\n\n"
    }

    /// A streaming response whose body `write` produces; proxies are asked not to buffer it.
    static func response(_ write: @escaping @Sendable (inout any ResponseBodyWriter) async throws -> Void) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache", .init("X-Accel-Buffering")!: "no"],
            body: ResponseBody { writer in try await write(&writer) })
    }
}

/// Path parameters, parsed once with the error each route answers for a bad one.
extension RequestContext {
    /// `:platform`, or ``IntegrationError/unknownPlatform(_:)``.
    func platformParameter() throws -> Platform {
        let name = try parameters.require("platform")
        guard let platform = Platform(rawValue: name) else { throw IntegrationError.unknownPlatform(name) }
        return platform
    }

    /// `:id` as a UUID, or `notFound` (a malformed id names nothing).
    func idParameter(orThrow notFound: some Error) throws -> UUID {
        guard let id = UUID(uuidString: try parameters.require("id")) else { throw notFound }
        return id
    }
}
