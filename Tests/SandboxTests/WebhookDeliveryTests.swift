import CirrusCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import TestSupport
import Testing

@testable import Sandbox

@Suite("Sandbox webhook deliveries")
struct WebhookDeliveryTests {
    @Test("a notification the receiver refuses is tried as many times as the attempts knob says, each attempt in the deliveries log")
    func attemptsKnob() async throws {
        // given a Dropbox webhook receiver that echoes the challenge and then answers 503 to every notification
        let router = Router()
        router.get("hook") { request, _ -> Response in
            let challenge = request.uri.queryParameters.get("challenge") ?? ""
            return Response(
                status: .ok, headers: [.contentType: "text/plain", .init("X-Content-Type-Options")!: "nosniff"],
                body: .init(byteBuffer: ByteBuffer(string: challenge)))
        }
        router.post("hook") { _, _ in Response(status: .serviceUnavailable) }
        var logger = Logger(label: "receiver")
        logger.logLevel = .warning
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger).test(.live) { receiver in
            try await SandboxHarness.run { harness in
                let url = "http://127.0.0.1:\(receiver.port!)/hook"
                let registered = try await harness.control(.POST, "/webhooks", ["platform": "dropbox", "url": url, "attempts": 3])
                #expect(registered.status == 200, "\(registered.text)")
                func attempts() async throws -> [Int] {
                    let log = try JSONSerialization.jsonObject(with: Data(try await harness.control(.GET, "/deliveries").body)) as? [[String: Any]] ?? []
                    return log.filter { $0["url"] as? String == url }.compactMap { $0["attempt"] as? Int }
                }
                func change(_ name: String) async throws {
                    let reply = try await harness.control(
                        .POST, "/files", ["platform": "dropbox", "name": name, "mimeType": "text/plain", "content": Data("x".utf8).base64EncodedString()])
                    #expect(reply.status == 200, "\(reply.text)")
                }
                // when a change is made, and another after the first notification has used its attempts
                try await change("one.txt")
                try await eventually("three attempts", until: { try await attempts().count >= 3 })
                try await change("two.txt")
                try await eventually("six attempts", until: { try await attempts().count >= 6 })
                // then each notification was tried three times and no more
                #expect(try await attempts() == [1, 2, 3, 1, 2, 3])
                #expect(try await harness.control(.POST, "/webhooks", ["platform": "dropbox", "url": url, "attempts": 0]).status == 400)
            }
        }
    }
}
