/// Word documents (.docx): headings (by style or outline level), paragraphs, lists and tables, in
/// reading order.
public struct DocxExtractor: TextExtractor {
    public let mimeTypes: Set<String> = ["application/vnd.openxmlformats-officedocument.wordprocessingml.document"]

    public init() {}

    public func extract(_ data: [UInt8], fileName: String, limits: ExtractionLimits) throws(ExtractionError) -> ExtractedDocument {
        var package = try ZipPackage(data, limits: limits)
        guard let document = try package.read("word/document.xml") else { throw .corrupt("it has no word/document.xml") }
        let headingLevels = try Self.headingLevels(try package.read("word/styles.xml"))
        let deadline = ExtractionDeadline(after: limits.timeout)

        var builder = SectionBuilder(limit: limits.maxTextLength)
        var title: String?
        var paragraph = ""
        var styleLevel: Int?
        var outlineLevel: Int?
        var isListItem = false
        var inText = false
        var tableDepth = 0
        var row: [String] = []
        var cell = ""

        try MarkupScanner(document).scanForExtraction { event throws(ExtractionError) in
            switch event {
            case .start(let name, let attributes, let selfClosing):
                switch localName(name) {
                case "p":
                    paragraph = ""
                    styleLevel = nil
                    outlineLevel = nil
                    isListItem = false
                case "pStyle": styleLevel = attributes["w:val"].flatMap { headingLevels[$0] }
                case "outlineLvl": outlineLevel = attributes["w:val"].flatMap(Int.init).flatMap { (0...8).contains($0) ? $0 + 1 : nil }
                case "numPr": isListItem = true
                case "t": inText = !selfClosing
                case "tab": paragraph += "\t"
                case "br", "cr": paragraph += "\n"
                case "tbl": tableDepth += 1
                case "tr": row = []
                case "tc": cell = ""
                default: break
                }
            case .end(let name):
                switch localName(name) {
                case "t": inText = false
                case "p":
                    let level = styleLevel ?? outlineLevel.flatMap { $0 <= 9 ? $0 : nil }
                    if tableDepth > 0 {
                        cell += (cell.isEmpty ? "" : " ") + paragraph
                    } else if let level, level >= 0 {
                        if level == 0 { title = title ?? SectionBuilder.normalize(paragraph) }
                        try builder.heading(paragraph, level: level)
                    } else {
                        try builder.paragraph(isListItem ? "• " + paragraph : paragraph)
                    }
                    paragraph = ""
                case "tc": row.append(SectionBuilder.normalize(cell))
                case "tr":
                    if tableDepth == 1 { try builder.paragraph(row.filter { !$0.isEmpty }.joined(separator: " | ")) }
                    try deadline.check()
                case "tbl": tableDepth -= 1
                default: break
                }
            case .text(let text):
                if inText { paragraph += text }
            }
        }
        return try builder.finish(title: title ?? fileName)
    }

    /// Style id → heading level (0 for Title, 1… for Heading 1…), read from the styles part so
    /// localized style ids ("berschrift1") work as well as English ones.
    static func headingLevels(_ styles: [UInt8]?) throws(ExtractionError) -> [String: Int] {
        var levels: [String: Int] = ["Title": 0]
        for level in 1...9 { levels["Heading\(level)"] = level }
        guard let styles else { return levels }
        var styleID: String?
        MarkupScanner(styles).scan { event in
            switch event {
            case .start("w:style", let attributes, _): styleID = attributes["w:styleId"]
            case .start("w:name", let attributes, _):
                if let styleID, let name = attributes["w:val"]?.lowercased() {
                    if name == "title" { levels[styleID] = 0 }
                    if name.hasPrefix("heading "), let level = Int(name.dropFirst(8)), (1...9).contains(level) { levels[styleID] = level }
                }
            case .start("w:outlineLvl", let attributes, _):
                if let styleID, let value = attributes["w:val"].flatMap(Int.init), value < 9, levels[styleID] == nil { levels[styleID] = value + 1 }
            case .end("w:style"): styleID = nil
            default: break
            }
            return true
        }
        return levels
    }
}
