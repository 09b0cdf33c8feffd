import Foundation
import Testing

@testable import Extraction

@Suite("Plain text")
struct PlainTextExtractorTests {
    @Test(
        "UTF-8, UTF-8 with BOM, UTF-16 LE/BE and Windows-1252 all decode to the same words",
        arguments: [
            [UInt8]("Café déjà vu — naïve".utf8),
            [0xEF, 0xBB, 0xBF] + [UInt8]("Café déjà vu — naïve".utf8),
            [UInt8](Data("\u{FEFF}Café déjà vu — naïve".data(using: .utf16LittleEndian)!)),
            [UInt8](Data("\u{FEFF}Café déjà vu — naïve".data(using: .utf16BigEndian)!)),
            [UInt8]("Café déjà vu — naïve".data(using: .windowsCP1252)!),
        ])
    func encodings(bytes: [UInt8]) throws {
        let document = try PlainTextExtractor().extract(bytes, fileName: "notes.txt")
        #expect(document.plainText == "Café déjà vu — naïve")
    }

    @Test("blank lines split sections, in order")
    func paragraphs() throws {
        let document = try PlainTextExtractor().extract(Array("First.\r\n\r\nSecond line\nstill second.\n\n\n".utf8), fileName: "a.txt")
        #expect(document.sections.map(\.text) == ["First.", "Second line\nstill second."])
    }

    @Test("empty and binary files are refused with a reason")
    func refusals() {
        #expect(throws: ExtractionError.noText("The file is empty.")) { try PlainTextExtractor().extract(Array("  \n\n ".utf8), fileName: "e.txt") }
        #expect(throws: ExtractionError.noText("The file looks binary, not text.")) {
            try PlainTextExtractor().extract([0x50, 0x4B, 0x03, 0x04, 0, 0, 1], fileName: "x.txt")
        }
    }
}
