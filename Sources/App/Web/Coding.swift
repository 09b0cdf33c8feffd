import Foundation
import Hummingbird

/// Decodes JSON bodies, and url-encoded form bodies from HTML forms.
public struct AppRequestDecoder: RequestDecoder {
    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        if contentType.hasPrefix("application/x-www-form-urlencoded") {
            return try await URLEncodedFormDecoder().decode(type, from: request, context: context)
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try await decoder.decode(type, from: request, context: context)
    }
}

/// Encodes API responses as JSON with ISO 8601 dates, as the seed's examples show.
public struct AppResponseEncoder: ResponseEncoder {
    public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension AppRequestContext {
    public var requestDecoder: AppRequestDecoder { AppRequestDecoder() }
    public var responseEncoder: AppResponseEncoder { AppResponseEncoder() }
}
