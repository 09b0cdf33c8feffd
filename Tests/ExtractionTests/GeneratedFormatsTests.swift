import Extraction
import Foundation
import SampleDocuments
import TestSupport
import Testing

/// Every format our corpus generator writes is read back with its text complete and in order.
@Suite struct GeneratedFormatsTests {
    static let formats = ["docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "eml", "pdf", "html", "md", "csv", "txt"]
    static let types: [String: String] = [
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt": "application/vnd.oasis.opendocument.text", "ods": "application/vnd.oasis.opendocument.spreadsheet",
        "odp": "application/vnd.oasis.opendocument.presentation", "epub": "application/epub+zip", "eml": "message/rfc822",
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

@Suite("EPUB")
struct EpubTests {
    @Test("chapters in spine order under the contents' labels (EPUB 3 nav, or the EPUB 2 NCX), the title from the package document")
    func chapters() throws {
        let document = SampleDocuments.all[1]
        for navigation in [true, false] {
            // given a book with (or without) an EPUB 3 nav beside its NCX
            let bytes = EpubWriter.make(document, navigation: navigation)
            // when
            let book = try Extractors().extract(bytes, mimeType: "application/octet-stream", fileName: "guide.epub")
            // then every chapter sits under its label, whether or not it opens with a heading of its own
            #expect(book.title == document.title)
            for heading in document.sections.compactMap(\.heading) {
                #expect(book.sections.contains { $0.headingPath.first == heading }, "\(heading) in \(book.sections.map(\.headingPath))")
            }
            #expect(!book.sections.contains { $0.headingPath.first == $0.headingPath.dropFirst().first })
            ExpectedText.assertInOrder(ExpectedText.lines(of: document, format: "epub"), in: book.plainText, context: "nav \(navigation)")
        }
    }

    @Test("a book whose chapters are encrypted (DRM) is refused as encrypted; obfuscated fonts are not DRM")
    func protection() throws {
        func book(encrypting uri: String) -> [UInt8] {
            var zip = ZipWriter()
            zip.add("mimetype", "application/epub+zip")
            zip.add(
                "META-INF/container.xml",
                #"<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="book.opf" media-type="application/oebps-package+xml"/></rootfiles></container>"#
            )
            zip.add(
                "META-INF/encryption.xml",
                #"<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData><enc:CipherData><enc:CipherReference URI="\#(uri)"/></enc:CipherData></enc:EncryptedData></encryption>"#
            )
            zip.add(
                "book.opf",
                #"<package xmlns="http://www.idpf.org/2007/opf"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Locked</dc:title></metadata><manifest><item id="a" href="a.xhtml" media-type="application/xhtml+xml"/></manifest><spine><itemref idref="a"/></spine></package>"#
            )
            zip.add("a.xhtml", "<html><body><p>The vault opens at dawn.</p></body></html>")
            return zip.finish()
        }
        #expect(throws: ExtractionError.encrypted) { try Extractors().extract(book(encrypting: "a.xhtml"), mimeType: "", fileName: "locked.epub") }
        let fonts = try Extractors().extract(book(encrypting: "fonts/serif.otf"), mimeType: "", fileName: "fonts.epub")
        #expect(fonts.plainText.contains("The vault opens at dawn."))
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
