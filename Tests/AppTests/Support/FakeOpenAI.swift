import Foundation
import Hummingbird
import Logging
import NIOCore
import TestSupport

/// A local stand-in for an OpenAI-compatible API (`/v1/embeddings`, streamed
/// `/v1/chat/completions`), listening on a loopback port, recording what it was asked.
final class FakeOpenAI: @unchecked Sendable {
    private let lock = NSLock()
    private var _chatRequests: [[String: Any]] = []
    private var _embeddingInputs = 0
    /// Dimensions of the fake embeddings.
    static let dimensions = 64

    var chatRequests: [[String: Any]] { lock.withLock { _chatRequests } }
    var embeddingInputs: Int { lock.withLock { _embeddingInputs } }

    /// The reply the fake model streams, in pieces of a few characters.
    let reply: String
    /// The reply to a request to translate a question, when it differs.
    let translation: String?

    init(reply: String = "The main features are real-time sync, smart search and a file picker [1].", translation: String? = nil) {
        self.reply = reply
        self.translation = translation
    }

    /// A deterministic embedding: words hashed into buckets (so texts sharing words are close).
    static func embedding(_ text: String) -> [Float] {
        var vector = [Float](repeating: 0, count: dimensions)
        for word in text.lowercased().split(whereSeparator: { !$0.isLetter }) {
            var hash: UInt32 = 2_166_136_261
            for byte in word.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
            vector[Int(hash % UInt32(dimensions))] += 1
        }
        return vector  // deliberately not normalised: the client must normalise
    }

    /// Runs the fake for the duration of `body`, passing its base URL (`http://127.0.0.1:PORT/v1`).
    func run<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("v1/embeddings") { request, _ -> Response in
            let json = try JSONSerialization.jsonObject(with: Data(buffer: try await request.body.collect(upTo: 1 << 24))) as? [String: Any] ?? [:]
            let inputs = json["input"] as? [String] ?? []
            self.lock.withLock { self._embeddingInputs += inputs.count }
            let data = inputs.enumerated().map { ["object": "embedding", "index": $0.offset, "embedding": Self.embedding($0.element)] as [String: Any] }
            let reply = try JSONSerialization.data(withJSONObject: ["object": "list", "data": data, "model": json["model"] ?? ""])
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: reply)))
        }
        router.post("v1/chat/completions") { request, _ -> Response in
            let json = try JSONSerialization.jsonObject(with: Data(buffer: try await request.body.collect(upTo: 1 << 24))) as? [String: Any] ?? [:]
            self.lock.withLock { self._chatRequests.append(json) }
            let system = ((json["messages"] as? [[String: Any]])?.first?["content"] as? String) ?? ""
            let reply = system.hasPrefix("Translate") ? (self.translation ?? self.reply) : self.reply
            let pieces = stride(from: 0, to: reply.count, by: 7).map { start in
                String(reply.dropFirst(start).prefix(7))
            }
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream"],
                body: ResponseBody { writer in
                    for piece in pieces {
                        let chunk = try JSONSerialization.data(withJSONObject: [
                            "object": "chat.completion.chunk", "choices": [["index": 0, "delta": ["content": piece]]],
                        ])
                        try await writer.write(ByteBuffer(string: "data: \(String(decoding: chunk, as: UTF8.self))\n\n"))
                        try await Task.sleep(for: .milliseconds(5))
                    }
                    try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
                    try await writer.finish(nil)
                })
        }
        return try await LocalServer.run(router, label: "fake-openai") { port in try await body("http://127.0.0.1:\(port)/v1") }
    }
}
