import COpenBLAS
import Foundation

/// The 6-layer BERT encoder of all-MiniLM-L6-v2 with mean pooling and L2 normalisation, as
/// sentence-transformers runs it. Sequences are packed back to back (no padding): the dense
/// layers see every token of a batch as one matrix for `cblas_sgemm`, and attention runs per
/// sequence over its own tokens only — the same result as padding with an attention mask,
/// without computing the padding.
final class MiniLMEncoder: Sendable {
    static let hidden = 384
    static let heads = 12
    static let headSize = 32
    static let intermediate = 1536
    static let layerNormEpsilon: Float = 1e-12

    private struct Linear: Sendable {
        let weight: [Float]  // [outputs × inputs], row-major, as PyTorch stores it
        let bias: [Float]
        let inputs: Int
        let outputs: Int

        /// y[rows × outputs] = x[rows × inputs] · Wᵀ + b, the rows split over the cores.
        func apply(_ x: UnsafeMutablePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
            let shared = (x: Shared(x), y: Shared(y))
            MiniLMEncoder.inParallel(rows: rows) { range in
                let x = shared.x.pointer + range.lowerBound * inputs
                let y = shared.y.pointer + range.lowerBound * outputs
                bias.withUnsafeBufferPointer { bias in
                    for row in 0..<range.count { (y + row * outputs).update(from: bias.baseAddress!, count: outputs) }
                }
                weight.withUnsafeBufferPointer { weight in
                    cblas_sgemm(
                        CblasRowMajor, CblasNoTrans, CblasTrans, Int32(range.count), Int32(outputs), Int32(inputs),
                        1, x, Int32(inputs), weight.baseAddress, Int32(inputs), 1, y, Int32(outputs))
                }
            }
        }
    }

    private struct LayerNorm: Sendable {
        let weight: [Float]
        let bias: [Float]
    }

    private struct Layer: Sendable {
        let queryKeyValue: Linear  // the three projections fused into one [1152 × 384] product
        let attentionOutput: Linear
        let attentionNorm: LayerNorm
        let intermediate: Linear
        let output: Linear
        let outputNorm: LayerNorm
    }

    private let wordEmbeddings: [Float]
    private let positionEmbeddings: [Float]
    private let tokenTypeEmbedding: [Float]
    private let embeddingNorm: LayerNorm
    private let layers: [Layer]
    let vocabularySize: Int
    let maxPositions: Int

    init(weights url: URL) throws {
        // All parallelism is ours (rows split over the cores): OpenBLAS's own threads would
        // spin in sched_yield whenever the element-wise steps run between two products.
        openblas_set_num_threads(1)
        let tensors = try SafeTensors(url: url)
        let h = Self.hidden
        func norm(_ prefix: String) throws -> LayerNorm {
            LayerNorm(weight: try tensors.floats("\(prefix).weight", shape: [h]), bias: try tensors.floats("\(prefix).bias", shape: [h]))
        }
        func linear(_ prefix: String, _ inputs: Int, _ outputs: Int) throws -> Linear {
            Linear(
                weight: try tensors.floats("\(prefix).weight", shape: [outputs, inputs]),
                bias: try tensors.floats("\(prefix).bias", shape: [outputs]), inputs: inputs, outputs: outputs)
        }
        vocabularySize = 30522
        maxPositions = 512
        wordEmbeddings = try tensors.floats("embeddings.word_embeddings.weight", shape: [vocabularySize, h])
        positionEmbeddings = try tensors.floats("embeddings.position_embeddings.weight", shape: [maxPositions, h])
        tokenTypeEmbedding = Array(try tensors.floats("embeddings.token_type_embeddings.weight", shape: [2, h]).prefix(h))
        embeddingNorm = try norm("embeddings.LayerNorm")
        layers = try (0..<6).map { index in
            let p = "encoder.layer.\(index)"
            let q = try linear("\(p).attention.self.query", h, h)
            let k = try linear("\(p).attention.self.key", h, h)
            let v = try linear("\(p).attention.self.value", h, h)
            return Layer(
                queryKeyValue: Linear(weight: q.weight + k.weight + v.weight, bias: q.bias + k.bias + v.bias, inputs: h, outputs: 3 * h),
                attentionOutput: try linear("\(p).attention.output.dense", h, h),
                attentionNorm: try norm("\(p).attention.output.LayerNorm"),
                intermediate: try linear("\(p).intermediate.dense", h, Self.intermediate),
                output: try linear("\(p).output.dense", Self.intermediate, h),
                outputNorm: try norm("\(p).output.LayerNorm"))
        }
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
        Self.layerNorm(states, rows: rows, embeddingNorm)

        let scale = 1 / Float(Self.headSize).squareRoot()
        let workers = Self.workers
        for layer in layers {
            // Self-attention, each sequence over its own tokens, each head over its 32 columns.
            // The products are small, so the (sequence, head) pairs run in parallel, one core
            // each, rather than each product split over the cores.
            layer.queryKeyValue.apply(states, rows: rows, into: qkv)
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
                    Self.softmaxRows(scores, rows: Int(n))
                    cblas_sgemm(
                        CblasRowMajor, CblasNoTrans, CblasNoTrans, n, Int32(Self.headSize), n,
                        1, scores, n, v, Int32(3 * h), 0, scratch + offsets[index] * h + head * Self.headSize, Int32(h))
                }
            }
            // Output projection, residual, LayerNorm.
            layer.attentionOutput.apply(scratch, rows: rows, into: qkv)
            Self.addAndNorm(qkv, into: states, rows: rows, layer.attentionNorm)
            // Feed-forward with GELU (the exact, erf-based one BERT uses), residual, LayerNorm.
            layer.intermediate.apply(states, rows: rows, into: wide)
            let sharedWide = Shared(wide)
            Self.inParallel(rows: rows) { range in
                Self.gelu(sharedWide.pointer + range.lowerBound * Self.intermediate, count: range.count * Self.intermediate)
            }
            layer.output.apply(wide, rows: rows, into: scratch)
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

    private static func layerNorm(_ x: UnsafeMutablePointer<Float>, rows: Int, _ norm: LayerNorm) {
        let h = hidden
        norm.weight.withUnsafeBufferPointer { gamma in
            norm.bias.withUnsafeBufferPointer { beta in
                for rowIndex in 0..<rows {
                    let row = x + rowIndex * h
                    var mean: Float = 0
                    for column in 0..<h { mean += row[column] }
                    mean /= Float(h)
                    var variance: Float = 0
                    for column in 0..<h {
                        let d = row[column] - mean
                        variance += d * d
                    }
                    variance /= Float(h)
                    let inverse = 1 / (variance + layerNormEpsilon).squareRoot()
                    for column in 0..<h { row[column] = (row[column] - mean) * inverse * gamma[column] + beta[column] }
                }
            }
        }
    }

    /// states = LayerNorm(states + delta), rows split over the cores.
    private static func addAndNorm(_ delta: UnsafePointer<Float>, into states: UnsafeMutablePointer<Float>, rows: Int, _ norm: LayerNorm) {
        let shared = (states: Shared(states), delta: Shared(UnsafeMutablePointer(mutating: delta)))
        inParallel(rows: rows) { range in
            let states = shared.states.pointer
            let delta = shared.delta.pointer
            let start = range.lowerBound * hidden
            for index in start..<(range.upperBound * hidden) { states[index] += delta[index] }
            layerNorm(states + start, rows: range.count, norm)
        }
    }

    static let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Runs `body` on one slice of the rows per core.
    static func inParallel(rows: Int, _ body: @Sendable (Range<Int>) -> Void) {
        let slices = min(workers, max(1, rows / 16))
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            let start = rows * slice / slices
            let end = rows * (slice + 1) / slices
            if start < end { body(start..<end) }
        }
    }

    /// Row-wise softmax of a square matrix. Reductions run on eight lanes (a scalar loop of
    /// float sums cannot be vectorised without changing the order of additions).
    private static func softmaxRows(_ x: UnsafeMutablePointer<Float>, rows: Int) {
        let lanes = rows / 8 * 8
        for rowIndex in 0..<rows {
            let row = x + rowIndex * rows
            // Four running maxima, so the comparisons do not wait on one another.
            var m0 = -Float.infinity
            var m1 = m0
            var m2 = m0
            var m3 = m0
            var column = 0
            while column + 4 <= rows {
                if row[column] > m0 { m0 = row[column] }
                if row[column + 1] > m1 { m1 = row[column + 1] }
                if row[column + 2] > m2 { m2 = row[column + 2] }
                if row[column + 3] > m3 { m3 = row[column + 3] }
                column += 4
            }
            while column < rows {
                if row[column] > m0 { m0 = row[column] }
                column += 1
            }
            let maximum = max(max(m0, m1), max(m2, m3))
            for column in 0..<rows { row[column] = fastExp(row[column] - maximum) }
            var total = SIMD8<Float>(repeating: 0)
            UnsafeMutableRawPointer(row).withMemoryRebound(to: SIMD8<Float>.self, capacity: lanes / 8) { vectors in
                for index in 0..<(lanes / 8) { total += vectors[index] }
            }
            var sum = total.sum()
            for column in lanes..<rows { sum += row[column] }
            let inverse = 1 / sum
            for column in 0..<rows { row[column] *= inverse }
        }
    }

    private static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let inverseRoot2: Float = 0.7071067811865476
        for index in 0..<count {
            let value = x[index]
            x[index] = 0.5 * value * (1 + erf(value * inverseRoot2))
        }
    }

    /// e^x to about 2e-7 relative error, without a library call, so loops of it vectorise:
    /// 2^(x·log2 e) split into an integer power (built in the exponent bits) and a fraction
    /// (a degree-6 polynomial).
    @inline(__always)
    static func fastExp(_ x: Float) -> Float {
        let clamped = x < -87 ? -87 : (x > 88 ? 88 : x)
        let t = clamped * 1.442695040888963
        // Adding 1.5·2²³ rounds t to the nearest integer in the low mantissa bits: no
        // float-to-int conversion (whose overflow check would stop vectorisation).
        let shifted = t + 12_582_912
        let whole = Int32(bitPattern: shifted.bitPattern) &- 0x4B40_0000
        let f = t - (shifted - 12_582_912)  // in [-0.5, 0.5]
        // 2^f by its Taylor series to the 7th term: under 1.3e-7 relative error on [-0.5, 0.5].
        var p: Float = 1.5252734e-5
        p = p * f + 1.5403530e-4
        p = p * f + 1.3333558e-3
        p = p * f + 9.6181291e-3
        p = p * f + 5.5504109e-2
        p = p * f + 2.4022651e-1
        p = p * f + 6.9314718e-1
        p = p * f + 1
        return p * Float(bitPattern: UInt32(bitPattern: (whole &+ 127) &<< 23))
    }

    /// erf(x) to about 1.5e-7 absolute error (Abramowitz & Stegun 7.1.26), vectorisable.
    @inline(__always)
    static func erf(_ x: Float) -> Float {
        let a = x.magnitude
        let t = 1 / (1 + 0.3275911 * a)
        var p: Float = 1.061405429
        p = p * t - 1.453152027
        p = p * t + 1.421413741
        p = p * t - 0.284496736
        p = p * t + 0.254829592
        let y = 1 - p * t * fastExp(-a * a)
        return x < 0 ? -y : y
    }
}

/// A scratch buffer handed to parallel workers, each of which writes only its own rows.
private struct Shared: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    init(_ pointer: UnsafeMutablePointer<Float>) { self.pointer = pointer }
}
