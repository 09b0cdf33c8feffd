import CKernels
import COpenBLAS
import Foundation

/// The 6-layer BERT encoder of all-MiniLM-L6-v2 with mean pooling and L2 normalisation, as
/// sentence-transformers runs it. Sequences are packed back to back (no padding): the dense
/// layers see every token of a batch as one matrix (oneDNN's product, or OpenBLAS's `sgemm`),
/// and attention runs per sequence over its own tokens only — the same result as padding with an
/// attention mask, without computing the padding.
final class MiniLMEncoder: Sendable {
    static let hidden = 384
    static let heads = 12
    static let headSize = 32
    static let intermediate = 1536
    static let layerNormEpsilon: Float = 1e-12

    private struct LayerNorm: Sendable {
        let weight: [Float]
        let bias: [Float]
    }

    private struct Layer: Sendable {
        let queryKeyValue: DenseLayer  // the three projections fused into one [1152 × 384] product
        let attentionOutput: DenseLayer
        let attentionNorm: LayerNorm
        let intermediate: DenseLayer
        let output: DenseLayer
        let outputNorm: LayerNorm
    }

    private let wordEmbeddings: [Float]
    private let positionEmbeddings: [Float]
    private let tokenTypeEmbedding: [Float]
    private let embeddingNorm: LayerNorm
    private let layers: [Layer]
    let vocabularySize: Int
    let maxPositions: Int

    /// What the dense layers run on, and why not what was configured when it could not be.
    let denseKernels: DenseKernels
    let denseKernelsFallback: String?

    /// Loads the weights, the dense layers on `kernels`; when oneDNN cannot make them, on the next
    /// of oneDNN fp32 and OpenBLAS that can.
    init(weights url: URL, kernels: DenseKernels) throws {
        _ = MatrixKernels.active
        // All parallelism is ours (rows split over the cores): OpenBLAS's own threads would
        // spin in sched_yield whenever the element-wise steps run between two products.
        openblas_set_num_threads(1)
        let tensors = try SafeTensors(url: url)
        let h = Self.hidden
        func norm(_ prefix: String) throws -> LayerNorm {
            LayerNorm(weight: try tensors.floats("\(prefix).weight", shape: [h]), bias: try tensors.floats("\(prefix).bias", shape: [h]))
        }
        func dense(_ prefix: String, _ inputs: Int, _ outputs: Int) throws -> (weight: [Float], bias: [Float]) {
            (try tensors.floats("\(prefix).weight", shape: [outputs, inputs]), try tensors.floats("\(prefix).bias", shape: [outputs]))
        }
        func layers(on kernels: DenseKernels) throws -> [Layer] {
            try (0..<6).map { index in
                let p = "encoder.layer.\(index)"
                let q = try dense("\(p).attention.self.query", h, h)
                let k = try dense("\(p).attention.self.key", h, h)
                let v = try dense("\(p).attention.self.value", h, h)
                func layer(_ weights: (weight: [Float], bias: [Float]), _ inputs: Int, _ outputs: Int) throws -> DenseLayer {
                    try DenseLayer(weight: weights.weight, bias: weights.bias, inputs: inputs, outputs: outputs, kernels: kernels)
                }
                return Layer(
                    queryKeyValue: try layer((q.weight + k.weight + v.weight, q.bias + k.bias + v.bias), h, 3 * h),
                    attentionOutput: try layer(try dense("\(p).attention.output.dense", h, h), h, h),
                    attentionNorm: try norm("\(p).attention.output.LayerNorm"),
                    intermediate: try layer(try dense("\(p).intermediate.dense", h, Self.intermediate), h, Self.intermediate),
                    output: try layer(try dense("\(p).output.dense", Self.intermediate, h), Self.intermediate, h),
                    outputNorm: try norm("\(p).output.LayerNorm"))
            }
        }
        vocabularySize = 30522
        maxPositions = 512
        wordEmbeddings = try tensors.floats("embeddings.word_embeddings.weight", shape: [vocabularySize, h])
        positionEmbeddings = try tensors.floats("embeddings.position_embeddings.weight", shape: [maxPositions, h])
        tokenTypeEmbedding = Array(try tensors.floats("embeddings.token_type_embeddings.weight", shape: [2, h]).prefix(h))
        embeddingNorm = try norm("embeddings.LayerNorm")
        // bfloat16 → fp32 → OpenBLAS: the first that can be made here, with why the one asked for could not.
        let candidates: [DenseKernels] =
            switch kernels {
            case .oneDNNBF16: [.oneDNNBF16, .oneDNN, .openBLAS]
            case .oneDNN: [.oneDNN, .openBLAS]
            case .openBLAS: [.openBLAS]
            }
        var refusal: String?
        var made: (layers: [Layer], kernels: DenseKernels)?
        for candidate in candidates where made == nil {
            do {
                made = (try layers(on: candidate), candidate)
            } catch let error as EmbedderError {
                refusal = refusal ?? error.description
            }
        }
        guard let made else { throw EmbedderError.kernelsUnavailable(kernels.rawValue, refusal ?? "no kernels") }
        self.layers = made.layers
        (denseKernels, denseKernelsFallback) = (made.kernels, made.kernels == kernels ? nil : refusal)
    }

    /// Sentence embeddings (mean-pooled, unit length) of token-id sequences, each with its
    /// `[CLS]` and `[SEP]` and at most `maxPositions` long.
    func embed(_ sequences: [[Int32]]) -> [[Float]] {
        let h = Self.hidden
        let rows = sequences.reduce(0) { $0 + $1.count }
        guard rows > 0 else { return sequences.map { _ in [Float](repeating: 0, count: h) } }
        let offsets = sequences.reduce(into: [0]) { $0.append($0.last! + $1.count) }
        let longest = sequences.map(\.count).max() ?? 0

        let states = UnsafeMutablePointer<Float>.allocate(capacity: rows * h)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: rows * h)
        let qkv = UnsafeMutablePointer<Float>.allocate(capacity: rows * 3 * h)
        let wide = UnsafeMutablePointer<Float>.allocate(capacity: rows * Self.intermediate)
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: Self.workers * longest * longest)
        defer { for buffer in [states, scratch, qkv, wide, scores] { buffer.deallocate() } }

        // Embeddings: word + position + token type 0, then LayerNorm.
        wordEmbeddings.withUnsafeBufferPointer { words in
            positionEmbeddings.withUnsafeBufferPointer { positions in
                tokenTypeEmbedding.withUnsafeBufferPointer { type in
                    for (index, sequence) in sequences.enumerated() {
                        for (position, id) in sequence.enumerated() {
                            let row = states + (offsets[index] + position) * h
                            let word = words.baseAddress! + Int(id) * h
                            let place = positions.baseAddress! + position * h
                            for column in 0..<h { row[column] = word[column] + place[column] + type[column] }
                        }
                    }
                }
            }
        }
        Self.addAndNorm(nil, into: states, rows: rows, embeddingNorm)

        let scale = 1 / Float(Self.headSize).squareRoot()
        let workers = Self.workers
        for layer in layers {
            // Self-attention, each sequence over its own tokens, each head over its 32 columns.
            // The products are small, so the (sequence, head) pairs run in parallel, one core
            // each, rather than each product split over the cores.
            Self.apply(layer.queryKeyValue, states, rows: rows, into: qkv)
            let shared = (qkv: Shared(qkv), scratch: Shared(scratch), scores: Shared(scores))
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let qkv = shared.qkv.pointer
                let scratch = shared.scratch.pointer
                let scores = shared.scores.pointer + worker * longest * longest
                var task = worker
                while task < sequences.count * Self.heads {
                    let index = task / Self.heads
                    let head = task % Self.heads
                    task += workers
                    let n = Int32(sequences[index].count)
                    let base = qkv + offsets[index] * 3 * h
                    let q = base + head * Self.headSize
                    let k = base + h + head * Self.headSize
                    let v = base + 2 * h + head * Self.headSize
                    cblas_sgemm(
                        CblasRowMajor, CblasNoTrans, CblasTrans, n, n, Int32(Self.headSize),
                        scale, q, Int32(3 * h), k, Int32(3 * h), 0, scores, n)
                    cirrus_softmax_rows(scores, Int64(n))
                    cblas_sgemm(
                        CblasRowMajor, CblasNoTrans, CblasNoTrans, n, Int32(Self.headSize), n,
                        1, scores, n, v, Int32(3 * h), 0, scratch + offsets[index] * h + head * Self.headSize, Int32(h))
                }
            }
            // Output projection, residual, LayerNorm.
            Self.apply(layer.attentionOutput, scratch, rows: rows, into: qkv)
            Self.addAndNorm(qkv, into: states, rows: rows, layer.attentionNorm)
            // Feed-forward with GELU (the exact, erf-based one BERT uses), residual, LayerNorm.
            Self.apply(layer.intermediate, states, rows: rows, into: wide)
            let sharedWide = Shared(wide)
            Self.inParallel(rows: rows) { range in
                cirrus_gelu(sharedWide.pointer + range.lowerBound * Self.intermediate, Int64(range.count * Self.intermediate))
            }
            Self.apply(layer.output, wide, rows: rows, into: scratch)
            Self.addAndNorm(scratch, into: states, rows: rows, layer.outputNorm)
        }

        // Mean pooling over each sequence's tokens, then unit length.
        return sequences.indices.map { index in
            var vector = [Float](repeating: 0, count: h)
            let count = sequences[index].count
            vector.withUnsafeMutableBufferPointer { out in
                for position in 0..<count {
                    let row = states + (offsets[index] + position) * h
                    for column in 0..<h { out[column] += row[column] }
                }
                var norm: Float = 0
                for column in 0..<h {
                    out[column] /= Float(count)
                    norm += out[column] * out[column]
                }
                let inverse = 1 / max(norm.squareRoot(), 1e-12)
                for column in 0..<h { out[column] *= inverse }
            }
            return vector
        }
    }

    /// states = LayerNorm(states + delta) (delta nil: LayerNorm(states)), rows split over the cores.
    private static func addAndNorm(_ delta: UnsafePointer<Float>?, into states: UnsafeMutablePointer<Float>, rows: Int, _ norm: LayerNorm) {
        let shared = (states: Shared(states), delta: delta.map { Shared(UnsafeMutablePointer(mutating: $0)) })
        inParallel(rows: rows) { range in
            let start = range.lowerBound * hidden
            norm.weight.withUnsafeBufferPointer { gamma in
                norm.bias.withUnsafeBufferPointer { beta in
                    cirrus_add_layer_norm(
                        shared.states.pointer + start, shared.delta.map { $0.pointer + start }, Int64(range.count), Int64(hidden),
                        gamma.baseAddress, beta.baseAddress, layerNormEpsilon)
                }
            }
        }
    }

    static let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// A dense layer over all rows, one slice of them per core.
    private static func apply(_ layer: DenseLayer, _ x: UnsafeMutablePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
        let shared = (x: Shared(x), y: Shared(y))
        inParallel(rows: rows) { range in
            layer.apply(shared.x.pointer + range.lowerBound * layer.inputs, rows: range.count, into: shared.y.pointer + range.lowerBound * layer.outputs)
        }
    }

    /// Runs `body` on one slice of the rows per core.
    static func inParallel(rows: Int, _ body: @Sendable (Range<Int>) -> Void) {
        let slices = min(workers, max(1, rows / 16))
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            let start = rows * slice / slices
            let end = rows * (slice + 1) / slices
            if start < end { body(start..<end) }
        }
    }
}

/// A scratch buffer handed to parallel workers, each of which writes only its own rows.
private struct Shared: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    init(_ pointer: UnsafeMutablePointer<Float>) { self.pointer = pointer }
}
