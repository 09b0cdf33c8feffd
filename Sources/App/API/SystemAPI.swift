import FluentKit
import Foundation
import Hummingbird
import SQLKit

/// `GET /health` and `GET /metrics`: for load balancers and Prometheus, no sign-in.
struct SystemAPI {
    let deps: Dependencies

    struct HealthResponse: ResponseEncodable {
        let status: String
        let database: String
        let version: String
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/health") { _, _ -> Response in
            let databaseOK = await checkDatabase()
            let body = HealthResponse(status: databaseOK ? "ok" : "degraded", database: databaseOK ? "ok" : "unreachable", version: CirrusVersion.current)
            let data = try JSONEncoder().encode(body)
            return Response(
                status: databaseOK ? .ok : .serviceUnavailable, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: deps.metrics.render())))
        }
    }

    private func checkDatabase() async -> Bool {
        guard let sql = deps.store.database as? any SQLDatabase else { return false }
        do {
            try await sql.raw("SELECT 1").run()
            return true
        } catch {
            return false
        }
    }
}

/// The version `cirrus --version` and `/health` report.
public enum CirrusVersion {
    public static let current = "0.1.0"
}
