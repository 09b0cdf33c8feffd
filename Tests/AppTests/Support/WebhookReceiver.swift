import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Sandbox
import Synchronization
import TestSupport

/// A loopback endpoint that stands in for a Slack-style incoming webhook: it keeps each post's
/// headers and body, and answers with the statuses it is given, then 200.
final class WebhookReceiver: Sendable {
    struct Post: Sendable {
        let headers: HTTPFields
        let body: String
    }

    private let state: Mutex<(posts: [Post], statuses: [Int])>

    init(statuses: [Int] = []) {
        state = Mutex(([], statuses))
    }

    var posts: [Post] { state.withLock { $0.posts } }

    func run<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("**") { request, context -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            let status = self.state.withLock { state in
                state.posts.append(Post(headers: request.headers, body: String(buffer: bytes)))
                return state.statuses.isEmpty ? 200 : state.statuses.removeFirst()
            }
            return Response(status: .init(code: status))
        }
        let port = try LoopbackPort.free()
        var logger = Logger(label: "webhook-receiver")
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
            _ = try await listening.value("the webhook receiver listens")
            defer { group.cancelAll() }
            return try await body("http://127.0.0.1:\(port)")
        }
    }
}
