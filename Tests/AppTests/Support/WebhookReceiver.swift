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
        return try await LoopbackListener.run(router, label: "webhook receiver", body)
    }
}
