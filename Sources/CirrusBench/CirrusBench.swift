import ArgumentParser
import AsyncHTTPClient
import CirrusCore
import Foundation
import Logging
import NIOCore
import Sandbox

/// `cirrus-bench`: throughput figures for parts of Cirrus, printed with the command that made them.
@main
struct CirrusBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cirrus-bench", abstract: "Benchmarks for Cirrus.",
        subcommands: [SandboxBench.self, ImportBench.self, KnowledgeBench.self, LoadBench.self, SyncBench.self, OCRBench.self, FuzzSeeds.self],
        defaultSubcommand: SandboxBench.self)
}

/// How fast the provider sandbox serves listings and downloads over loopback: the ceiling the
/// source sets for import benchmarks.
struct SandboxBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sandbox", abstract: "Listing and download throughput of the sandbox over loopback.")

    @Option(help: "Seconds to run each request-rate measurement.") var seconds: Double = 5
    @Option(help: "Concurrent requests.") var concurrency: Int = 8
    @Option(help: "Times to download the 150 MB file.") var largeDownloads: Int = 3

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let sandbox = Sandbox()
        let seedStart = ContinuousClock.now
        await sandbox.start()
        let seedTime = ContinuousClock.now - seedStart
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = buildSandboxApplication(sandbox, port: 0, logger: logger) { port in portContinuation.yield(port) }
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(timeout: .init(connect: .seconds(5), read: .seconds(120))))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            var iterator = portStream.makeAsyncIterator()
            guard let port = await iterator.next() else { return }
            let origin = "http://127.0.0.1:\(port)"
            let token = try await Self.googleToken(sandbox)
            let graphToken = try await Self.graphToken(sandbox)
            print(
                "command: make bench-sandbox (.build/release/cirrus-bench sandbox --seconds \(seconds) --concurrency \(concurrency) --large-downloads \(largeDownloads))"
            )
            print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores")
            print(String(format: "corpus seeding (4 providers): %.2f s", seedTime.seconds))

            let folder = try await Self.json(http, "\(origin)/www.googleapis.com/drive/v3/files?q=\(Self.encode("name = 'Archive 2019-2023'"))", token)
            let folderID = ((folder["files"] as? [[String: Any]])?.first?["id"] as? String) ?? ""
            let listURL =
                "\(origin)/www.googleapis.com/drive/v3/files?pageSize=100&fields=\(Self.encode("nextPageToken,files(id,name,size,modifiedTime)"))&q=\(Self.encode("'\(folderID)' in parents and trashed = false"))"
            let listing = try await measure(http, url: listURL, token: token)
            print(
                String(
                    format: "Drive files.list (100 items/page): %.0f requests/s, %.0f items/s, p50 %.1f ms, p99 %.1f ms", listing.rate, listing.rate * 100,
                    listing.p50, listing.p99))

            let graphURL = "\(origin)/graph.microsoft.com/v1.0/me/drive/root:/Timesheets:/children?$top=200"
            let graph = try await measure(http, url: graphURL, token: graphToken)
            print(
                String(
                    format: "Graph children (200 items/page): %.0f requests/s, %.0f items/s, p50 %.1f ms, p99 %.1f ms", graph.rate, graph.rate * 200, graph.p50,
                    graph.p99))

            let small = try await Self.json(http, "\(origin)/www.googleapis.com/drive/v3/files?q=\(Self.encode("name = 'Weekly Update 0001.txt'"))", token)
            let smallID = ((small["files"] as? [[String: Any]])?.first?["id"] as? String) ?? ""
            let smallDownload = try await measure(http, url: "\(origin)/www.googleapis.com/drive/v3/files/\(smallID)?alt=media", token: token)
            print(
                String(
                    format: "small file downloads (~150 B): %.0f requests/s, p50 %.1f ms, p99 %.1f ms", smallDownload.rate, smallDownload.p50, smallDownload.p99
                ))

            let large = try await Self.json(
                http, "\(origin)/www.googleapis.com/drive/v3/files?q=\(Self.encode("name = 'Data Warehouse Dump.csv'"))&fields=files(id,size)", token)
            let largeID = ((large["files"] as? [[String: Any]])?.first?["id"] as? String) ?? ""
            var bytes = 0
            let start = ContinuousClock.now
            for _ in 0..<largeDownloads {
                var request = HTTPClientRequest(url: "\(origin)/www.googleapis.com/drive/v3/files/\(largeID)?alt=media")
                request.headers.add(name: "Authorization", value: "Bearer \(token)")
                let response = try await http.execute(request, timeout: .seconds(300))
                for try await chunk in response.body { bytes += chunk.readableBytes }
            }
            let elapsed = (ContinuousClock.now - start).seconds
            print(
                String(format: "large download (150 MB synthetic, streamed): %.0f MB/s over %d downloads", Double(bytes) / 1_048_576 / elapsed, largeDownloads))
            group.cancelAll()
        }
        try await http.shutdown()
    }

    struct Measurement {
        let rate: Double
        let p50: Double
        let p99: Double
    }

    /// Keeps `concurrency` GETs in flight for `seconds`, and reports the rate and latency percentiles.
    private func measure(_ http: HTTPClient, url: String, token: String) async throws -> Measurement {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        let start = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var samples: [Double] = []
                    while ContinuousClock.now < deadline {
                        let begin = ContinuousClock.now
                        var request = HTTPClientRequest(url: url)
                        request.headers.add(name: "Authorization", value: "Bearer \(token)")
                        let response = try await http.execute(request, timeout: .seconds(30))
                        _ = try await response.body.collect(upTo: 64 << 20)
                        guard response.status == .ok else { throw ValidationError("\(url) answered \(response.status.code)") }
                        samples.append((ContinuousClock.now - begin).seconds * 1000)
                    }
                    return samples
                }
            }
            var all: [Double] = []
            for try await samples in group { all += samples }
            return all.sorted()
        }
        let elapsed = (ContinuousClock.now - start).seconds
        guard !latencies.isEmpty else { return Measurement(rate: 0, p50: 0, p99: 0) }
        return Measurement(
            rate: Double(latencies.count) / elapsed, p50: latencies[latencies.count / 2],
            p99: latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.99))])
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    static func json(_ http: HTTPClient, _ url: String, _ token: String) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        return (try JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
    }

    /// Mints a token in-process, as the consent flow would.
    static func token(_ sandbox: Sandbox, platform: Platform, scopes: [String], prefix: String) async throws -> String {
        guard let client = await sandbox.authority.allClients().first(where: { $0.platform == platform }),
            let account = sandbox.accounts[platform]?.first
        else { throw ValidationError("no demo client for \(platform.rawValue)") }
        let code = await sandbox.authority.issueCode(
            client: client, redirectURI: client.redirectURIs.first, scopes: scopes, accountID: account.id, challenge: nil,
            challengeMethod: nil, issueRefreshToken: false, codePrefix: "bench")
        return try await sandbox.authority.redeem(
            code: code, client: client, redirectURI: client.redirectURIs.first, verifier: nil, accessTTL: 3600,
            accessPrefix: prefix, refreshPrefix: ""
        ).access.token
    }

    static func googleToken(_ sandbox: Sandbox) async throws -> String {
        try await token(sandbox, platform: .googleDrive, scopes: ["https://www.googleapis.com/auth/drive.readonly"], prefix: "ya29.")
    }

    static func graphToken(_ sandbox: Sandbox) async throws -> String {
        try await token(sandbox, platform: .microsoft, scopes: ["User.Read", "Files.Read.All"], prefix: "eyJ0")
    }
}

extension Duration {
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
