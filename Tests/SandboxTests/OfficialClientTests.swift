import CirrusCore
import Foundation
import Testing

@testable import Sandbox

/// Provider client libraries that no one here wrote must accept the sandbox's answers.
///
/// Needs python3 with `google-api-python-client` and `atlassian-python-api` (`make test` installs
/// them). Skips where they are missing outside CI; in CI they always run.
@Suite("Official client libraries against the sandbox", .serialized)
struct OfficialClientTests {
    static func pythonWith(_ modules: [String]) -> String? {
        for candidate in ["/usr/local/bin/python3", "/usr/bin/python3"]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map({ "\($0)/python3" })
        where FileManager.default.isExecutableFile(atPath: candidate) {
            if (try? run(candidate, ["-c", modules.map { "import \($0)" }.joined(separator: "; ")])) != nil { return candidate }
        }
        return nil
    }

    static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
    static let googlePython = pythonWith(["googleapiclient.discovery", "google.oauth2.credentials"])
    static let atlassianPython = pythonWith(["atlassian"])

    struct ScriptFailed: Error, CustomStringConvertible { let description: String }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ScriptFailed(description: String(decoding: errorData.suffix(3000), as: UTF8.self))
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func script(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Clients/\(name)").path
    }

    /// Runs a Python script off the cooperative thread pool (it blocks on the child process).
    static func python(_ executable: String, _ arguments: [String]) async throws -> [String: Any] {
        let output = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<String, any Error>) in
            DispatchQueue.global().async {
                do { continuation.resume(returning: try run(executable, arguments)) } catch { continuation.resume(throwing: error) }
            }
        }
        return try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] ?? [:]
    }

    @Test("google-api-python-client lists with pagination, downloads in chunks with Range, exports and reads about", .enabled(if: googlePython != nil || inCI))
    func googleClient() async throws {
        let python = try #require(Self.googlePython, "python3 with google-api-python-client is required")
        try await SandboxHarness.run { harness in
            let token = try await GoogleDriveContractTests.token(harness)
            let summary = try await Self.python(python, [Self.script("google_drive_client.py"), harness.origin, token])
            #expect((summary["rootNames"] as? [String])?.contains("Product Docs") == true)
            #expect(summary["archiveCount"] as? Int == 1200)
            #expect(summary["archivePages"] as? Int == 3)
            #expect(summary["productDocs"] as? [String] == ["API Documentation.pdf", "Feature Guide.docx", "Product Overview.pdf"])
            #expect(summary["pdfStartsWith"] as? String == "%PDF-")
            #expect(String(summary["pdfBytes"] as? Int ?? -1) == summary["pdfSizeField"] as? String)
            #expect((summary["pdfChunks"] as? Int ?? 0) > 1)
            #expect(summary["handbookHasHoliday"] as? Bool == true)
            #expect(summary["email"] as? String == "sarah@githafconsulting.com")
            #expect(summary["sharedDrives"] as? [String] == ["Engineering Shared", "Sales Team"])
        }
    }

    @Test("atlassian-python-api's ConfluenceV2 follows cursors and reads pages and bodies", .enabled(if: atlassianPython != nil || inCI))
    func confluenceClient() async throws {
        let python = try #require(Self.atlassianPython, "python3 with atlassian-python-api is required")
        try await SandboxHarness.run { harness in
            let token = try #require(try await ConfluenceContractTests.tokens(harness)["access_token"] as? String)
            let summary = try await Self.python(python, [Self.script("confluence_client.py"), harness.origin, ConfluenceDirectory.main.cloudID, token])
            #expect(summary["spaceKeys"] as? [String] == ["CS", "ENG"])
            #expect(summary["homeTitle"] as? String == "Customer Success Home")
            #expect(summary["homeHasBody"] as? Bool == true)
            #expect(summary["children"] as? [String] == ["Customer Onboarding Playbook", "Renewals", "Stand-up Notes"])
            #expect(summary["standupCount"] as? Int == 1200)
        }
    }
}
