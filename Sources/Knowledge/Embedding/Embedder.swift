import Foundation
import Synchronization

/// Turns texts into unit-length vectors whose dot product is their cosine similarity.
public protocol Embedder: Sendable {
    /// Names the model and where it runs; stored with every vector, so a change of embedder
    /// is noticed and the knowledge base re-embedded.
    var identity: String { get }
    func embed(_ texts: [String]) async throws -> [[Float]]
}

/// Why an embedder could not produce vectors.
public enum EmbedderError: Error, CustomStringConvertible, Sendable {
    case modelMissing(String)
    case remote(String)
    /// The dense-layer kernels asked for cannot run here (`CIRRUS_EMBEDDING_KERNELS`), and why.
    case kernelsUnavailable(String, String)

    public var description: String {
        switch self {
        case .modelMissing(let path): "the embedding model is not at \(path); run `make setup-run` (or set CIRRUS_MODEL_DIR)"
        case .kernelsUnavailable(let kernels, let reason): "the embedder cannot run on \(kernels) here: \(reason)"
        case .remote(let reason): "the embeddings service failed: \(reason)"
        }
    }
}

/// all-MiniLM-L6-v2 run in process: WordPiece tokens, the encoder on oneDNN and OpenBLAS, mean pooling
/// and L2 normalisation, 384 dimensions.
///
/// Inference runs on one dedicated thread, never on Swift's cooperative pool (on two cores a
/// long batch there would stall the web server); OpenBLAS spreads each matrix product over
/// the cores. Texts are sorted by length and packed into batches of about `tokensPerBatch`
/// tokens, as sentence-transformers sorts them, so short texts do not wait on long ones.
public final class MiniLMEmbedder: Embedder {
    public let identity = "builtin:all-MiniLM-L6-v2"
    public static let dimensions = 384
    /// The model's window, as its `sentence_bert_config.json` sets it (256 tokens).
    public static let maxSequenceLength = 256

    public let tokenizer: WordPieceTokenizer
    private let encoder: MiniLMEncoder
    private let queue = DispatchQueue(label: "cirrus.embedder", qos: .userInitiated)
    private let tokensPerBatch: Int

    /// Loads `tokenizer.json` and `model.safetensors` from `directory`, the dense layers on
    /// `kernels` (OpenBLAS when oneDNN cannot make them; ``denseKernelsFallback`` says why).
    public init(directory: URL, tokensPerBatch: Int = 2048, kernels: DenseKernels = .preferred()) throws {
        let tokenizerURL = directory.appendingPathComponent("tokenizer.json")
        let weightsURL = directory.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: weightsURL.path), FileManager.default.fileExists(atPath: tokenizerURL.path) else {
            throw EmbedderError.modelMissing(directory.path)
        }
        self.tokenizer = try WordPieceTokenizer(tokenizerJSON: tokenizerURL)
        self.encoder = try MiniLMEncoder(weights: weightsURL, kernels: kernels)
        self.tokensPerBatch = tokensPerBatch
    }

    /// What the encoder's dense layers run on.
    public var denseKernels: DenseKernels { encoder.denseKernels }
    /// Why they do not run on what was asked, when they could not.
    public var denseKernelsFallback: String? { encoder.denseKernelsFallback }

    /// One line for the server's log: the dense layers' kernels and OpenBLAS's.
    public var kernelsSummary: String {
        let dense =
            switch denseKernels {
            case .oneDNN: "oneDNN fp32 (\(DenseKernels.oneDNNInstructionSet))"
            case .oneDNNBF16: "oneDNN bfloat16 (\(DenseKernels.oneDNNInstructionSet))"
            case .openBLAS: "OpenBLAS"
            }
        let fallback = denseKernelsFallback.map { " instead of what was asked: \($0)" } ?? ""
        return "dense layers on \(dense)\(fallback); attention and vector search on \(MatrixKernels.active.summary)"
    }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        await embedCountingPasses(texts).vectors
    }

    /// The vectors, and how many forward passes ended between the request's arrival and its
    /// answer (its own included), counted here rather than by a caller who may resume late.
    func embedCountingPasses(_ texts: [String]) async -> (vectors: [[Float]], passes: Int) {
        guard !texts.isEmpty else { return ([], 0) }
        return await withCheckedContinuation { continuation in
            let first = pending.withLock { requests in
                requests.append(EmbeddingRequest(texts: texts, arrivedAfterPass: passesRun, continuation: continuation))
                return requests.count == 1
            }
            if first { queue.async { self.drain() } }
        }
    }

    /// Requests waiting for the model, served in passes of at most `textsPerPass` texts:
    /// requests that arrive while a pass runs share the next one (four import workers with a
    /// one-chunk file each make one forward pass, not four). Short requests (a chat question,
    /// its passages' sentences to re-rank, a small file: at most `shortRequest` texts) go
    /// before the remainders of long ones, which go round in pieces — so a question waits for
    /// the pass under way, not for a piece of every long document queued before it.
    private let pending = Mutex<[EmbeddingRequest]>([])
    /// A pass is what a question may have to wait for: 32 chunk-long texts keep it to about a
    /// second on two cores while the matrix products stay large enough for OpenBLAS to run well.
    private let textsPerPass = 32
    private let shortRequest = 128
    private let passes = Mutex(0)

    /// Forward passes run so far (each up to `textsPerPass` texts), for tests and diagnostics.
    public var passesRun: Int { passes.withLock { $0 } }

    private func drain() {
        while true {
            let pass: [(request: EmbeddingRequest, range: Range<Int>)] = pending.withLock { requests in
                // By the size asked for, not what is left: a long document's remainder counted as
                // short once under the limit, and four of them then queued ahead of a question.
                let short = { (request: EmbeddingRequest) in request.texts.count <= self.shortRequest }
                requests = requests.filter(short) + requests.filter { !short($0) }
                var pass: [(EmbeddingRequest, Range<Int>)] = []
                var budget = textsPerPass
                var partial: EmbeddingRequest?
                while budget > 0, !requests.isEmpty {
                    let request = requests.removeFirst()
                    let start = request.vectors.count
                    let end = min(request.texts.count, start + budget)
                    pass.append((request, start..<end))
                    budget -= end - start
                    if end < request.texts.count { partial = request }
                }
                if let partial { requests.append(partial) }
                return pass
            }
            guard !pass.isEmpty else { return }
            let vectors = embedNow(pass.flatMap { $0.request.texts[$0.range] })
            let passNumber = passes.withLock { count in
                count += 1
                return count
            }
            var offset = 0
            for (request, range) in pass {
                request.vectors += vectors[offset..<(offset + range.count)]
                offset += range.count
                if request.vectors.count == request.texts.count {
                    request.continuation.resume(returning: (request.vectors, passNumber - request.arrivedAfterPass))
                }
            }
            // Leave once nothing waits; a request arriving now sees an empty list and schedules a drain.
            if pending.withLock({ $0.isEmpty }) { return }
        }
    }

    /// The same, on the calling thread (benchmarks and tests that measure the model alone).
    public func embedNow(_ texts: [String]) -> [[Float]] {
        let sequences = texts.map { tokenizer.encode($0, maxLength: Self.maxSequenceLength) }
        let order = sequences.indices.sorted { sequences[$0].count < sequences[$1].count }
        var vectors = [[Float]](repeating: [], count: texts.count)
        var batch: [Int] = []
        var batchTokens = 0
        func flush() {
            guard !batch.isEmpty else { return }
            for (index, vector) in zip(batch, encoder.embed(batch.map { sequences[$0] })) { vectors[index] = vector }
            batch = []
            batchTokens = 0
        }
        for index in order {
            if batchTokens + sequences[index].count > tokensPerBatch { flush() }
            batch.append(index)
            batchTokens += sequences[index].count
        }
        flush()
        return vectors
    }

    private static let cache = ModelCache()

    /// One loaded model per directory and process: every server built in a process (tests
    /// build many) shares the 90 MB of weights.
    public static func shared(directory: URL, kernels: DenseKernels = .preferred()) throws -> MiniLMEmbedder {
        try cache.model(for: directory, kernels: kernels)
    }
}

/// Texts waiting for vectors; only the embedder's serial queue touches `vectors`.
private final class EmbeddingRequest: @unchecked Sendable {
    let texts: [String]
    /// The passes run when it arrived.
    let arrivedAfterPass: Int
    let continuation: CheckedContinuation<(vectors: [[Float]], passes: Int), Never>
    var vectors: [[Float]] = []

    init(texts: [String], arrivedAfterPass: Int, continuation: CheckedContinuation<(vectors: [[Float]], passes: Int), Never>) {
        self.texts = texts
        self.arrivedAfterPass = arrivedAfterPass
        self.continuation = continuation
    }
}

private final class ModelCache: @unchecked Sendable {
    private let lock = NSLock()
    private var models: [String: MiniLMEmbedder] = [:]

    func model(for directory: URL, kernels: DenseKernels) throws -> MiniLMEmbedder {
        lock.lock()
        defer { lock.unlock() }
        let key = "\(kernels.rawValue) \(directory.standardizedFileURL.path)"
        if let model = models[key] { return model }
        let model = try MiniLMEmbedder(directory: directory, kernels: kernels)
        models[key] = model
        return model
    }
}
