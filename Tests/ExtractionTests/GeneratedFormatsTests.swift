import Extraction
import Foundation
import SampleDocuments
import TestSupport
import Testing

/// Every format our corpus generator writes is read back with its text complete and in order.
@Suite struct GeneratedFormatsTests {
    static let formats = ["docx", "xlsx", "pptx", "pdf", "html", "md", "csv", "txt"]
    static let types: [String: String] = [
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
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
        case "xlsx", "csv": kind == .spreadsheet
        case "pptx": kind == .presentation
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
                if format == "pptx", let notes = slide.notes { lines.append(notes) }
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
