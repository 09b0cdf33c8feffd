/// OpenDocument files (ODF 1.2, as LibreOffice writes them): text documents with outline
/// headings, lists and tables (.odt), spreadsheets with typed cells (.ods) and presentations
/// with speaker notes (.odp). The `mimetype` entry comes first and stored, as the format requires.
public enum OpenDocumentWriter {
    static let namespaces =
        "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" xmlns:draw=\"urn:oasis:names:tc:opendocument:xmlns:drawing:1.0\" xmlns:presentation=\"urn:oasis:names:tc:opendocument:xmlns:presentation:1.0\" xmlns:svg=\"urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0\" xmlns:fo=\"urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0\" xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\" office:version=\"1.2\""

    /// The MIME type of a kind of document, and its file extension.
    public static func type(of kind: NativeDocument.Kind) -> (mimeType: String, fileExtension: String) {
        switch kind {
        case .text: ("application/vnd.oasis.opendocument.text", "odt")
        case .spreadsheet: ("application/vnd.oasis.opendocument.spreadsheet", "ods")
        case .presentation: ("application/vnd.oasis.opendocument.presentation", "odp")
        }
    }

    public static func make(_ document: NativeDocument) -> [UInt8] {
        let mimeType = type(of: document.kind).mimeType
        var zip = ZipWriter()
        zip.add("mimetype", mimeType)
        zip.add(
            "META-INF/manifest.xml",
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="\(mimeType)"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/></manifest:manifest>
            """)
        zip.add(
            "meta.xml",
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.2"><office:meta><dc:title>\(document.title.xmlEscaped)</dc:title><meta:generator>Cirrus sandbox</meta:generator></office:meta></office:document-meta>
            """)
        let body: String
        switch document.kind {
        case .text: body = "<office:text>\(text(document))</office:text>"
        case .spreadsheet: body = "<office:spreadsheet>\(sheets(document))</office:spreadsheet>"
        case .presentation: body = "<office:presentation>\(slides(document))</office:presentation>"
        }
        zip.add(
            "content.xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<office:document-content \(namespaces)><office:body>\(body)</office:body></office:document-content>")
        return zip.finish()
    }

    private static func text(_ document: NativeDocument) -> String {
        var xml = "<text:h text:style-name=\"Title\" text:outline-level=\"1\">\(document.title.xmlEscaped)</text:h>"
        for section in document.sections {
            if let heading = section.heading {
                xml += "<text:h text:style-name=\"Heading_20_\(section.level)\" text:outline-level=\"\(section.level + 1)\">\(heading.xmlEscaped)</text:h>"
            }
            // A soft hyphen-free paragraph with a span, as LibreOffice writes formatted runs.
            xml += section.paragraphs.map { "<text:p text:style-name=\"Text_20_body\">\(spans($0))</text:p>" }.joined()
            if !section.bullets.isEmpty {
                xml += "<text:list text:style-name=\"L1\">"
                xml += section.bullets.map { "<text:list-item><text:p>\($0.xmlEscaped)</text:p></text:list-item>" }.joined()
                xml += "</text:list>"
            }
            if let columns = section.table.first?.count {
                xml += "<table:table table:name=\"Table\"><table:table-column table:number-columns-repeated=\"\(columns)\"/>"
                xml += section.table.map { row in
                    "<table:table-row>"
                        + row.map { "<table:table-cell office:value-type=\"string\"><text:p>\($0.xmlEscaped)</text:p></table:table-cell>" }.joined()
                        + "</table:table-row>"
                }.joined()
                xml += "</table:table>"
            }
        }
        return xml
    }

    /// Words of a paragraph with the middle one in a span and spaces as `text:s`, so readers
    /// must put runs and elements back together.
    private static func spans(_ paragraph: String) -> String {
        var words = paragraph.split(separator: " ", omittingEmptySubsequences: false).map { String($0).xmlEscaped }
        guard words.count > 2 else { return paragraph.xmlEscaped }
        let middle = words.count / 2
        words[middle] = "<text:span text:style-name=\"T1\">\(words[middle])</text:span>"
        return words[..<middle].joined(separator: " ") + "<text:s/>" + words[middle...].joined(separator: " ")
    }

    private static func sheets(_ document: NativeDocument) -> String {
        document.sheets.map { sheet in
            "<table:table table:name=\"\(sheet.name.xmlEscaped)\">"
                + sheet.rows.map { row in
                    "<table:table-row>"
                        + row.map { cell in
                            switch cell {
                            case .text(let text): "<table:table-cell office:value-type=\"string\"><text:p>\(text.xmlEscaped)</text:p></table:table-cell>"
                            case .number(let value):
                                "<table:table-cell office:value-type=\"float\" office:value=\"\(value)\"><text:p>\(cell.display)</text:p></table:table-cell>"
                            case .date:
                                "<table:table-cell office:value-type=\"date\" office:date-value=\"\(cell.display)\"><text:p>\(cell.display)</text:p></table:table-cell>"
                            }
                        }.joined()
                        // Trailing empty cells, repeated as spreadsheets save them.
                        + "<table:table-cell table:number-columns-repeated=\"1020\"/></table:table-row>"
                }.joined()
                + "<table:table-row table:number-rows-repeated=\"1048000\"><table:table-cell table:number-columns-repeated=\"1024\"/></table:table-row></table:table>"
        }.joined()
    }

    private static func slides(_ document: NativeDocument) -> String {
        document.slides.enumerated().map { index, slide in
            var page =
                "<draw:page draw:name=\"page\(index + 1)\"><draw:frame presentation:class=\"title\"><draw:text-box><text:p>\(slide.title.xmlEscaped)</text:p></draw:text-box></draw:frame>"
            page +=
                "<draw:frame presentation:class=\"outline\"><draw:text-box><text:list>"
                + slide.bullets.map { "<text:list-item><text:p>\($0.xmlEscaped)</text:p></text:list-item>" }.joined()
                + "</text:list></draw:text-box></draw:frame>"
            if let notes = slide.notes {
                page +=
                    "<presentation:notes><draw:page-thumbnail/><draw:frame presentation:class=\"notes\"><draw:text-box><text:p>\(notes.xmlEscaped)</text:p></draw:text-box></draw:frame></presentation:notes>"
            }
            return page + "</draw:page>"
        }.joined()
    }
}
