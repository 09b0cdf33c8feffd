import COpenBLAS
import Foundation

/// The family of OpenBLAS kernels the embedder's matrix products and the vector search run on.
///
/// OpenBLAS picks its kernels from the CPU's model number, and a model it does not know gets an
/// old family: Debian's 0.3.21 runs SSE3 (`Prescott`) kernels on Xeons whose model it has not
/// seen, and AVX2 (`Haswell`) kernels on newer EPYCs, although both have AVX-512 — the products
/// then run 2–4.6 times slower. Cloud machines often hide the model, so the family is chosen
/// from the features the kernel reports instead, once, before the first product.
public struct MatrixKernels: Sendable, Equatable {
    /// How the family in use was arrived at.
    public enum Choice: String, Sendable, Equatable {
        /// OpenBLAS's own pick was already the best the CPU's features allow.
        case openBLAS = "openblas"
        /// OpenBLAS's pick was older than the features allow; this family was chosen from them.
        case cpuFeatures = "cpu-features"
        /// The operator named the family in `OPENBLAS_CORETYPE`.
        case environment = "environment"
        /// Moved to after the choice, by ``switchFamily(to:)``.
        case requested = "requested"
    }

    /// The OpenBLAS core name in use, e.g. `Cooperlake`, `SkylakeX`, `Haswell`, `Prescott`.
    public let family: String
    /// What OpenBLAS chose by itself from the CPU model.
    public let detected: String
    public let choice: Choice

    /// The kernels of this process, chosen on first use. Every caller of BLAS reads this before
    /// its first product: the choice re-runs OpenBLAS's set-up, which must not overlap a product.
    public static let active: MatrixKernels = {
        let environment = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"].flatMap { $0.isEmpty ? nil : $0 }
        return choose(
            detected: openBLASCoreName(), features: CPUFeatures.current, operatorChoice: environment,
            reinitialize: reinitializeOpenBLAS)
    }()

    /// One line for the server's log.
    public var summary: String {
        switch choice {
        case .openBLAS: "OpenBLAS \(family) kernels (OpenBLAS's own choice)"
        case .cpuFeatures: "OpenBLAS \(family) kernels (chosen from the CPU's features; OpenBLAS detected \(detected))"
        case .environment: "OpenBLAS \(family) kernels (set by OPENBLAS_CORETYPE)"
        case .requested: "OpenBLAS \(family) kernels (moved to on request)"
        }
    }

    /// The operator's family stands; otherwise the newest family the features allow replaces
    /// OpenBLAS's pick when it is newer. `reinitialize` switches OpenBLAS to a family and answers
    /// the name it then reports (`nil`: it cannot switch).
    static func choose(
        detected: String, features: CPUFeatures, operatorChoice: String?, reinitialize: (String) -> String?
    ) -> MatrixKernels {
        if operatorChoice != nil { return MatrixKernels(family: detected, detected: detected, choice: .environment) }
        guard let wanted = features.bestFamily, Tier(family: wanted) > Tier(family: detected),
            let switched = reinitialize(wanted), Tier(family: switched) > Tier(family: detected)
        else { return MatrixKernels(family: detected, detected: detected, choice: .openBLAS) }
        return MatrixKernels(family: switched, detected: detected, choice: .cpuFeatures)
    }

    /// Vector widths in the order OpenBLAS's x86-64 families use them; a family of a higher tier
    /// is never slower on a CPU that has its instructions.
    public enum Tier: Int, Comparable, Sendable {
        case sse, avx, avx2, avx512, avx512BF16

        /// The tier of an OpenBLAS core name (any case); families it does not know count as SSE.
        public init(family: String) {
            switch family.lowercased() {
            case "sandybridge", "bulldozer", "piledriver": self = .avx
            case "haswell", "zen", "steamroller", "excavator": self = .avx2
            case "skylakex": self = .avx512
            case "cooperlake", "sapphirerapids": self = .avx512BF16
            default: self = .sse
            }
        }

        public static func < (lhs: Tier, rhs: Tier) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    private static func openBLASCoreName() -> String {
        guard let name = openblas_get_corename() else { return "Unknown" }
        return String(cString: name)
    }

    /// Moves this process to another family after ``active`` was chosen, to compare families'
    /// results (`cirrus embed --kernels`, the benchmark); only while no product runs. Answers the
    /// kernels then in use, or `nil` when this OpenBLAS cannot switch.
    public static func switchFamily(to family: String) -> MatrixKernels? {
        let chosen = active
        return reinitializeOpenBLAS(family).map { MatrixKernels(family: $0, detected: chosen.detected, choice: .requested) }
    }

    /// Re-runs OpenBLAS's core selection with `OPENBLAS_CORETYPE` set, through the entry points
    /// its dynamic-architecture builds export; a build without them keeps its kernels.
    private static func reinitializeOpenBLAS(_ family: String) -> String? {
        let everything = UnsafeMutableRawPointer(bitPattern: 0)  // RTLD_DEFAULT
        guard let quit = dlsym(everything, "gotoblas_dynamic_quit"), let initialize = dlsym(everything, "gotoblas_dynamic_init") else {
            return nil
        }
        typealias Entry = @convention(c) () -> Void
        let operatorChoice = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) }
        setenv("OPENBLAS_CORETYPE", family, 1)
        unsafeBitCast(quit, to: Entry.self)()
        unsafeBitCast(initialize, to: Entry.self)()
        // Put back as it was: the extraction processes this one starts would read ours as the operator's.
        if let operatorChoice { setenv("OPENBLAS_CORETYPE", operatorChoice, 1) } else { unsetenv("OPENBLAS_CORETYPE") }
        return openBLASCoreName()
    }
}

/// The vector instructions the operating system lets this process use, as `/proc/cpuinfo`
/// lists them (the kernel leaves out what it has not enabled, e.g. AVX-512 state it does not save).
public struct CPUFeatures: Sendable, Equatable {
    public let flags: Set<String>

    public init(flags: Set<String>) { self.flags = flags }

    /// This machine's features, read once; none where `/proc/cpuinfo` cannot be read.
    public static let current: CPUFeatures = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return CPUFeatures(flags: []) }
        return CPUFeatures(cpuinfo: text)
    }()

    /// The features of the first processor listed.
    public init(cpuinfo: String) {
        let line = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }
        let values = line.flatMap { $0.split(separator: ":", maxSplits: 1).last } ?? ""
        flags = Set(values.split(separator: " ").map(String.init))
    }

    /// The newest OpenBLAS x86-64 family whose instructions are all here, or `nil` for none of them.
    public var bestFamily: String? {
        let avx512 = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains)
        if avx512 && flags.contains("avx512_bf16") { return "Cooperlake" }
        if avx512 { return "SkylakeX" }
        if flags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        if flags.contains("avx") { return "Sandybridge" }
        return nil
    }
}

/// What the built-in embedder and the vector search run on, as `/health` and `cirrus embed`
/// report it (snake case, as `/health` always was).
public struct KernelReport: Encodable, Sendable {
    /// The dense layers' kernels; absent with an embeddings service or without the model.
    public let dense: String?
    /// The instruction set oneDNN's kernels use, e.g. `avx512_core_bf16`.
    public let oneDNNInstructionSet: String
    /// The OpenBLAS core name attention and vector search run on, e.g. `Cooperlake`.
    public let family: String
    /// What OpenBLAS picked from the CPU model by itself.
    public let detected: String
    /// `openblas`, `cpu-features`, `environment` (`OPENBLAS_CORETYPE`) or `requested`.
    public let chosenBy: String

    public init(dense: DenseKernels?, openBLAS: MatrixKernels = .active) {
        self.dense = dense?.rawValue
        oneDNNInstructionSet = DenseKernels.oneDNNInstructionSet
        (family, detected, chosenBy) = (openBLAS.family, openBLAS.detected, openBLAS.choice.rawValue)
    }

    enum CodingKeys: String, CodingKey {
        case dense, family, detected
        case oneDNNInstructionSet = "onednn_isa"
        case chosenBy = "chosen_by"
    }
}
