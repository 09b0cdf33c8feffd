import Foundation

/// Markdown: ATX and setext headings give the heading path; emphasis, link and image syntax are
/// dropped while their text is kept; fenced code is kept as written.
public struct MarkdownExtractor: TextExtractor {
    public let mimeTypes: Set<String> = ["text/markdown", "text/x-markdown"]

    public init() {}

    public func extract(_ data: [UInt8], fileName: String, limits: ExtractionLimits) throws(ExtractionError) -> ExtractedDocument {
        let lines = PlainTextExtractor.decode(data).replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        var builder = SectionBuilder(limit: limits.maxTextLength)
        var title: String?
        var paragraph: [String] = []
        var inFence = false

        func flush() throws(ExtractionError) {
            if !paragraph.isEmpty { try builder.paragraph(paragraph.joined(separator: inFence ? "\n" : " ")) }
            paragraph = []
        }

        for (index, rawLine) in lines.enumerated() {
            let line = String(rawLine)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                try flush()
                inFence.toggle()
                continue
            }
            if inFence {
                paragraph.append(line)
                continue
            }
            if trimmed.isEmpty {
                try flush()
                continue
            }
            if trimmed.hasPrefix("#") {
                let level = trimmed.prefix { $0 == "#" }.count
                if level <= 6, trimmed.dropFirst(level).first == " " {
                    try flush()
                    let text = Self.inline(String(trimmed.dropFirst(level)).trimmingCharacters(in: CharacterSet(charactersIn: " #")))
                    if level == 1 { title = title ?? text }
                    try builder.heading(text, level: level)
                    continue
                }
            }
            // Setext: a line of === or --- under text.
            if index + 1 < lines.count, paragraph.isEmpty {
                let next = lines[index + 1].trimmingCharacters(in: .whitespaces)
                if next.count >= 2, next.allSatisfy({ $0 == "=" }) || next.allSatisfy({ $0 == "-" }) {
                    let level = next.first == "=" ? 1 : 2
                    if level == 1 { title = title ?? Self.inline(trimmed) }
                    try builder.heading(Self.inline(trimmed), level: level)
                    continue
                }
            }
            if trimmed.count >= 2, trimmed.allSatisfy({ $0 == "=" || $0 == "-" }) { continue }
            var text = trimmed
            for marker in ["- ", "* ", "+ ", "> "] where text.hasPrefix(marker) {
                try flush()
                text = (marker == "> " ? "" : "• ") + text.dropFirst(2)
            }
            if let dot = text.firstIndex(of: "."), text[..<dot].allSatisfy(\.isNumber), !text[..<dot].isEmpty, text[text.index(after: dot)...].hasPrefix(" ") {
                try flush()
            }
            if text.hasPrefix("|") {
                // A table row; its separator line has only pipes, dashes and colons.
                if text.allSatisfy({ "|-: ".contains($0) }) { continue }
                try flush()
                text = text.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " | ")
                paragraph.append(Self.inline(text))
                try flush()
                continue
            }
            paragraph.append(Self.inline(text))
        }
        try flush()
        return try builder.finish(title: title ?? fileName)
    }

    /// Drops inline markup: images, links (keeping their text), emphasis and code markers.
    static func inline(_ text: String) -> String {
        var result = text
        result = result.replacingOccurrences(of: "!\\[([^\\]]*)\\]\\([^)]*\\)", with: "$1", options: .regularExpression)
        result = result.replacingOccurrences(of: "\\[([^\\]]*)\\]\\([^)]*\\)", with: "$1", options: .regularExpression)
        result = result.replacingOccurrences(of: "(\\*\\*|__|~~)", with: "", options: .regularExpression)
        result = result.replacingOccurrences(of: "(?<![\\w*])[*_](\\S[^*_]*?)[*_](?![\\w*])", with: "$1", options: .regularExpression)
        result = result.replacingOccurrences(of: "`", with: "")
        return result
    }
}
