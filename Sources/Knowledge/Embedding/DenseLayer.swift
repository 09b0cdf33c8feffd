import CKernels
import COpenBLAS
import Foundation

/// Which library multiplies the encoder's dense layers (the query/key/value, output and
/// feed-forward projections: about nine tenths of its arithmetic), set by `CIRRUS_EMBEDDING_KERNELS`.
public enum DenseKernels: String, Sendable, CaseIterable {
    /// oneDNN in fp32: it picks its kernels from the CPU's instructions, and its AVX-512 products
    /// run about three times as fast as OpenBLAS's Haswell ones.
    case oneDNN = "onednn"
    /// oneDNN in bfloat16 with fp32 sums, where the CPU has AVX-512 BF16: half as long again,
    /// vectors at cosine ≥ 0.9999 to fp32's.
    case oneDNNBF16 = "onednn-bf16"
    /// OpenBLAS's `sgemm`, as before oneDNN; also where oneDNN cannot make a product.
    case openBLAS = "openblas"

    /// What runs unless configured: bfloat16 where the CPU multiplies it natively, else fp32.
    public static func preferred(for features: CPUFeatures = .current) -> DenseKernels {
        features.flags.contains("avx512_bf16") ? .oneDNNBF16 : .oneDNN
    }

    /// The instruction set oneDNN's kernels use on this CPU, e.g. `avx512_core_bf16`.
    public static var oneDNNInstructionSet: String { String(cString: cirrus_dense_isa()) }
}

/// One fully connected layer, y = x·Wᵀ + b, on oneDNN or OpenBLAS.
final class DenseLayer: @unchecked Sendable {
    private enum Backend {
        /// oneDNN's product, holding the weights in its own layout.
        case oneDNN(OpaquePointer)
        /// `weight` is [outputs × inputs], row-major, as PyTorch stores it.
        case openBLAS(weight: [Float], bias: [Float])
    }

    let inputs: Int
    let outputs: Int
    private let backend: Backend

    /// Throws when oneDNN cannot make the product asked for (e.g. bfloat16 on a CPU without it).
    init(weight: [Float], bias: [Float], inputs: Int, outputs: Int, kernels: DenseKernels) throws {
        (self.inputs, self.outputs) = (inputs, outputs)
        guard kernels != .openBLAS else {
            backend = .openBLAS(weight: weight, bias: bias)
            return
        }
        var message: UnsafePointer<CChar>?
        let made = weight.withUnsafeBufferPointer { weight in
            bias.withUnsafeBufferPointer { bias in
                cirrus_dense_create(weight.baseAddress, bias.baseAddress, Int64(inputs), Int64(outputs), kernels == .oneDNNBF16 ? 1 : 0, &message)
            }
        }
        guard let made else {
            throw EmbedderError.kernelsUnavailable(kernels.rawValue, message.map { String(cString: $0) } ?? "oneDNN failed")
        }
        backend = .oneDNN(made)
    }

    deinit { if case .oneDNN(let product) = backend { cirrus_dense_destroy(product) } }

    /// y[rows × outputs] = x[rows × inputs] · Wᵀ + b on the calling thread.
    func apply(_ x: UnsafeMutablePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
        guard rows > 0 else { return }
        switch backend {
        case .oneDNN(let product):
            let status = cirrus_dense_apply(product, x, Int64(rows), y)
            // Shapes were checked when the layer was made: what is left is memory running out,
            // which no caller could answer better than a stop that says so.
            precondition(status == 0, "oneDNN's matrix product failed (status \(status))")
        case .openBLAS(let weight, let bias):
            bias.withUnsafeBufferPointer { bias in
                for row in 0..<rows { (y + row * outputs).update(from: bias.baseAddress!, count: outputs) }
            }
            weight.withUnsafeBufferPointer { weight in
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(outputs), Int32(inputs),
                    1, x, Int32(inputs), weight.baseAddress, Int32(inputs), 1, y, Int32(outputs))
            }
        }
    }
}
