import Extraction
import Foundation
import SampleDocuments
import TestSupport
import Testing

/// Every format our corpus generator writes is read back with its text complete and in order.
@Suite struct GeneratedFormatsTests {
    static let formats = ["docx", "xlsx", "pptx", "odt", "ods", "odp", "pdf", "html", "md", "csv", "txt"]
    static let types: [String: String] = [
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt": "application/vnd.oasis.opendocument.text", "ods": "application/vnd.oasis.opendocument.spreadsheet",
        "odp": "application/vnd.oasis.opendocument.presentation",
        "pdf": "application/pdf", "html": "text/html", "md": "text/markdown", "csv": "text/csv", "txt": "text/plain",
    ]

    @Test(arguments: formats)
    func extractsTheWrittenTextInOrder(format: String) throws {
        let extractors = Extractors()
        for document in SampleDocuments.all {
            // given a corpus document rendered by our generator
            guard Self.renders(document.kind, as: format) else { continue }
            let bytes = DocumentFormats.render(document, format: format)
            // when it is extracted
            let extracted = try extractors.extract(bytes, mimeType: Self.types[format]!, fileName: "\(document.title).\(format)")
            // then every written line is found, in the order it was written
            let expected = ExpectedText.lines(of: document, format: format)
            ExpectedText.assertInOrder(expected, in: extracted.plainText, context: "\(document.title).\(format)")
        }
    }

    /// The formats the generator writes a kind of document in.
    static func renders(_ kind: NativeDocument.Kind, as format: String) -> Bool {
        switch format {
        case "pdf", "txt": true
        case "xlsx", "csv", "ods": kind == .spreadsheet
        case "pptx", "odp": kind == .presentation
        default: kind == .text
        }
    }

    @Test func keepsLocationsAndHeadings() throws {
        // given a presentation, a workbook and a multi-page PDF
        let extractors = Extractors()
        let deck = try extractors.extract(DocumentFormats.render(SampleDocuments.all[5], format: "pptx"), mimeType: Self.types["pptx"]!, fileName: "deck.pptx")
        let book = try extractors.extract(DocumentFormats.render(SampleDocuments.all[3], format: "xlsx"), mimeType: Self.types["xlsx"]!, fileName: "book.xlsx")
        let guide = try extractors.extract(
            DocumentFormats.render(SampleDocuments.all[1], format: "docx"), mimeType: Self.types["docx"]!, fileName: "guide.docx")
        // then slides and sheets are located, and headings form paths
        #expect(deck.sections.contains { $0.location == .slide(2) })
        #expect(book.sections.every { if case .sheet = $0.location { true } else { false } })
        #expect(guide.sections.contains { $0.headingPath == ["Feature Guide", "Main features"] })
        #expect(guide.title == "Feature Guide")
    }
}

@Suite("OpenDocument")
struct OpenDocumentTests {
    @Test(
        "text, sheets and slides keep their structure: outline headings as paths, sheets and slides as locations, notes after their slide, the title from meta.xml"
    )
    func structure() throws {
        // given a text document, a workbook and a deck written as OpenDocument
        let extractors = Extractors()
        let guide = try extractors.extract(
            DocumentFormats.render(SampleDocuments.all[1], format: "odt"), mimeType: "application/octet-stream", fileName: "guide.odt")
        let book = try extractors.extract(DocumentFormats.render(SampleDocuments.all[3], format: "ods"), mimeType: "", fileName: "book.ods")
        let deck = try extractors.extract(DocumentFormats.render(SampleDocuments.all[5], format: "odp"), mimeType: "", fileName: "deck.odp")
        // then
        #expect(guide.title == "Feature Guide")
        #expect(guide.sections.contains { $0.headingPath == ["Feature Guide", "Main features"] }, "\(guide.sections.map(\.headingPath))")
        #expect(guide.plainText.contains("• "), "list items are marked")
        #expect(book.sections.every { if case .sheet = $0.location { true } else { false } })
        #expect(
            Set(book.sections.compactMap { if case .sheet(let name) = $0.location { name } else { nil } }) == Set(SampleDocuments.all[3].sheets.map(\.name)))
        #expect(deck.sections.contains { $0.location == .slide(2) })
        let notes = try #require(SampleDocuments.all[5].slides.compactMap(\.notes).first)
        #expect(deck.sections.contains { $0.text.contains("Notes: " + notes) })
    }

    @Test("a sheet saved with its empty rest as a row repeated a million times reads as its rows, not a million")
    func repeatedRows() throws {
        // given our writer's workbook (each sheet ends with 1,048,000 repeated empty rows and 1,020 empty cells per row)
        let bytes = DocumentFormats.render(SampleDocuments.all[3], format: "ods")
        // when
        let book = try Extractors().extract(bytes, mimeType: "application/vnd.oasis.opendocument.spreadsheet", fileName: "book.ods")
        // then the text is the rows, with no trailing separators
        let rows = SampleDocuments.all[3].sheets.reduce(0) { $0 + $1.rows.count }
        #expect(book.plainText.split(separator: "\n").count < rows * 2 + 10)
        #expect(!book.plainText.contains("|  |"))
    }

    @Test("a password-protected OpenDocument file is reported as such, and one without content.xml as damaged")
    func refusals() throws {
        var encrypted = ZipWriter()
        encrypted.add("mimetype", "application/vnd.oasis.opendocument.text")
        encrypted.add(
            "META-INF/manifest.xml",
            #"<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"><manifest:encryption-data manifest:checksum-type="SHA1/1K"/></manifest:file-entry></manifest:manifest>"#
        )
        encrypted.add("content.xml", [0x13, 0x37, 0x00, 0xFF])
        #expect(throws: ExtractionError.encrypted) { try Extractors().extract(encrypted.finish(), mimeType: "", fileName: "secret.odt") }
        var empty = ZipWriter()
        empty.add("mimetype", "application/vnd.oasis.opendocument.text")
        #expect(throws: ExtractionError.corrupt("it has no content.xml")) { try Extractors().extract(empty.finish(), mimeType: "", fileName: "empty.odt") }
    }
}

/// What an extractor should find for a corpus document in one format.
enum ExpectedText {
    static func lines(of document: NativeDocument, format: String) -> [String] {
        var lines: [String] = []
        switch document.kind {
        case .text:
            lines.append(document.title)
            for section in document.sections {
                if let heading = section.heading { lines.append(heading) }
                lines += section.paragraphs
                lines += section.bullets
                lines += section.table.flatMap { $0 }
            }
        case .spreadsheet:
            for sheet in document.sheets {
                if format != "csv" { lines.append(sheet.name) }
                lines += sheet.rows.flatMap { $0.map(\.display) }
                if format == "csv" { break }  // a CSV holds the first sheet only
            }
        case .presentation:
            for slide in document.slides {
                lines.append(slide.title)
                lines += slide.bullets
                if format == "pptx" || format == "odp", let notes = slide.notes { lines.append(notes) }
            }
        }
        return lines.filter { !$0.isEmpty }
    }

    /// Each expected text occurs after the previous one, whitespace-insensitively.
    static func assertInOrder(_ expected: [String], in text: String, context: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let haystack = squeeze(text)
        var cursor = haystack.startIndex
        for line in expected {
            let needle = squeeze(line)
            guard let range = haystack.range(of: needle, range: cursor..<haystack.endIndex) else {
                let found = haystack.range(of: needle) != nil
                Issue.record("\(context): \(found ? "out of order" : "missing"): \(line.prefix(80))", sourceLocation: sourceLocation)
                return
            }
            cursor = range.upperBound
        }
    }

    static func squeeze(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
