import ArgumentParser
import Foundation
import SampleDocuments
import TestSupport

/// Writes the seed corpus `make fuzz` starts from: the sandbox corpus's documents rendered by our
/// own producers in every format an extractor reads, one folder per fuzz target.
struct FuzzSeeds: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fuzz-seeds", abstract: "Write the fuzzers' seed corpus.")

    @Option(help: "Folder to write into (one subfolder per format).") var out: String

    func run() throws {
        let root = URL(fileURLWithPath: out)
        var written = 0
        func write(_ bytes: [UInt8], _ format: String, _ index: Int, _ ext: String) throws {
            let folder = root.appendingPathComponent(format)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(bytes).write(to: folder.appendingPathComponent("seed-\(index).\(ext)"))
            written += 1
        }
        for (index, document) in SampleDocuments.all.enumerated() {
            for (format, ext) in [
                ("docx", "docx"), ("xlsx", "xlsx"), ("pptx", "pptx"), ("pdf", "pdf"), ("html", "html"), ("markdown", "md"), ("csv", "csv"), ("text", "txt"),
            ] {
                let rendered = DocumentFormats.render(document, format: format == "markdown" ? "md" : format == "text" ? "txt" : format)
                try write(rendered, format, index, ext)
            }
            let openDocument = OpenDocumentWriter.type(of: document.kind).fileExtension
            for format in ["odt", "ods", "odp"] {
                // Each OpenDocument target also sees the other kinds: one reader handles all three.
                try write(OpenDocumentWriter.make(document), format, index, openDocument)
            }
            if document.kind == .text {
                try write(EpubWriter.make(document), "epub", index, "epub")
                try write(EmailWriter.make(document), "eml", index, "eml")
            }
            let json: [String: Any] = [
                "title": document.title, "text": document.plainText, "index": index, "tags": ["seed", "corpus"], "nested": ["ok": true, "value": 1.5],
            ]
            try write([UInt8](try JSONSerialization.data(withJSONObject: json)), "json", index, "json")
        }
        for (index, page) in SampleDocuments.confluencePages.enumerated() { try write(Array(page.utf8), "confluence", index, "xml") }
        try write(EmailWriter.mailbox(SampleDocuments.all.filter { $0.kind == .text }), "mbox", 0, "mbox")
        // A scanned page in each image format OCR reads.
        let scan = ScanWriter.png(["Seed page for the image reader.", "Invoice 17, due 30 June."], style: .init(points: 14))
        try write(scan, "image", 0, "png")
        for (index, format) in [ImageEncoding.Format.jpeg, .gif, .bmp, .webp, .tiffLZW].enumerated() {
            try write(try ImageEncoding.reencode(scan, as: format), "image", index + 1, "img")
        }
        print("wrote \(written) seed files under \(root.path)")
    }
}
