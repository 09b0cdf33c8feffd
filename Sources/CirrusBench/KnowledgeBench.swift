import ArgumentParser
import Foundation
import Knowledge
import SampleDocuments

/// The knowledge base's speed and size: embedding throughput next to sentence-transformers
/// (PyTorch) and ONNX Runtime (fp32 and int8) and on the other kernels (oneDNN bfloat16, OpenBLAS's families), search latency at 10k and 100k passages next to faiss-cpu's flat index on the
/// same vectors, and resident memory at 100k passages. The yardsticks run in the same run.
struct KnowledgeBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "knowledge", abstract: "Embedding throughput, search latency and memory.")

    @Option(help: "The all-MiniLM-L6-v2 directory.") var model = "models/all-MiniLM-L6-v2"
    @Option(help: "Passages embedded for the throughput figure.") var chunks = 512
    @Option(help: "Questions timed per index size.") var queries = 300
    @Option(help: "Index sizes, comma-separated.") var sizes = "10000,100000"
    @Option(help: "Python with sentence-transformers, onnxruntime and faiss-cpu (empty to skip the yardsticks).") var python = "python3"
    @Option(help: "OpenBLAS families to embed the same passages on as well, comma-separated (those this CPU has the instructions for).")
    var families = "Prescott,Haswell,SkylakeX"

    func run() async throws {
        print(
            "command: make bench-knowledge (.build/release/cirrus-bench knowledge --chunks \(chunks) --queries \(queries) --sizes \(sizes) --families \(families))"
        )
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores")
        // fp32 on oneDNN is the base the other kernels are compared with.
        let embedder = try MiniLMEmbedder(directory: URL(fileURLWithPath: model), kernels: .oneDNN)
        print("default dense-layer kernels on this CPU: \(DenseKernels.preferred().rawValue)")
        var generator = SeededGenerator(seed: 42)
        let words = Self.vocabulary()
        let zipf = Zipf(count: words.count, exponent: 1.07)

        // Passages of about 200 word pieces, the chunker's target.
        let texts = (0..<chunks).map { _ in Self.passage(words, zipf, &generator, tokens: 200, tokenizer: embedder.tokenizer) }
        let averageTokens = Double(texts.map { embedder.tokenizer.count($0) }.reduce(0, +)) / Double(texts.count)
        // The ids the model sees (ONNX Runtime is given the same ones below).
        let ids = texts.map { embedder.tokenizer.encode($0, maxLength: MiniLMEmbedder.maxSequenceLength) }
        let tokens = ids.map(\.count).reduce(0, +)
        print("kernels: \(embedder.kernelsSummary)")
        let (vectors, seconds) = Self.timedEmbedding(texts, embedder)
        let passagesPerSecond = Double(texts.count) / seconds
        print(
            String(
                format: "embedding, Cirrus (%@): %d passages of %.0f tokens in %.2f s = %.1f passages/s, %.0f tokens/s",
                embedder.denseKernels.rawValue, texts.count, averageTokens, seconds, passagesPerSecond, Double(tokens) / seconds))
        let bfloat16Rate = try Self.compareKernels(families, texts, model: model, against: (embedder.denseKernels.rawValue, vectors, passagesPerSecond))
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cirrus-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        if !python.isEmpty {
            let path = scratch.appendingPathComponent("texts.json")
            try JSONEncoder().encode(texts).write(to: path)
            if let result = Self.yardstick(python, ["embed", path.path, model]) {
                let yardstick = result["chunks_per_second"] as? Double ?? 0
                print(
                    String(
                        format: "embedding, sentence-transformers (PyTorch %@, %d threads), same passages: %.1f passages/s; Cirrus %.2f×",
                        result["torch"] as? String ?? "?", result["threads"] as? Int ?? 0, yardstick, passagesPerSecond / yardstick))
            }
            // ONNX Runtime reads the same token ids (Cirrus's tokenizer gives Hugging Face's), so
            // its time is the model's alone while Cirrus's includes tokenizing.
            let idsPath = scratch.appendingPathComponent("ids.json")
            try JSONSerialization.data(withJSONObject: ["ids": ids, "vectors": vectors]).write(to: idsPath)
            let threads = ProcessInfo.processInfo.activeProcessorCount
            if let result = Self.yardstick(python, ["onnx", idsPath.path, model, "\(threads)"]) {
                for precision in ["fp32", "int8"] {
                    guard let figures = result[precision] as? [String: Any], let rate = figures["passages_per_second"] as? Double else { continue }
                    let bfloat16 = bfloat16Rate.map { String(format: ", Cirrus bfloat16 %.2f×", $0 / rate) } ?? ""
                    print(
                        String(
                            format:
                                "embedding, ONNX Runtime %@ %@ (%d threads, batches of 32), same token ids: %.1f passages/s, cosine to Cirrus ≥ %.4f; Cirrus fp32 %.2f×%@",
                            result["onnxruntime"] as? String ?? "?", precision, threads, rate, figures["lowest_cosine_to_cirrus"] as? Double ?? 0,
                            passagesPerSecond / rate, bfloat16))
                }
            }
        }

        // Re-ranking a question's short list: the sentences of twelve real passages embedded, as
        // the chat service does for every question (nothing is kept between questions).
        let shortList = Self.shortList()
        let reranker = SentenceReranker()
        let questionVector = embedder.embedNow(["How soon after an outage is the review write-up due?"])[0]
        let shortVectors = embedder.embedNow(shortList.map(\.text))
        let candidates = zip(shortList, shortVectors).map { passage, vector in
            RetrievedPassage(
                documentID: UUID(), title: passage.title, sourceType: "google_drive", url: nil, location: nil, headingPath: "", text: passage.text,
                cosine: zip(vector, questionVector).reduce(Float(0)) { $0 + $1.0 * $1.1 }, bm25Rank: nil)
        }
        let sentenceCount = candidates.map { SentenceReranker.sentences(of: $0).count }.reduce(0, +)
        let rerankRounds = 10
        let rerankStart = ContinuousClock.now
        for _ in 0..<rerankRounds {
            _ = try await reranker.rerank(candidates, question: questionVector) { embedder.embedNow($0) }
        }
        print(
            String(
                format: "re-ranking a question's short list (%d passages, %d sentences embedded): %.0f ms per question",
                candidates.count, sentenceCount, (ContinuousClock.now - rerankStart).seconds * 1000 / Double(rerankRounds)))

        // Search: passages made of the same vocabulary, vectors spread around real embeddings.
        let baseline = Self.residentMegabytes()
        for size in sizes.split(separator: ",").compactMap({ Int($0) }) {
            let index = HybridIndex()
            // The vectors go to a file for faiss as they are made, so they do not count in our memory.
            let vectorsPath = scratch.appendingPathComponent("vectors.f32")
            let queriesPath = scratch.appendingPathComponent("queries.f32")
            FileManager.default.createFile(atPath: vectorsPath.path, contents: nil)
            let stored = try FileHandle(forWritingTo: vectorsPath)
            let buildStart = ContinuousClock.now
            var batch: [IndexedDocument.Passage] = []
            for number in 0..<size {
                let vector = Self.near(
                    vectors[Int.random(in: 0..<vectors.count, using: &generator)], vectors[Int.random(in: 0..<vectors.count, using: &generator)], &generator)
                vector.withUnsafeBufferPointer { stored.write(Data(buffer: $0)) }
                batch.append(
                    .init(chunkID: UUID(), ordinal: number % 10, searchText: Self.passage(words, zipf, &generator, tokens: 150, tokenizer: nil), vector: vector)
                )
                if batch.count == 10 {
                    index.upsert(
                        IndexedDocument(
                            id: UUID(), title: "Document \(number / 10)", category: ["Product", "HR", "Finance"][number % 3], source: "google_drive",
                            passages: batch))
                    batch = []
                }
            }
            let buildSeconds = (ContinuousClock.now - buildStart).seconds
            try stored.close()
            let resident = Self.residentMegabytes()
            let questions = (0..<queries).map { _ -> (String, [Float]) in
                let base = vectors[Int.random(in: 0..<vectors.count, using: &generator)]
                return (Self.passage(words, zipf, &generator, tokens: 9, tokenizer: nil), Self.near(base, base, &generator))
            }
            for (text, vector) in questions.prefix(20) { _ = index.search(text, vector: vector) }
            var timings: [SearchMode: [Double]] = [:]
            for mode in [SearchMode.vector, .bm25, .hybrid] {
                timings[mode] = questions.map { text, vector in
                    let started = ContinuousClock.now
                    _ = index.search(text, vector: vector, mode: mode, limit: 10)
                    return (ContinuousClock.now - started).seconds * 1000
                }.sorted()
            }
            print(String(format: "index of %d passages built in %.1f s", size, buildSeconds))
            for mode in [SearchMode.vector, .bm25, .hybrid] {
                let sorted = timings[mode]!
                print(
                    String(
                        format: "  search %@, Cirrus: p50 %.2f ms, p99 %.2f ms", mode.rawValue, sorted[sorted.count / 2],
                        sorted[Int(Double(sorted.count) * 0.99) - 1]))
            }
            if !python.isEmpty {
                try questions.flatMap(\.1).withUnsafeBufferPointer { try Data(buffer: $0).write(to: queriesPath) }
                if let result = Self.yardstick(python, ["faiss", vectorsPath.path, queriesPath.path, "384", "50"]) {
                    print(
                        String(
                            format: "  search vector, faiss-cpu %@ IndexFlatIP (k=50, %d threads): p50 %.2f ms, p99 %.2f ms",
                            result["faiss"] as? String ?? "?", result["threads"] as? Int ?? 0, result["p50_ms"] as? Double ?? 0,
                            result["p99_ms"] as? Double ?? 0))
                }
            }
            print(
                String(
                    format: "  resident memory with this index: %.0f MB (%.0f MB above the process before any index; the vectors alone are %.0f MB)",
                    resident, resident - baseline, Double(size * 384 * 4) / 1_048_576))
        }
    }

    /// Corpus words first (so passages read like the corpus), then made-up terms for a long tail.
    /// Twelve passages of the sample corpus, as a question's short list.
    static func shortList() -> [(title: String, text: String)] {
        let texts: [(String, String)] = [
            ("Incident Response Runbook", CorpusTexts.incidentRunbook), ("Deployment Guide", CorpusTexts.deploymentGuide),
            ("Launch Checklist", CorpusTexts.launchChecklist), ("Meeting Notes", CorpusTexts.meetingNotes),
            ("Roadmap Review", CorpusTexts.roadmapReview), ("Press Release", CorpusTexts.pressRelease),
            ("Travel Policy", DropboxTexts.travelPolicy), ("Weekly Team Meeting", DropboxTexts.paperAgenda),
            ("On-call Handbook", MicrosoftTexts.oncall), ("Design Review Notes: Atlas", MicrosoftTexts.designReview),
            ("Weekly update 7", CorpusTexts.weeklyUpdate(7)), ("Timesheet 3", MicrosoftTexts.timesheet(3)),
        ]
        return texts
    }

    static func vocabulary() -> [String] {
        let text = SampleDocuments.all.map(\.plainText).joined(separator: " ")
        var seen: Set<String> = []
        var words: [String] = []
        for word in text.lowercased().split(whereSeparator: { !$0.isLetter }) where word.count > 1 && seen.insert(String(word)).inserted {
            words.append(String(word))
        }
        for number in 0..<20_000 { words.append("term\(number)") }
        return words
    }

    static func passage(_ words: [String], _ zipf: Zipf, _ generator: inout SeededGenerator, tokens: Int, tokenizer: WordPieceTokenizer?) -> String {
        var parts: [String] = []
        var count = 0
        while count < tokens {
            let word = words[zipf.sample(&generator)]
            parts.append(word)
            count += tokenizer?.count(word) ?? (word.hasPrefix("term") ? 3 : 1)
            if parts.count % 14 == 0 { parts[parts.count - 1] += "." }
        }
        return parts.joined(separator: " ")
    }

    /// A unit vector near a blend of two real embeddings.
    static func near(_ a: [Float], _ b: [Float], _ generator: inout SeededGenerator) -> [Float] {
        var vector = (0..<a.count).map { a[$0] + 0.5 * b[$0] + Float.random(in: -0.05...0.05, using: &generator) }
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for index in vector.indices { vector[index] /= norm }
        return vector
    }

    static func residentMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kilobytes / 1024
    }

    /// Embeds `texts` once after a warm-up, answering the vectors and the seconds it took.
    static func timedEmbedding(_ texts: [String], _ embedder: MiniLMEmbedder) -> ([[Float]], Double) {
        _ = embedder.embedNow(Array(texts.prefix(16)))
        let start = ContinuousClock.now
        let vectors = embedder.embedNow(texts)
        return (vectors, (ContinuousClock.now - start).seconds)
    }

    /// The same passages on the other dense-layer kernels: oneDNN in bfloat16 where the CPU has
    /// it, and OpenBLAS on each of `families` this CPU has the instructions for (this process
    /// moves between them; nothing else runs products meanwhile), each with the lowest cosine
    /// of its vectors to the default's; answers bfloat16's passages a second.
    static func compareKernels(
        _ families: String, _ texts: [String], model: String, against chosen: (name: String, vectors: [[Float]], rate: Double)
    ) throws -> Double? {
        @discardableResult func measure(_ name: String, _ kernels: DenseKernels) throws -> Double {
            let embedder = try MiniLMEmbedder(directory: URL(fileURLWithPath: model), kernels: kernels)
            let (vectors, seconds) = timedEmbedding(texts, embedder)
            let lowest = zip(vectors, chosen.vectors).map { zip($0, $1).reduce(Float(0)) { $0 + $1.0 * $1.1 } }.min() ?? 0
            let rate = Double(texts.count) / seconds
            print(
                String(
                    format: "embedding, Cirrus on %@: %.1f passages/s, cosine to %@'s ≥ %.5f; %@ %.2f× this",
                    name, rate, chosen.name, lowest, chosen.name, chosen.rate / rate))
            return rate
        }
        let bfloat16 = CPUFeatures.current.flags.contains("avx512_bf16") ? try measure("oneDNN bfloat16", .oneDNNBF16) : nil
        let allowed = MatrixKernels.Tier(family: CPUFeatures.current.bestFamily ?? "Prescott")
        let original = MatrixKernels.active.family
        for family in families.split(separator: ",").map(String.init) where MatrixKernels.Tier(family: family) <= allowed {
            guard let running = MatrixKernels.switchFamily(to: family) else { throw ValidationError("This OpenBLAS cannot switch kernels.") }
            try measure("OpenBLAS \(running.family) kernels", .openBLAS)
        }
        _ = MatrixKernels.switchFamily(to: original)
        return bfloat16
    }

    /// Runs the Python yardstick and returns its JSON line, or nil (with a note) when it cannot run.
    static func yardstick(_ python: String, _ arguments: [String]) -> [String: Any]? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, "scripts/bench/yardsticks.py"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["HF_HUB_OFFLINE"] = "1"
        environment["TRANSFORMERS_OFFLINE"] = "1"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            print("  (yardstick not run: \(error))")
            return nil
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
            let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else {
            print("  (yardstick failed; `make bench` installs sentence-transformers, onnxruntime and faiss-cpu)")
            return nil
        }
        return json
    }
}

/// Zipf-distributed indices (word frequencies in text follow it), sampled by inverse CDF.
struct Zipf {
    private let cumulative: [Double]

    init(count: Int, exponent: Double) {
        var total = 0.0
        cumulative = (1...count).map { rank in
            total += 1 / pow(Double(rank), exponent)
            return total
        }.map { $0 / total }
    }

    func sample(_ generator: inout SeededGenerator) -> Int {
        let target = Double.random(in: 0..<1, using: &generator)
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] < target { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// A reproducible random source (SplitMix64), so every run measures the same data.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
