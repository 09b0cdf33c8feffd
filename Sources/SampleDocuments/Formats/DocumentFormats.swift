import Foundation

/// Renders a ``NativeDocument`` in any format the corpus or an export needs.
public enum DocumentFormats {
    /// - Parameter limitPadding: extra filler bytes, to make an export exceed a size cap on purpose.
    public static func render(_ document: NativeDocument, format: String, limitPadding: Int = 0) -> [UInt8] {
        var bytes: [UInt8]
        switch format {
        case "docx": bytes = DocxWriter.make(document)
        case "xlsx": bytes = XlsxWriter.make(document)
        case "pptx": bytes = PptxWriter.make(document)
        case "odt", "ods", "odp": bytes = OpenDocumentWriter.make(document)
        case "epub": bytes = EpubWriter.make(document)
        case "eml": bytes = EmailWriter.make(document)
        case "pdf": bytes = pdf(document)
        case "html": bytes = Array(html(document).utf8)
        case "md": bytes = Array(markdown(document).utf8)
        case "csv": bytes = Array(delimited(document, separator: ",").utf8)
        case "tsv": bytes = Array(delimited(document, separator: "\t").utf8)
        default: bytes = Array(document.plainText.utf8)
        }
        if limitPadding > 0 {
            // Text formats take trailing whitespace; binary formats are only used for size tests.
            bytes += [UInt8](repeating: UInt8(ascii: " "), count: limitPadding)
        }
        return bytes
    }

    public static func pdf(_ document: NativeDocument, encrypted: Bool = false) -> [UInt8] {
        var blocks: [(String, Bool)] = [(document.title, true)]
        var breaks: [Int] = []
        switch document.kind {
        case .text:
            for section in document.sections {
                if let heading = section.heading {
                    if section.level == 1, blocks.count > 1 { breaks.append(blocks.count) }
                    blocks.append((heading, true))
                }
                blocks += section.paragraphs.map { ($0, false) }
                blocks += section.bullets.map { ("• " + $0, false) }
                blocks += section.table.map { ($0.joined(separator: "   "), false) }
            }
        case .spreadsheet:
            for sheet in document.sheets {
                breaks.append(blocks.count)
                blocks.append((sheet.name, true))
                blocks += sheet.rows.map { ($0.map(\.display).joined(separator: "   "), false) }
            }
        case .presentation:
            for slide in document.slides {
                breaks.append(blocks.count)
                blocks.append((slide.title, true))
                blocks += slide.bullets.map { ("• " + $0, false) }
            }
        }
        return PDFWriter.make(title: document.title, pages: PDFWriter.paginate(blocks, explicitBreaks: breaks), encrypted: encrypted)
    }

    public static func html(_ document: NativeDocument) -> String {
        func e(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        var body = "<h1>\(e(document.title))</h1>\n"
        for section in document.sections {
            if let heading = section.heading { body += "<h\(section.level + 1)>\(e(heading))</h\(section.level + 1)>\n" }
            body += section.paragraphs.map { "<p>\(e($0))</p>\n" }.joined()
            if !section.bullets.isEmpty { body += "<ul>" + section.bullets.map { "<li>\(e($0))</li>" }.joined() + "</ul>\n" }
            if !section.table.isEmpty {
                body += "<table>" + section.table.map { "<tr>" + $0.map { "<td>\(e($0))</td>" }.joined() + "</tr>" }.joined() + "</table>\n"
            }
        }
        for slide in document.slides {
            body += "<h2>\(e(slide.title))</h2><ul>" + slide.bullets.map { "<li>\(e($0))</li>" }.joined() + "</ul>\n"
        }
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>\(e(document.title))</title></head><body>\n\(body)</body></html>\n"
    }

    public static func markdown(_ document: NativeDocument) -> String {
        var text = "# \(document.title)\n\n"
        for section in document.sections {
            if let heading = section.heading { text += String(repeating: "#", count: section.level + 1) + " \(heading)\n\n" }
            text += section.paragraphs.map { "\($0)\n\n" }.joined()
            if !section.bullets.isEmpty { text += section.bullets.map { "- \($0)\n" }.joined() + "\n" }
            if let header = section.table.first {
                text += "| " + header.joined(separator: " | ") + " |\n|" + header.map { _ in " --- |" }.joined() + "\n"
                text += section.table.dropFirst().map { "| " + $0.joined(separator: " | ") + " |\n" }.joined() + "\n"
            }
        }
        return text
    }

    /// The first sheet only, as Drive's CSV/TSV export does.
    public static func delimited(_ document: NativeDocument, separator: String) -> String {
        guard let sheet = document.sheets.first else { return "" }
        return sheet.rows.map { row in
            row.map { cell in
                let text = cell.display
                guard separator == ",", text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
                return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }.joined(separator: separator)
        }.joined(separator: "\r\n") + "\r\n"
    }
}

/// Small valid PNG images (solid colour), for files that must be refused as "no text".
public enum PNGWriter {
    public static func make(width: Int, height: Int, rgb: (UInt8, UInt8, UInt8)) -> [UInt8] {
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let typeBytes = Array(type.utf8)
            return be32(UInt32(data.count)) + typeBytes + data + be32(CRC32.checksum(typeBytes + data))
        }
        func be32(_ value: UInt32) -> [UInt8] { (0..<4).reversed().map { UInt8((value >> (8 * $0)) & 0xFF) } }
        var raw: [UInt8] = []
        for _ in 0..<height {
            raw.append(0)
            for _ in 0..<width { raw += [rgb.0, rgb.1, rgb.2] }
        }
        // zlib stream with stored deflate blocks (no compression needed for a tiny image).
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let block = Array(raw[offset..<min(offset + 65535, raw.count)])
            offset += block.count
            let length = UInt16(block.count)
            zlib += [offset >= raw.count ? 1 : 0, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)] + block
        } while offset < raw.count
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in raw {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        zlib += be32((b << 16) | a)
        let header = be32(UInt32(width)) + be32(UInt32(height)) + [8, 2, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header) + chunk("IDAT", zlib) + chunk("IEND", [])
    }
}
