import CirrusCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The one place where errors become HTTP responses.
///
/// API paths (and clients that ask for JSON) get `{"error": {"code", "message"}}`; browsers get
/// an HTML page. The message is always the error's safe message: never a stack trace, SQL,
/// token or secret. Unexpected errors are logged with the request id and answered with 500.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let renderPage: @Sendable (_ status: HTTPResponse.Status, _ message: String, _ context: Context) -> String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            if Self.wantsJSON(request) { return try Self.jsonResponse(for: error, context: context) }
            let (failure, status, headers) = Self.logged(error, context: context, contentType: "text/html; charset=utf-8")
            return Response(
                status: status, headers: headers,
                body: .init(byteBuffer: ByteBuffer(string: renderPage(status, failure.message, context))))
        }
    }

    /// The JSON answer to an error (also for middleware that decorates error answers: the widget's CORS).
    static func jsonResponse(for error: any Error, context: Context) throws -> Response {
        let (failure, status, headers) = logged(error, context: context, contentType: "application/json; charset=utf-8")
        let data = try JSONEncoder().encode(ErrorBody(error: .init(code: failure.code, message: failure.message)))
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// What `error` is in safe words, with its status and headers; unexpected errors are logged.
    private static func logged(_ error: any Error, context: Context, contentType: String) -> (Failure, HTTPResponse.Status, HTTPFields) {
        let failure = describe(error)
        if case .internal = failure.kind {
            context.logger.error(
                "Request failed", metadata: ["error.type": .string(String(reflecting: type(of: error))), "error": .string("\(error)")])
        }
        var headers: HTTPFields = [.contentType: contentType]
        if case .rateLimited(let seconds) = failure.kind { headers[.retryAfter] = String(seconds) }
        return (failure, status(for: failure.kind), headers)
    }

    struct ErrorBody: Encodable {
        struct Detail: Encodable {
            let code: String
            let message: String
        }
        let error: Detail
    }

    struct Failure {
        let code: String
        let message: String
        let kind: FailureKind
    }

    static func describe(_ error: any Error) -> Failure {
        switch error {
        case let error as any UserFacingError:
            return Failure(code: error.code, message: error.safeMessage, kind: error.kind)
        case let error as HTTPError:
            // Hummingbird's own errors: unmatched routes, bad bodies, unsupported methods.
            let kind: FailureKind
            switch error.status.code {
            case 401: kind = .unauthorized
            case 403: kind = .forbidden
            case 404: kind = .notFound
            case 405, 400, 411, 413, 415, 422: kind = .badRequest
            default: kind = .internal
            }
            let code: String
            switch error.status.code {
            case 404: code = "not_found"
            case 413: code = "payload_too_large"
            case 405: code = "method_not_allowed"
            case 400..<500: code = "invalid_request"
            default: code = "internal_error"
            }
            let message = error.status.code == 404 ? "There is nothing at this address." : (error.body ?? error.status.reasonPhrase)
            return Failure(code: code, message: message, kind: kind)
        case is DecodingError:
            return Failure(code: "invalid_request", message: "The request body is not what this endpoint expects.", kind: .badRequest)
        case let error where isStoreBusy(error):
            // Every database connection stayed taken for the pool's whole wait: the server is
            // overloaded, not broken — the caller is told to come back shortly.
            return Failure(code: "busy", message: "The server is busy. Try again in a moment.", kind: .rateLimited(retryAfterSeconds: 1))
        default:
            return Failure(
                code: "internal_error", message: "Something went wrong on our side. It has been logged.", kind: .internal)
        }
    }

    /// AsyncKit's `ConnectionPoolTimeoutError`, named rather than imported: App does not depend
    /// on AsyncKit itself, only through the database drivers.
    static func isStoreBusy(_ error: any Error) -> Bool {
        String(reflecting: type(of: error)) == "AsyncKit.ConnectionPoolTimeoutError"
    }

    static func status(for kind: FailureKind) -> HTTPResponse.Status {
        switch kind {
        case .badRequest: .badRequest
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict: .conflict
        case .rateLimited: .tooManyRequests
        case .unavailable: .serviceUnavailable
        case .upstream: .badGateway
        case .internal: .internalServerError
        }
    }

    static func wantsJSON(_ request: Request) -> Bool {
        let path = request.uri.path
        if path.hasPrefix(SiteRoute.apiPrefix) || path == SiteRoute.health.path { return true }
        let accept = request.headers[.accept]?.lowercased() ?? ""
        return accept.contains("application/json") && !accept.contains("text/html")
    }
}
