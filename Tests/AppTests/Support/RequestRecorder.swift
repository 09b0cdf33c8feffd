import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import Sandbox
import Synchronization
import TestSupport

/// A loopback listener that answers every request with 200 and counts what reached it: the
/// stand-in for an internal service an attacker wants the server to call (SSRF).
final class RequestRecorder: Sendable {
    private let hits = Mutex<[String]>([])

    /// Paths requested so far.
    var requests: [String] { hits.withLock { $0 } }

    /// Runs the listener for the duration of `body`, passing its origin (`http://127.0.0.1:PORT`).
    func run<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.get("**") { request, _ -> String in
            self.hits.withLock { $0.append(request.uri.path) }
            return "internal secrets"
        }
        router.post("**") { request, _ -> String in
            self.hits.withLock { $0.append(request.uri.path) }
            return "internal secrets"
        }
        return try await LoopbackListener.run(router, label: "recorder") { origin in
            hits.withLock { $0.removeAll() }
            return try await body(origin)
        }
    }
}

/// Serves `router` on a free loopback port for the duration of `body`, passing its origin
/// (`http://127.0.0.1:PORT`) once it listens: the stand-ins tests point the server at.
enum LoopbackListener {
    static func run<T: Sendable>(_ router: Router<BasicRequestContext>, label: String, _ body: @Sendable (String) async throws -> T) async throws -> T {
        let port = try LoopbackPort.free()
        var logger = Logger(label: label)
        logger.logLevel = .critical
        let listening = Announcement<Int>()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in listening.announce(channel.localAddress?.port ?? port) }, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await app.runService()
                return nil
            }
            _ = try await listening.value("the \(label) listens")
            defer { group.cancelAll() }
            return try await body("http://127.0.0.1:\(port)")
        }
    }
}
