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
        let port = try LoopbackPort.free()
        var logger = Logger(label: "recorder")
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
            let origin = "http://127.0.0.1:\(port)"
            _ = try await listening.value("the recorder listens")
            hits.withLock { $0.removeAll() }
            defer { group.cancelAll() }
            return try await body(origin)
        }
    }
}
