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

        /// y[rows × outputs] = x[rows × inputs] · Wᵀ + b
        func apply(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
            bias.withUnsafeBufferPointer { bias in
                for row in 0..<rows { (y + row * outputs).update(from: bias.baseAddress!, count: outputs) }
            }
            weight.withUnsafeBufferPointer { weight in
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(outputs), Int32(inputs),
                            1, x, Int32(inputs), weight.baseAddress, Int32(inputs), 1, y, Int32(outputs))
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
        let tensors = try SafeTensors(url: url)
        let h = Self.hidden
        func norm(_ prefix: String) throws -> LayerNorm {
            LayerNorm(weight: try tensors.floats("\(prefix).weight", shape: [h]), bias: try tensors.floats("\(prefix).bias", shape: [h]))
        }
        func linear(_ prefix: String, _ inputs: Int, _ outputs: Int) throws -> Linear {
            Linear(weight: try tensors.floats("\(prefix).weight", shape: [outputs, inputs]),
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
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: longest * longest)
        defer { [states, scratch, qkv, wide, scores].forEach { $0.deallocate() } }

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
        for layer in layers {
            // Self-attention, each sequence over its own tokens, each head over its 32 columns.
            layer.queryKeyValue.apply(states, rows: rows, into: qkv)
            for index in sequences.indices {
                let n = Int32(sequences[index].count)
                let base = qkv + offsets[index] * 3 * h
                let context = scratch + offsets[index] * h
                for head in 0..<Self.heads {
                    let q = base + head * Self.headSize
                    let k = base + h + head * Self.headSize
                    let v = base + 2 * h + head * Self.headSize
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, Int32(Self.headSize),
                                scale, q, Int32(3 * h), k, Int32(3 * h), 0, scores, n)
                    Self.softmaxRows(scores, rows: Int(n))
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, Int32(Self.headSize), n,
                                1, scores, n, v, Int32(3 * h), 0, context + head * Self.headSize, Int32(h))
                }
            }
            // Output projection, residual, LayerNorm.
            layer.attentionOutput.apply(scratch, rows: rows, into: qkv)
            Self.addAndNorm(qkv, into: states, rows: rows, layer.attentionNorm)
            // Feed-forward with GELU (the exact, erf-based one BERT uses), residual, LayerNorm.
            layer.intermediate.apply(states, rows: rows, into: wide)
            Self.gelu(wide, count: rows * Self.intermediate)
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
                for column in 0..<h { out[column] /= Float(count); norm += out[column] * out[column] }
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
                    for column in 0..<h { let d = row[column] - mean; variance += d * d }
                    variance /= Float(h)
                    let inverse = 1 / (variance + layerNormEpsilon).squareRoot()
                    for column in 0..<h { row[column] = (row[column] - mean) * inverse * gamma[column] + beta[column] }
                }
            }
        }
    }

    /// states = LayerNorm(states + delta)
    private static func addAndNorm(_ delta: UnsafePointer<Float>, into states: UnsafeMutablePointer<Float>, rows: Int, _ norm: LayerNorm) {
        for index in 0..<(rows * hidden) { states[index] += delta[index] }
        layerNorm(states, rows: rows, norm)
    }

    private static func softmaxRows(_ x: UnsafeMutablePointer<Float>, rows: Int) {
        for rowIndex in 0..<rows {
            let row = x + rowIndex * rows
            var maximum = -Float.infinity
            for column in 0..<rows { maximum = max(maximum, row[column]) }
            var sum: Float = 0
            for column in 0..<rows { let e = expf(row[column] - maximum); row[column] = e; sum += e }
            let inverse = 1 / sum
            for column in 0..<rows { row[column] *= inverse }
        }
    }

    private static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let inverseRoot2: Float = 0.7071067811865476
        for index in 0..<count {
            let value = x[index]
            x[index] = 0.5 * value * (1 + erff(value * inverseRoot2))
        }
    }
}
