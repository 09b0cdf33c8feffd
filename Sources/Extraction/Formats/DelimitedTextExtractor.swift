import Foundation

/// CSV and TSV: the delimiter is detected (comma, semicolon or tab), quoted fields may hold
/// delimiters and line breaks; each row becomes one line, and when the first row is a header
/// every value is labelled with its column ("Region: North | Revenue: 1200") so a row found
/// on its own still says what its numbers mean.
public struct DelimitedTextExtractor: TextExtractor {
    public let mimeTypes: Set<String> = ["text/csv", "text/tab-separated-values", "application/csv"]

    public init() {}

    public func extract(_ data: [UInt8], fileName: String, limits: ExtractionLimits) throws(ExtractionError) -> ExtractedDocument {
        let text = PlainTextExtractor.decode(data)
        if text.contains("\u{0}") { throw .corrupt("it looks binary, not text") }
        let firstLine = text.prefix { $0 != "\n" }
        let delimiter: Character = [",", ";", "\t"].max { a, b in firstLine.filter { $0 == a }.count < firstLine.filter { $0 == b }.count } ?? ","
        let rows = Self.parse(text, delimiter: delimiter)
        guard let header = rows.first else { throw .noText("The file is empty.") }
        let deadline = ExtractionDeadline(after: limits.timeout)
        let labelled = rows.count > 1 && header.allSatisfy { !$0.isEmpty && Double($0) == nil }
        var builder = SectionBuilder(limit: limits.maxTextLength)
        if labelled { try builder.paragraph(header.joined(separator: " | ")) }
        for (index, row) in rows.enumerated() where !(labelled && index == 0) {
            if index % 1000 == 0 { try deadline.check() }
            let cells = row.enumerated().compactMap { column, value -> String? in
                guard !value.isEmpty else { return nil }
                return labelled && column < header.count ? "\(header[column]): \(value)" : value
            }
            if !cells.isEmpty { try builder.paragraph(cells.joined(separator: " | ")) }
        }
        return try builder.finish(title: fileName)
    }

    /// RFC 4180 parsing, tolerant of bare quotes inside unquoted fields.
    static func parse(_ text: String, delimiter: Character) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var iterator = text.makeIterator()
        var pending: Character? = nil
        while let character = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" {
                            field.append("\"")
                        } else {
                            quoted = false
                            pending = next
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where field.isEmpty: quoted = true
            case delimiter:
                row.append(field.trimmingCharacters(in: .whitespaces))
                field = ""
            case "\n", "\r\n", "\r":
                row.append(field.trimmingCharacters(in: .whitespaces))
                field = ""
                if row.contains(where: { !$0.isEmpty }) { rows.append(row) }
                row = []
            default: field.append(character)
            }
        }
        row.append(field.trimmingCharacters(in: .whitespaces))
        if row.contains(where: { !$0.isEmpty }) { rows.append(row) }
        return rows
    }
}
