import Extraction
import Foundation
import SampleDocuments
import Testing

/// Files written by other producers (python-docx, openpyxl, python-pptx, fpdf2, and LibreOffice
/// when it is installed) are read with their text complete and in order.
@Suite struct ThirdPartyProducersTests {
    static let producerScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Producers/make_documents.py")

    @Test func pythonLibrariesDocuments() throws {
        // given documents made by the Python libraries
        let folder = try TemporaryFolder()
        try run("/usr/bin/env", ["python3", Self.producerScript.path, folder.url.path])
        let expected = try JSONDecoder().decode([String: [String]].self, from: Data(contentsOf: folder.url.appendingPathComponent("expected.json")))
        #expect(expected.count == 6)
        for (name, texts) in expected.sorted(by: { $0.key < $1.key }) {
            // when each is extracted
            let bytes = try [UInt8](Data(contentsOf: folder.url.appendingPathComponent(name)))
            let document = try Extractors().extract(bytes, mimeType: "application/octet-stream", fileName: name)
            // then the texts are all there, in order
            ExpectedText.assertInOrder(texts, in: document.plainText, context: name)
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/soffice")))
    func libreOfficeConversions() throws {
        // given our generated documents converted by LibreOffice (it rewrites the whole package)
        // (and its OpenDocument export, the format it writes natively)
        let sources = [(1, "docx", "docx"), (1, "html", "pdf"), (1, "docx", "odt"), (1, "docx", "epub"), (3, "xlsx", "ods"), (5, "pptx", "odp")]
        for (index, format, target) in sources {
            let document = SampleDocuments.all[index]
            let converted = try LegacyOfficeExtractor.convert(
                DocumentFormats.render(document, format: format), to: target, from: format, soffice: "/usr/bin/soffice")
            let extracted = try Extractors().extract(converted, mimeType: "application/octet-stream", fileName: "source-\(index)-\(format).\(target)")
            var expected = ExpectedText.lines(of: document, format: target == "odp" ? "pptx" : format)
            // LibreOffice's HTML import drops an <h1> that repeats the page's <title> (pdftotext shows the same).
            if format == "html" { expected.removeFirst() }
            ExpectedText.assertInOrder(expected, in: extracted.plainText, context: "LibreOffice \(format)→\(target)")
        }
    }

    func run(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            Issue.record("\(executable) \(arguments.first ?? "") failed: \(String(decoding: message, as: UTF8.self).suffix(2000))")
        }
    }
}

/// A folder removed when the value goes away.
final class TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("cirrus-extraction-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}
