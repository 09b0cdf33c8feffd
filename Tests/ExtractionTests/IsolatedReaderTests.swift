import Foundation
import SampleDocuments
import TestSupport
import Testing

@testable import Extraction

/// Files are read in child processes; whatever a child does, the caller gets a text or a reason.
@Suite("Reading in child processes")
struct IsolatedReaderTests {
    /// The `cirrus` binary next to the test runner (built by `swift build --build-tests`).
    static var cirrus: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("cirrus")
    }

    static func file(_ bytes: [UInt8], name: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("reader-\(UUID().uuidString)-\(name)")
        try Data(bytes).write(to: url)
        return url.path
    }

    /// A stand-in child: a shell command in place of `cirrus extract`.
    static func shell(_ script: String, timeout: Duration = .seconds(30)) -> IsolatedReader {
        IsolatedReader(command: .init(executable: URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", script]), size: 1, timeout: timeout)
    }

    static func reason(_ work: () async throws -> ExtractedDocument) async -> String? {
        do {
            _ = try await work()
            return nil
        } catch let error as ExtractionError {
            return error.reason
        } catch {
            return "\(error)"
        }
    }

    @Test("cirrus extract reads documents and passes an extractor's reason through, many files on the same children")
    func realChild() async throws {
        // given: two reader processes, a Word document and a damaged PDF
        let reader = IsolatedReader(command: .init(executable: Self.cirrus, arguments: ["extract"]), size: 2, timeout: .seconds(60))
        defer { reader.shutdown() }
        let docx = try Self.file(DocumentFormats.render(SampleDocuments.all[0], format: "docx"), name: "guide.docx")
        let damaged = try Self.file(Array("%PDF-1.7 this is not really a PDF".utf8), name: "broken.pdf")
        // when: both are read, several times over, concurrently
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    let document = try await reader.read(fileAt: docx, mimeType: "application/octet-stream", fileName: "guide.docx")
                    #expect(!document.plainText.isEmpty)
                }
                group.addTask {
                    let reason = await Self.reason { try await reader.read(fileAt: damaged, mimeType: "application/pdf", fileName: "broken.pdf") }
                    #expect(reason?.contains("damaged") == true, "\(reason ?? "")")
                }
            }
            try await group.waitForAll()
        }
    }

    @Test("a reader that crashes gives the file a reason, and the next file gets a fresh reader")
    func crash() async throws {
        let reader = Self.shell("kill -SEGV $$")
        let path = try Self.file(Array("hello".utf8), name: "a.txt")
        for _ in 0..<2 {
            let reason = await Self.reason { try await reader.read(fileAt: path, mimeType: "text/plain", fileName: "a.txt") }
            #expect(reason == "The file could not be read: the reader crashed on it (signal \(SIGSEGV)).")
        }
    }

    @Test("a reader that runs out of memory says so")
    func outOfMemory() async throws {
        let reader = Self.shell("echo 'fatal error: Could not allocate memory.' >&2; kill -TRAP $$")
        let path = try Self.file(Array("hello".utf8), name: "a.txt")
        let reason = await Self.reason { try await reader.read(fileAt: path, mimeType: "text/plain", fileName: "a.txt") }
        #expect(reason == "The file could not be read: the reader ran out of memory.")
    }

    /// The test's own limit is a guard against the caller waiting for the reader's ten-minute
    /// sleep, not a bet on how fast a busy machine runs the one-second limit.
    @Test("a reader that never answers is killed at the time limit, and the caller is answered then", .timeLimit(.minutes(1)))
    func hang() async throws {
        // given: a reader that tells its process id and then sleeps for ten minutes
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("reader-\(UUID().uuidString).pid").path
        let reader = Self.shell("echo $$ > \(pidFile); exec sleep 600", timeout: .seconds(1))
        let path = try Self.file(Array("hello".utf8), name: "a.txt")
        // when: a file is read
        let reason = await Self.reason { try await reader.read(fileAt: path, mimeType: "text/plain", fileName: "a.txt") }
        // then: the caller is answered with the time limit's reason, and the sleeping child was
        // killed (not waited for): its process is gone or a zombie
        #expect(reason == "The file could not be read: the reader stopped after 1 s.")
        let pid = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        try await eventually("the sleeping reader is killed", timeout: .seconds(30)) { Self.processEnded(pid) }
    }

    /// Whether a process has ended: no `/proc` entry, or a zombie waiting to be reaped.
    static func processEnded(_ pid: String) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first == "Z"
    }

    @Test("a reader that cannot be started fails the file, not the caller's process")
    func missingBinary() async throws {
        let reader = IsolatedReader(command: .init(executable: URL(fileURLWithPath: "/nonexistent/cirrus"), arguments: []), size: 1, timeout: .seconds(5))
        let path = try Self.file(Array("hello".utf8), name: "a.txt")
        let reason = await Self.reason { try await reader.read(fileAt: path, mimeType: "text/plain", fileName: "a.txt") }
        #expect(reason == "The file could not be read: the document reader could not be started.")
    }
}
