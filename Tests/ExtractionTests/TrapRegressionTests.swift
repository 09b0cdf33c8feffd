import Foundation
import Testing
import ZIPFoundation

@testable import Extraction

/// Inputs that once trapped (crashed the process) or ran away; each now ends as a value or a reason.
@Suite struct TrapRegressionTests {
    static let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    /// A zip holding the given parts, stored without compression (so no ratio guard interferes).
    static func zip(_ parts: [String: [UInt8]]) throws -> [UInt8] {
        let archive = try Archive(data: Data(), accessMode: .create)
        for (path, bytes) in parts.sorted(by: { $0.key < $1.key }) {
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(bytes.count), compressionMethod: .none) { position, length in
                Data(bytes[Int(position)..<(Int(position) + length)])
            }
        }
        return [UInt8](archive.data!)
    }

    @Test("a docx outline level of Int.max is ignored, not added to")
    func hugeOutlineLevel() throws {
        // given a paragraph whose outline level is the largest integer
        let xml =
            #"<w:document xmlns:w="x"><w:body><w:p><w:pPr><w:outlineLvl w:val="9223372036854775807"/></w:pPr><w:r><w:t>Plain words</w:t></w:r></w:p></w:body></w:document>"#
        // when it is extracted, then its text is there
        let document = try Extractors().extract(try GuardsTests.package(document: Array(xml.utf8)), mimeType: GuardsTests.docx, fileName: "levels.docx")
        #expect(document.plainText.contains("Plain words"))
    }

    @Test("Excel dates out of range, infinite or not a number are shown as numbers", arguments: [1e300, -5, Double.infinity, -Double.infinity, Double.nan])
    func outOfRangeDates(serial: Double) {
        let text = XlsxExtractor.formatDate(serial: serial, date1904: false)
        #expect(!text.isEmpty)
        #expect(!text.contains("-00-"))
    }

    @Test("one long shared string referenced by thousands of cells is refused at the cap, before the row is joined")
    func sharedStringAmplification() throws {
        // given a 1 MB shared string and one row of 3,000 cells that all show it (3 GB of text)
        var letters = SystemRandomNumberGenerator()
        let long = String((0..<1_000_000).map { _ in Character(Unicode.Scalar(UInt8.random(in: 97...122, using: &letters))) })
        let cells = String(repeating: #"<c t="s"><v>0</v></c>"#, count: 3000)
        let workbook = try Self.zip([
            "xl/workbook.xml": Array(#"<workbook xmlns:r="r"><sheets><sheet name="S" r:id="rId1"/></sheets></workbook>"#.utf8),
            "xl/_rels/workbook.xml.rels": Array(#"<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>"#.utf8),
            "xl/sharedStrings.xml": Array("<sst><si><t>\(long)</t></si></sst>".utf8),
            "xl/worksheets/sheet1.xml": Array("<worksheet><sheetData><row>\(cells)</row></sheetData></worksheet>".utf8),
        ])
        // when it is extracted, then it is refused as too large, quickly
        let started = ContinuousClock.now
        #expect { try Extractors().extract(workbook, mimeType: Self.xlsx, fileName: "amplified.xlsx") } throws: { error in
            guard case ExtractionError.tooLarge = error else { return false }
            return true
        }
        #expect(ContinuousClock.now - started < .seconds(20))
    }
}

/// Inputs `make fuzz` found, one file each in `Regressions/`, named `FORMAT-what-it-did`.
@Suite struct FuzzRegressionTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Regressions")

    static let types: [String: (String, String)] = [
        "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "found.docx"),
        "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "found.xlsx"),
        "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "found.pptx"),
        "pdf": ("application/pdf", "found.pdf"), "html": ("text/html", "found.html"),
        "confluence": ("application/vnd.atlassian.confluence.storage+xml", "found.xml"), "markdown": ("text/markdown", "found.md"),
        "csv": ("text/csv", "found.csv"), "json": ("application/json", "found.json"), "text": ("text/plain", "found.txt"),
    ]

    static var inputs: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test("every input the fuzzers found ends as text or a reason", arguments: inputs)
    func replay(name: String) throws {
        let format = try #require(Self.types[String(name.prefix { $0 != "-" })], "name \(name) must start with a format")
        let bytes = try [UInt8](Data(contentsOf: Self.folder.appendingPathComponent(name)))
        do {
            _ = try Extractors().extract(bytes, mimeType: format.0, fileName: format.1)
        } catch {
            #expect(!error.reason.isEmpty)
        }
    }
}
