import App
import ArgumentParser
import AsyncHTTPClient
import CirrusCore
import Demo
import Extraction
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SampleDocuments
import Sandbox

/// The import pipeline end to end: a real server in demo mode imports the sandbox's 1,200-file
/// folder and a folder of multi-page PDFs through its workers; PDF extraction is timed next to
/// poppler's own `pdftotext` on the same files.
struct ImportBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Import throughput, time per stage, and PDF extraction next to pdftotext.")

    @Option(help: "Import workers.") var workers: Int = 4
    @Option(help: "Multi-page PDFs to generate for the PDF part.") var pdfs: Int = 60
    @Option(help: "Copies of the corpus text in each PDF (about 3 pages each).") var pdfRepeats: Int = 12

    @Option(help: "Which readers to run: isolated (child processes, as the server does), in-process (the yardstick), or both.")
    var readers: String = "both"

    func run() async throws {
        print("command: make bench-import (.build/release/cirrus-bench import --workers \(workers) --pdfs \(pdfs) --pdf-repeats \(pdfRepeats))")
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores")
        var runs: [(String, (any DocumentReader)?)] = []
        if readers != "in-process" { runs.append(("readers in child processes (the server)", nil)) }
        if readers != "isolated" { runs.append(("readers in process (yardstick)", InProcessReader())) }
        var totals: [String: Double] = [:]
        var pdfFiles: [URL] = []
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cirrus-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for index in 0..<pdfs {
            let file = directory.appendingPathComponent("bench-\(index).pdf")
            try Data(Self.pdf(index: index, repeats: pdfRepeats)).write(to: file)
            pdfFiles.append(file)
        }
        for (label, reader) in runs {
            print("== \(label)")
            totals[label] = try await importRun(reader: reader, pdfFiles: pdfFiles)
        }
        if runs.count == 2, let isolated = totals[runs[0].0], let inProcess = totals[runs[1].0] {
            print(
                String(
                    format: "whole import (both folders): child processes %.1f s, in process %.1f s: %.1f%% %@", isolated, inProcess,
                    abs(isolated / inProcess - 1) * 100, isolated > inProcess ? "slower" : "faster"))
        }
        try pdfComparison(pdfFiles)
    }

    /// Imports the 1,200 small files and the PDFs through a fresh server; returns the seconds both took.
    private func importRun(reader: (any DocumentReader)?, pdfFiles: [URL]) async throws -> Double {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cirrus-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try LoopbackPort.free()
        let sandboxPort = try LoopbackPort.free()
        let origin = "http://127.0.0.1:\(port)"
        let sandboxOrigin = "http://127.0.0.1:\(sandboxPort)"
        let config = try await AppConfig.load(
            overrides: [
                AppConfig.Key.dataDirectory: directory.path, AppConfig.Key.port: String(port), AppConfig.Key.sandboxPort: String(sandboxPort),
                AppConfig.Key.apiBaseURL: origin, AppConfig.Key.adminEmail: "bench@example.com", AppConfig.Key.adminPassword: "a long bench password",
                AppConfig.Key.encryptionKeys: Fernet.generateKey(), AppConfig.Key.logLevel: "critical", AppConfig.Key.bcryptCost: "4",
                AppConfig.Key.importWorkers: String(workers),
            ], environment: [:], environmentFile: directory.appendingPathComponent(".env").path)
        let app = try await DemoEnvironment.application(config, reader: reader)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        let total = try await withThrowingTaskGroup(of: Double?.self) { group -> Double in
            group.addTask {
                try await app.runService()
                return nil
            }
            defer { group.cancelAll() }
            var client = BenchClient(http: http, origin: origin)
            try await client.waitUntilUp()
            try await client.signIn(email: "bench@example.com", password: "a long bench password")
            try await client.connectGoogleDrive()

            // 1. The 1,200 small text files of "Archive 2019-2023".
            let archive = try await client.findFolder("Archive 2019-2023")
            let small = try await client.importAndMeasure(folder: archive)
            print(
                String(
                    format: "1,200 text files: %.1f s, %.0f files/s, %.2f MB/s, CPU %.2f cores busy of %d", small.seconds, small.files / small.seconds,
                    small.megabytes / small.seconds, small.cpuSeconds / small.seconds, ProcessInfo.processInfo.activeProcessorCount))

            // 2. Multi-page PDFs.
            let pdfFolder = try await client.sandboxFolder(sandboxOrigin, name: "Bench PDFs")
            for (index, file) in pdfFiles.enumerated() {
                try await client.sandboxFile(
                    sandboxOrigin, parent: pdfFolder, name: "Bench \(index).pdf", type: "application/pdf", bytes: [UInt8](Data(contentsOf: file)))
            }
            let large = try await client.importAndMeasure(folder: pdfFolder)
            print(
                String(
                    format: "%d PDFs (%.1f MB): %.1f s, %.1f files/s, %.2f MB/s, CPU %.2f cores busy of %d", pdfs, large.megabytes, large.seconds,
                    large.files / large.seconds, large.megabytes / large.seconds, large.cpuSeconds / large.seconds, ProcessInfo.processInfo.activeProcessorCount
                ))
            let stages = try await client.stageTimes()
            for (stage, value) in stages.sorted(by: { $0.key < $1.key }) {
                print(String(format: "  stage %@: %.1f ms per file on average (%d files, both runs)", stage, value.average * 1000, value.count))
            }
            return small.seconds + large.seconds
        }
        try await http.shutdown()
        return total
    }

    /// PDF extraction alone: ours in-process next to pdftotext, the same files, one at a time.
    private func pdfComparison(_ pdfFiles: [URL]) throws {
        let extractor = PDFExtractor()
        var ours = Duration.zero
        var characters = 0
        for file in pdfFiles {
            let bytes = try [UInt8](Data(contentsOf: file))
            let start = ContinuousClock.now
            characters += try extractor.extract(bytes, fileName: file.lastPathComponent).plainText.count
            ours += ContinuousClock.now - start
        }
        var theirs = Duration.zero
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/pdftotext") {
            for file in pdfFiles {
                let start = ContinuousClock.now
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/pdftotext")
                process.arguments = [file.path, "/dev/null"]
                try process.run()
                process.waitUntilExit()
                theirs += ContinuousClock.now - start
            }
        }
        let totalMB = Double(pdfFiles.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1.path)[.size] as? Int) ?? 0) }) / 1_000_000
        print(
            String(
                format: "PDF extraction, %d files, %.1f MB, %d characters: Cirrus (poppler-glib, in process) %.2f s = %.1f MB/s", pdfFiles.count, totalMB,
                characters, ours.seconds, totalMB / ours.seconds))
        if theirs > .zero {
            print(
                String(
                    format: "                pdftotext (poppler-utils, a process per file) %.2f s = %.1f MB/s; Cirrus takes %.0f%% of pdftotext's time",
                    theirs.seconds, totalMB / theirs.seconds, ours.seconds / theirs.seconds * 100))
        } else {
            print("                pdftotext not installed (apt-get install poppler-utils) — no comparison")
        }
    }

    /// A PDF of several corpus documents, repeated, with a heading naming the file.
    static func pdf(index: Int, repeats: Int) -> [UInt8] {
        var sections: [NativeDocument.Section] = [.init(heading: "Bench document \(index)", paragraphs: ["Generated for the import benchmark."])]
        for round in 0..<repeats {
            for document in SampleDocuments.all where document.kind == .text {
                sections += document.sections.map { section in
                    var copy = section
                    copy.heading = (section.heading ?? document.title) + " (\(round + 1))"
                    return copy
                }
            }
        }
        return DocumentFormats.pdf(.text("Bench \(index)", sections))
    }
}

/// The few API calls the import benchmark makes, as an API client would.
struct BenchClient {
    let http: HTTPClient
    let origin: String
    private(set) var bearer = ""

    init(http: HTTPClient, origin: String) {
        self.http = http
        self.origin = origin
    }

    struct Result {
        var seconds: Double
        var files: Double
        var megabytes: Double
        var cpuSeconds: Double
    }

    func call(
        _ url: String, method: HTTPMethod = .GET, json: [String: Any]? = nil, form: String? = nil, bearer: String? = nil
    ) async throws -> (Int, HTTPHeaders, [String: Any], String) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        } else if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: form))
        }
        let response = try await http.execute(request, timeout: .seconds(120))
        let body = String(buffer: try await response.body.collect(upTo: 64 << 20))
        let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        return (Int(response.status.code), response.headers, object, body)
    }

    func waitUntilUp() async throws {
        for _ in 0..<200 {
            if let reply = try? await call(origin + "/health"), reply.0 == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ValidationError("the server did not start")
    }

    mutating func signIn(email: String, password: String) async throws {
        bearer = try await call(origin + "/api/v1/auth/login", method: .POST, json: ["email": email, "password": password]).2["token"] as? String ?? ""
    }

    /// Walks the sandbox's consent page as a browser would.
    func connectGoogleDrive() async throws {
        try await connect(.googleDrive)
    }

    /// Connects a platform through the sandbox's consent page, as a browser would.
    func connect(_ platform: Platform) async throws {
        let start = try await call(origin + "/api/v1/integrations/\(platform.rawValue)/connect", bearer: bearer)
        guard let consent = start.1.first(name: "Location") else { throw ValidationError("connect did not redirect") }
        let page = try await call(consent).3
        guard let action = Self.attribute("action", in: page)?.replacingOccurrences(of: "&amp;", with: "&") else { throw ValidationError("no consent form") }
        var fields: [(String, String)] = [("decision", "allow")]
        var rest = Substring(page)
        while let range = rest.range(of: "<input type=\"hidden\"") {
            let tag = rest[range.lowerBound...].prefix { $0 != ">" }
            if let name = Self.attribute("name", in: String(tag)), let value = Self.attribute("value", in: String(tag)) {
                fields.append((name, value.replacingOccurrences(of: "&amp;", with: "&")))
            }
            rest = rest[range.upperBound...]
        }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)" }.joined(separator: "&")
        let decision = try await call(action, method: .POST, form: body)
        guard let callback = decision.1.first(name: "Location") else { throw ValidationError("consent did not redirect") }
        guard try await call(callback, bearer: bearer).0 == 200 else { throw ValidationError("the callback failed") }
    }

    static func attribute(_ name: String, in html: String) -> String? {
        guard let start = html.range(of: "\(name)=\"") else { return nil }
        return String(html[start.upperBound...].prefix { $0 != "\"" })
    }

    func findFolder(_ name: String) async throws -> String {
        let listing = try await call(origin + "/api/v1/integrations/google_drive/files?folder_id=root", bearer: bearer).2
        guard let id = (listing["files"] as? [[String: Any]] ?? []).first(where: { $0["name"] as? String == name })?["id"] as? String else {
            throw ValidationError("no folder \(name)")
        }
        return id
    }

    func sandboxFolder(_ sandbox: String, name: String) async throws -> String {
        try await call(
            sandbox + "/_sandbox/files", method: .POST, json: ["platform": "google_drive", "name": name, "mimeType": "application/vnd.google-apps.folder"]
        ).2["id"] as? String ?? ""
    }

    func sandboxFile(_ sandbox: String, parent: String, name: String, type: String, bytes: [UInt8]) async throws {
        _ = try await call(
            sandbox + "/_sandbox/files", method: .POST,
            json: ["platform": "google_drive", "parentId": parent, "name": name, "mimeType": type, "content": Data(bytes).base64EncodedString()])
    }

    /// Imports a folder and waits for the job, timing it and the process's CPU use.
    func importAndMeasure(folder: String) async throws -> Result {
        let cpuBefore = Self.cpuSeconds()
        let start = ContinuousClock.now
        let job = try await call(
            origin + "/api/v1/integrations/google_drive/import", method: .POST, json: ["fileIds": [folder], "category": "Bench"], bearer: bearer
        ).2
        guard let id = job["id"] as? String else { throw ValidationError("the import did not start: \(job)") }
        var state: [String: Any] = [:]
        repeat {
            try await Task.sleep(for: .milliseconds(100))
            state = try await call(origin + "/api/v1/imports/\(id)", bearer: bearer).2
        } while state["status"] as? String == "running"
        let seconds = (ContinuousClock.now - start).seconds
        let files = (state["items"] as? [[String: Any]] ?? []).filter { $0["isFolder"] as? Bool != true }
        let failed = files.filter { $0["state"] as? String != "done" }
        if !failed.isEmpty { print("  warning: \(failed.count) files not done, e.g. \(failed.first?["reason"] ?? "")") }
        let documents = try await call(origin + "/api/v1/documents?category=Bench", bearer: bearer).2["documents"] as? [[String: Any]] ?? []
        let ids = Set(files.compactMap { $0["documentId"] as? String })
        let bytes = documents.filter { ids.contains($0["id"] as? String ?? "") }.compactMap { $0["sizeBytes"] as? Int }.reduce(0, +)
        return Result(seconds: seconds, files: Double(files.count), megabytes: Double(bytes) / 1_000_000, cpuSeconds: Self.cpuSeconds() - cpuBefore)
    }

    /// Average seconds per file for each import stage, from the server's Prometheus histograms.
    func stageTimes() async throws -> [String: (average: Double, count: Int)] {
        let text = try await call(origin + "/metrics").3
        var sums: [String: Double] = [:]
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("cirrus_import_stage_duration_seconds_") {
            guard let stageRange = line.range(of: "stage=\""), let value = line.split(separator: " ").last.flatMap({ Double($0) }) else { continue }
            let stage = String(line[stageRange.upperBound...].prefix { $0 != "\"" })
            if line.hasPrefix("cirrus_import_stage_duration_seconds_sum") { sums[stage, default: 0] += value }
            if line.hasPrefix("cirrus_import_stage_duration_seconds_count") { counts[stage, default: 0] += Int(value) }
        }
        return sums.reduce(into: [:]) { result, entry in
            let count = counts[entry.key] ?? 0
            result[entry.key] = (count > 0 ? entry.value / Double(count) : 0, count)
        }
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1_000_000
    }
}
