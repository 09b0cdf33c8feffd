import Foundation

/// Text PDFs in Helvetica (a standard font every reader has), one content stream per page,
/// with a correct cross-reference table. Text outside Latin-1 is transliterated.
public enum PDFWriter {
    /// Each page is a list of lines; `heading` lines are set larger.
    public struct Line: Sendable {
        public var text: String
        public var heading: Bool

        public init(text: String, heading: Bool) {
            self.text = text
            self.heading = heading
        }
    }

    public static func make(title: String, pages: [[Line]], encrypted: Bool = false) -> [UInt8] {
        var objects: [String] = []
        // 1: catalog, 2: pages, 3: font, 4: bold font, 5: info; then page + content pairs.
        let pageCount = max(pages.count, 1)
        let kids = (0..<pageCount).map { "\(6 + $0 * 2) 0 R" }.joined(separator: " ")
        objects.append("<< /Type /Catalog /Pages 2 0 R >>")
        objects.append("<< /Type /Pages /Kids [\(kids)] /Count \(pageCount) >>")
        objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
        objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
        objects.append("<< /Title (\(escape(title))) /Producer (Cirrus sandbox) >>")
        var streams: [Int: [UInt8]] = [:]
        for (index, page) in (pages.isEmpty ? [[]] : pages).enumerated() {
            let pageObject = 6 + index * 2
            objects.append(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents \(pageObject + 1) 0 R >>")
            var content = "BT\n"
            var y = 740
            for line in page {
                let size = line.heading ? 15 : 11
                content += "/\(line.heading ? "F2" : "F1") \(size) Tf\n1 0 0 1 72 \(y) Tm\n(\(escape(line.text))) Tj\n"
                y -= line.heading ? 24 : 15
            }
            content += "ET\n"
            streams[pageObject + 1] = latin1(content)
            objects.append("")  // placeholder for the stream object
        }
        if encrypted {
            objects.append("<< /Filter /Standard /V 1 /R 2 /O <\(String(repeating: "7A", count: 32))> /U <\(String(repeating: "3C", count: 32))> /P -3904 >>")
        }
        var out: [UInt8] = Array("%PDF-1.4\n%\u{E2}\u{E3}\u{CF}\u{D3}\n".utf8)
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            let number = index + 1
            offsets.append(out.count)
            if let stream = streams[number] {
                out += Array("\(number) 0 obj\n<< /Length \(stream.count) >>\nstream\n".utf8) + stream + Array("\nendstream\nendobj\n".utf8)
            } else {
                out += latin1("\(number) 0 obj\n\(object)\nendobj\n")
            }
        }
        let xref = out.count
        var table = "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { table += String(format: "%010d 00000 n \n", offset) }
        let encryptEntry = encrypted ? " /Encrypt \(objects.count) 0 R /ID [<0123456789ABCDEF0123456789ABCDEF> <0123456789ABCDEF0123456789ABCDEF>]" : ""
        table += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R /Info 5 0 R\(encryptEntry) >>\nstartxref\n\(xref)\n%%EOF\n"
        out += Array(table.utf8)
        return out
    }

    /// Lays text out on Letter pages: wraps at about 90 characters, 44 lines a page.
    public static func paginate(_ blocks: [(String, Bool)], explicitBreaks: [Int] = []) -> [[Line]] {
        var pages: [[Line]] = [[]]
        for (blockIndex, (text, heading)) in blocks.enumerated() {
            if explicitBreaks.contains(blockIndex), !(pages.last?.isEmpty ?? true) { pages.append([]) }
            for line in wrap(text, width: heading ? 70 : 92) {
                if pages[pages.count - 1].count >= 44 { pages.append([]) }
                pages[pages.count - 1].append(Line(text: line, heading: heading))
            }
            if pages[pages.count - 1].count < 44 { pages[pages.count - 1].append(Line(text: "", heading: false)) }
        }
        return pages
    }

    public static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count <= width {
                current += " " + word
            } else {
                lines.append(current)
                current = String(word)
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines.isEmpty ? [""] : lines
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "(", with: "\\(").replacingOccurrences(of: ")", with: "\\)")
    }

    /// WinAnsi bytes; characters outside it become their closest ASCII form or `?`.
    private static func latin1(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0..<0x80, 0xA0...0xFF: bytes.append(UInt8(scalar.value))
            case 0x2013: bytes.append(0x96)
            case 0x2014: bytes.append(0x97)
            case 0x2018: bytes.append(0x91)
            case 0x2019: bytes.append(0x92)
            case 0x201C: bytes.append(0x93)
            case 0x201D: bytes.append(0x94)
            case 0x2022: bytes.append(0x95)
            case 0x2026: bytes.append(0x85)
            case 0x20AC: bytes.append(0x80)
            default: bytes.append(UInt8(ascii: "?"))
            }
        }
        return bytes
    }
}
