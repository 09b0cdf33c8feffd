import AsyncHTTPClient
import CirrusCore
import Foundation
import NIOCore
import NIOHTTP1

/// Where an OpenAI-compatible API lives (OpenAI, Ollama's `/v1`, vLLM, LiteLLM…) and how to reach it.
public struct OpenAIEndpoint: Sendable {
    /// The API root, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:11434/v1`.
    public var baseURL: String
    public var model: String
    /// Sent as a bearer token; never logged.
    public var apiKey: String?
    public var timeout: TimeAmount

    public init(baseURL: String, model: String, apiKey: String?, timeout: TimeAmount = .seconds(120)) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.model = model
        self.apiKey = apiKey
        self.timeout = timeout
    }

    func request(_ path: String, body: some Encodable) throws -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let apiKey, !apiKey.isEmpty { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        return request
    }

    /// The service's own error message when it gives one (`{"error":{"message"}}`), else the status.
    static func failure(_ status: HTTPResponseStatus, _ body: ByteBuffer?) -> String {
        struct Envelope: Decodable {
            struct Detail: Decodable { let message: String? }
            let error: Detail?
        }
        if let body, let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(body.readableBytesView)), let message = envelope.error?.message {
            return "HTTP \(status.code): \(message.prefix(200))"
        }
        return "HTTP \(status.code)"
    }
}

/// Embeddings from an OpenAI-compatible `POST /embeddings`, in batches, normalised to unit
/// length (not every server returns unit vectors); a 429 or 5xx is asked again, as the shared
/// ``RetryPolicy`` says (three attempts in all).
public final class OpenAIEmbedder: Embedder {
    public let identity: String
    private let endpoint: OpenAIEndpoint
    private let http: HTTPClient
    private let batchSize: Int
    private let retry = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(500), maxDelay: .seconds(10))

    public init(endpoint: OpenAIEndpoint, http: HTTPClient, batchSize: Int = 64) {
        self.endpoint = endpoint
        self.http = http
        self.batchSize = batchSize
        self.identity = "openai:\(endpoint.model)@\(URL(string: endpoint.baseURL)?.host ?? endpoint.baseURL)"
    }

    private struct Body: Encodable {
        let model: String
        let input: [String]
        let encoding_format = "float"
    }

    private struct Reply: Decodable {
        struct Item: Decodable {
            let index: Int
            let embedding: [Float]
        }
        let data: [Item]
    }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        var vectors: [[Float]] = []
        vectors.reserveCapacity(texts.count)
        for start in stride(from: 0, to: texts.count, by: batchSize) {
            let batch = Array(texts[start..<min(start + batchSize, texts.count)])
            vectors += try await embedBatch(batch)
        }
        return vectors
    }

    private func embedBatch(_ batch: [String]) async throws -> [[Float]] {
        // Busy or failing servers are asked again; an unreachable one is not (search falls back
        // to words at once rather than waiting).
        let answer: Result<(HTTPClientResponse, ByteBuffer), EmbedderError> = try await retry.run { _ in
            let response: HTTPClientResponse
            let body: ByteBuffer
            do {
                response = try await http.execute(
                    try endpoint.request("/embeddings", body: Body(model: endpoint.model, input: batch)), timeout: endpoint.timeout)
                body = try await response.body.collect(upTo: 64 << 20)
            } catch {
                return .done(.failure(.remote("could not reach \(endpoint.baseURL) (\(type(of: error)))")))
            }
            let transient = RetryPolicy.isTransient(status: Int(response.status.code))
            return transient
                ? .again(retryAfter: response.headers.first(name: "Retry-After"), otherwise: .success((response, body))) : .done(.success((response, body)))
        }
        let (response, body) = try answer.get()
        guard response.status == .ok else { throw EmbedderError.remote(OpenAIEndpoint.failure(response.status, body)) }
        guard let reply = try? JSONDecoder().decode(Reply.self, from: Data(body.readableBytesView)), reply.data.count == batch.count else {
            throw EmbedderError.remote("the reply is not an embeddings list for \(batch.count) inputs")
        }
        return reply.data.sorted { $0.index < $1.index }.map { item in
            let norm = item.embedding.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return norm > 0 ? item.embedding.map { $0 / norm } : item.embedding
        }
    }
}

/// A chat model behind an OpenAI-compatible `POST /chat/completions`, streamed
/// (`stream: true`, Server-Sent Events of `choices[0].delta.content`).
public struct OpenAIChatClient: Sendable {
    public struct Message: Codable, Sendable {
        public let role: String
        public let content: String

        public init(role: String, content: String) {
            self.role = role
            self.content = content
        }
    }

    private let endpoint: OpenAIEndpoint
    private let http: HTTPClient

    public init(endpoint: OpenAIEndpoint, http: HTTPClient) {
        self.endpoint = endpoint
        self.http = http
    }

    private struct Body: Encodable {
        let model: String
        let messages: [Message]
        let stream = true
        let temperature: Double
    }

    private struct Chunk: Decodable {
        struct Choice: Decodable {
            struct Delta: Decodable { let content: String? }
            let delta: Delta?
        }
        let choices: [Choice]
    }

    /// The answer's pieces as the model writes them.
    public func stream(_ messages: [Message], temperature: Double = 0.1) -> AsyncThrowingStream<String, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let request = try endpoint.request("/chat/completions", body: Body(model: endpoint.model, messages: messages, temperature: temperature))
                    let response = try await http.execute(request, timeout: endpoint.timeout)
                    guard response.status == .ok else {
                        let body = try? await response.body.collect(upTo: 1 << 20)
                        throw LanguageModelError.failed(OpenAIEndpoint.failure(response.status, body))
                    }
                    var pending = Data()
                    for try await buffer in response.body {
                        pending.append(contentsOf: buffer.readableBytesView)
                        // Events are lines `data: {...}`; a line may arrive in pieces.
                        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                            let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                            pending.removeSubrange(pending.startIndex...newline)
                            guard line.hasPrefix("data:") else { continue }
                            let payload = line.dropFirst(5).trimmingCharacters(in: .whitespaces)
                            if payload == "[DONE]" {
                                continuation.finish()
                                return
                            }
                            if let chunk = try? JSONDecoder().decode(Chunk.self, from: Data(payload.utf8)),
                                let piece = chunk.choices.first?.delta?.content, !piece.isEmpty
                            {
                                continuation.yield(piece)
                            }
                        }
                    }
                    continuation.finish()
                } catch let error as LanguageModelError {
                    continuation.finish(throwing: error)
                } catch {
                    continuation.finish(throwing: LanguageModelError.failed("could not reach \(endpoint.baseURL) (\(type(of: error)))"))
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// Why the language model gave no answer.
public enum LanguageModelError: Error, CustomStringConvertible, Sendable {
    case failed(String)

    public var description: String {
        switch self {
        case .failed(let reason): "the language model failed: \(reason)"
        }
    }
}
