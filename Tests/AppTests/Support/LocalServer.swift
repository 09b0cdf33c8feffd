import Hummingbird
import Logging
import TestSupport

/// A test's own small HTTP server on a loopback port (a fake OpenAI, a customer's web page).
enum LocalServer {
    /// Serves `router` while `body` runs; `body` gets the port it listens on.
    static func run<T: Sendable>(_ router: Router<BasicRequestContext>, label: String, _ body: @Sendable (Int) async throws -> T) async throws -> T {
        let listening = Announcement<Int>()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in listening.announce(channel.localAddress?.port ?? 0) }, logger: Logger(label: label))
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await app.runService()
                return nil
            }
            defer { group.cancelAll() }
            let port = try await listening.value("the \(label) server listens")
            return try await body(port)
        }
    }
}
