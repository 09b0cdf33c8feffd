import Foundation
import Testing

@testable import Knowledge

@Suite("Matrix kernels chosen from the CPU's features, and every one of them right")
struct MatrixKernelsTests {
    static let avx512 = "fpu sse sse2 ssse3 sse4_1 sse4_2 avx fma avx2 avx512f avx512dq avx512cd avx512bw avx512vl"

    @Test("the features name the newest OpenBLAS family whose instructions are all there")
    func familyFromFeatures() {
        // given /proc/cpuinfo lines of four machines, when read, then each gets its family
        #expect(CPUFeatures(cpuinfo: "processor\t: 0\nflags\t\t: \(Self.avx512) avx512_vnni avx512_bf16\n").bestFamily == "Cooperlake")
        #expect(CPUFeatures(cpuinfo: "flags\t: \(Self.avx512)\n").bestFamily == "SkylakeX")
        #expect(CPUFeatures(cpuinfo: "flags\t: sse sse2 avx fma avx2 avx512f\n").bestFamily == "Haswell")
        #expect(CPUFeatures(cpuinfo: "flags\t: sse sse2 avx\n").bestFamily == "Sandybridge")
        #expect(CPUFeatures(cpuinfo: "flags\t: sse sse2 sse3\n").bestFamily == nil)
        #expect(CPUFeatures(cpuinfo: "").bestFamily == nil)
    }

    @Test("an older pick by OpenBLAS is replaced, a pick as new stays, the operator's stands, and a build that cannot switch keeps its own")
    func choice() {
        // given a CPU with AVX-512 and BF16
        let features = CPUFeatures(cpuinfo: "flags: \(Self.avx512) avx512_bf16")
        var asked: [String] = []
        let switches: (String) -> String? = { family in
            asked.append(family)
            return family
        }
        // when OpenBLAS took SSE3 or AVX2 kernels, then the features' family replaces them
        #expect(
            MatrixKernels.choose(detected: "Prescott", features: features, operatorChoice: nil, reinitialize: switches)
                == MatrixKernels(family: "Cooperlake", detected: "Prescott", choice: .cpuFeatures))
        #expect(MatrixKernels.choose(detected: "Haswell", features: features, operatorChoice: nil, reinitialize: switches).family == "Cooperlake")
        #expect(asked == ["Cooperlake", "Cooperlake"])
        // when OpenBLAS's own pick is as new, or the operator named one, then nothing is switched
        #expect(MatrixKernels.choose(detected: "SapphireRapids", features: features, operatorChoice: nil, reinitialize: switches).choice == .openBLAS)
        #expect(
            MatrixKernels.choose(detected: "Prescott", features: features, operatorChoice: "Prescott", reinitialize: switches)
                == MatrixKernels(family: "Prescott", detected: "Prescott", choice: .environment))
        #expect(asked.count == 2)
        // when the build cannot switch (no dynamic architectures), or lands on no newer family, it keeps its kernels
        #expect(MatrixKernels.choose(detected: "Prescott", features: features, operatorChoice: nil) { _ in nil }.family == "Prescott")
        #expect(MatrixKernels.choose(detected: "Prescott", features: features, operatorChoice: nil) { _ in "Prescott" }.choice == .openBLAS)
        // and a CPU without AVX keeps what OpenBLAS chose
        #expect(
            MatrixKernels.choose(detected: "Nehalem", features: CPUFeatures(flags: ["sse4_2"]), operatorChoice: nil, reinitialize: switches).family == "Nehalem"
        )
    }

    @Test("this process runs the newest family this CPU's features allow")
    func thisMachine() {
        // given this machine's features, when the kernels are chosen, then none newer was left unused
        let kernels = MatrixKernels.active
        print("matrix kernels here: \(kernels.summary)")
        guard kernels.choice != .environment, let best = CPUFeatures.current.bestFamily else { return }
        #expect(MatrixKernels.Tier(family: kernels.family) >= MatrixKernels.Tier(family: best), "\(kernels.summary)")
    }

    @Test("OpenBLAS's family in use and every older one give the reference vectors (cosine ≥ 0.999), the SSE3 fallback included")
    func olderFamiliesMatchTheReference() throws {
        // given the reference sentences and the families up to the one this process uses, oldest
        // first (never a newer one: where the operator set OPENBLAS_CORETYPE, it may be for a reason)
        let reference = try Self.reference()
        let inUse = MatrixKernels.Tier(family: MatrixKernels.active.family)
        let families = ["Prescott", "Sandybridge", "Haswell", "SkylakeX", "Cooperlake"].filter { MatrixKernels.Tier(family: $0) <= inUse }
        for family in families {
            // when `cirrus embed` runs every product on OpenBLAS with that family
            let output = try Self.embed(reference.map(\.text), ["CIRRUS_EMBEDDING_KERNELS": "openblas", "OPENBLAS_CORETYPE": family])
            // then it says which it ran and its vectors are the reference's
            #expect(output.kernels.family == family)
            #expect(output.kernels.chosen_by == "environment")
            #expect(output.kernels.dense == "openblas")
            Self.expectReference(reference, output, "OpenBLAS \(family)")
        }
    }

    @Test(
        "oneDNN's dense layers give the reference vectors on every instruction set up to this CPU's, fall back when bfloat16 cannot run, and run it where it can"
    )
    func oneDNNMatchesTheReference() throws {
        // given the reference sentences and the instruction sets oneDNN may be held to here
        let reference = try Self.reference()
        let features = CPUFeatures.current
        var limits = ["SSE41"]
        if features.flags.contains("avx2") { limits.append("AVX2") }
        if MatrixKernels.Tier(family: features.bestFamily ?? "") >= .avx512 { limits.append("AVX512_CORE") }
        for limit in limits {
            // when `cirrus embed` runs the dense layers in fp32 on oneDNN held to that set
            let output = try Self.embed(reference.map(\.text), ["CIRRUS_EMBEDDING_KERNELS": "onednn", "DNNL_MAX_CPU_ISA": limit])
            // then oneDNN ran on it and the vectors are the reference's
            #expect(output.kernels.dense == "onednn")
            #expect(output.kernels.onednn_isa == limit.lowercased())
            Self.expectReference(reference, output, "oneDNN fp32 on \(limit)")
        }
        // and bfloat16 asked for where oneDNN has no bfloat16 product (held to AVX2) falls back to fp32
        let fallback = try Self.embed(reference.map(\.text), ["CIRRUS_EMBEDDING_KERNELS": "onednn-bf16", "DNNL_MAX_CPU_ISA": "AVX2"])
        #expect(fallback.kernels.dense == "onednn")
        Self.expectReference(reference, fallback, "bfloat16 asked, \(fallback.kernels.dense) given")
        // and in bfloat16, the default where the CPU multiplies it natively
        guard features.flags.contains("avx512_bf16") else { return }
        #expect(DenseKernels.preferred(for: features) == .oneDNNBF16)
        let output = try Self.embed(reference.map(\.text), ["CIRRUS_EMBEDDING_KERNELS": "onednn-bf16"])
        #expect(output.kernels.dense == "onednn-bf16")
        Self.expectReference(reference, output, "oneDNN bfloat16")
    }

    @Test("a process's default kernels are the preferred ones, and a CPU without BF16 prefers fp32")
    func defaults() throws {
        // given a CPU without AVX-512 BF16, then fp32 is preferred
        #expect(DenseKernels.preferred(for: CPUFeatures(cpuinfo: "flags: \(Self.avx512)")) == .oneDNN)
        // when `cirrus embed` runs as configured here, then it runs what this CPU prefers
        let reference = try Self.reference()
        let output = try Self.embed(reference.map(\.text), [:])
        #expect(output.kernels.dense == DenseKernels.preferred().rawValue)
        #expect(output.kernels.family == MatrixKernels.active.family)
        Self.expectReference(reference, output, "default")
    }

    @Test("a process started on SSE3 kernels is moved to a newer family the way the server moves itself, and its vectors stay the reference's")
    func switchingFamilies() throws {
        // given `cirrus embed` started on Prescott kernels, with the family in use here to move to
        let reference = try Self.reference()
        let target = MatrixKernels.active.family
        try #require(MatrixKernels.Tier(family: target) > MatrixKernels.Tier(family: "Prescott"), "this CPU runs SSE3 kernels only")
        // when it switches before embedding
        let output = try Self.embed(
            reference.map(\.text), ["CIRRUS_EMBEDDING_KERNELS": "openblas", "OPENBLAS_CORETYPE": "Prescott"], switchingTo: target)
        // then it runs the new family and its vectors are still the reference's
        #expect(output.kernels.family == target)
        #expect(output.kernels.chosen_by == "requested")
        Self.expectReference(reference, output, "switched to \(target)")
    }

    /// The reference sentences that fit on one line of `cirrus embed`'s input.
    static func reference() throws -> [Reference.Item] { try Reference.load().items.filter { !$0.text.contains("\n") } }

    static func expectReference(_ reference: [Reference.Item], _ output: EmbedOutput, _ label: String) {
        #expect(output.vectors.count == reference.count, "\(label)")
        let cosines = zip(reference, output.vectors).map { item, vector in zip(item.embedding, vector).reduce(0) { $0 + $1.0 * $1.1 } }
        print("\(label): lowest cosine with sentence-transformers \(cosines.min() ?? 0)")
        #expect(cosines.allSatisfy { $0 >= 0.999 }, "\(label): lowest cosine \(cosines.min() ?? 0)")
    }

    struct EmbedOutput: Decodable {
        struct Kernels: Decodable {
            let family: String
            let chosen_by: String
            let dense: String
            let onednn_isa: String
        }
        let kernels: Kernels
        let vectors: [[Float]]
    }

    /// Runs `cirrus embed` (built next to the test bundle) on `texts` with `environment` over
    /// this process's, switching OpenBLAS to `switchingTo` after it starts.
    static func embed(_ texts: [String], _ environment: [String: String], switchingTo: String? = nil) throws -> EmbedOutput {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("cirrus")
        process.arguments = ["embed", "--model-directory", modelDirectory.path] + (switchingTo.map { ["--kernels", $0] } ?? [])
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(texts.joined(separator: "\n").utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return try JSONDecoder().decode(EmbedOutput.self, from: data)
    }
}
