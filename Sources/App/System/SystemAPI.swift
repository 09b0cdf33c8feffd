import CirrusCore
import FluentKit
import Foundation
import Hummingbird
import Knowledge
import SQLKit

/// `GET /health` and `GET /metrics`: for load balancers and Prometheus, no sign-in. `/metrics`
/// wants the metrics token when one is configured, and moves to its own loopback port when
/// `CIRRUS_METRICS_PORT` is set.
struct SystemAPI {
    let deps: Dependencies

    struct HealthResponse: ResponseEncodable {
        let status: String
        /// `ok`, `busy` (no answer within ``patience``: every connection is in use or the server
        /// is stalled) or `unreachable`.
        let database: String
        /// How long the database took to answer `SELECT 1`, or how long we waited for it.
        let databaseMilliseconds: Int
        let version: String
        /// The kernels the built-in embedder and the vector search run on.
        let matrixKernels: KernelReport

        /// Snake case, as health checks and load balancers have read it since the first release.
        enum CodingKeys: String, CodingKey {
            case status, database
            case databaseMilliseconds = "database_milliseconds"
            case version
            case matrixKernels = "matrix_kernels"
        }
    }

    /// How long `/health` waits for the database before answering "busy".
    static let patience: Duration = .seconds(2)

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get(SiteRoute.health.pattern) { _, _ -> Response in
            let (database, waited) = await checkDatabase()
            let body = HealthResponse(
                status: database == "ok" ? "ok" : "degraded", database: database,
                databaseMilliseconds: Int(waited / .milliseconds(1)),
                version: CirrusVersion.current, matrixKernels: KernelReport(dense: (deps.knowledge.embedder as? MiniLMEmbedder)?.denseKernels))
            let data = try JSONCoding.encoder().encode(body)
            // Busy is still serving: only an unreachable database takes the server out of rotation.
            return Response(
                status: database == "unreachable" ? .serviceUnavailable : .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        if deps.config.metricsPort == nil { addMetricsRoute(to: router) }
    }

    /// `GET /metrics` in Prometheus's text format.
    func addMetricsRoute<Context: RequestContext>(to router: Router<Context>) {
        let token = deps.config.metricsToken?.revealed
        router.get(SiteRoute.metrics.pattern) { request, _ -> Response in
            if let token {
                let presented = request.headers[.authorization].flatMap { $0.lowercased().hasPrefix("bearer ") ? String($0.dropFirst(7)) : nil }
                guard let presented, SecureToken.constantTimeEquals(presented.trimmingCharacters(in: .whitespaces), token) else {
                    return Response(
                        status: .unauthorized, headers: [.wwwAuthenticate: #"Bearer realm="cirrus-metrics""#, .contentType: "text/plain; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: "The metrics token is missing or wrong.\n")))
                }
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: deps.metrics.render())))
        }
    }

    /// Asks the database for `SELECT 1`, waiting at most ``patience`` (a pool whose connections
    /// are all taken would otherwise keep the load balancer's probe waiting).
    private func checkDatabase() async -> (state: String, waited: Duration) {
        let started = ContinuousClock.now
        let sql = deps.store.sql
        do {
            let answered: Void? = try await firstResult(within: Self.patience) { try await sql.raw("SELECT 1").run() }
            let waited = ContinuousClock.now - started
            if answered == nil { return ("busy", waited) }
            return ("ok", waited)
        } catch {
            return ("unreachable", ContinuousClock.now - started)
        }
    }
}

/// The version `cirrus --version` and `/health` report.
public enum CirrusVersion {
    public static let current = "0.1.0"
}
