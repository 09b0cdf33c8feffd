/// HTML pages and Confluence's storage format (XHTML with `ac:` macros): headings become the
/// heading path, blocks become paragraphs, tables rows; scripts, styles and macro parameters
/// are dropped while the text of code blocks, panels, expands, links and mentions is kept.
public struct HTMLExtractor: TextExtractor {
    public let mimeTypes: Set<String> = ["text/html", "application/xhtml+xml", Self.confluenceStorage]
    /// The type Cirrus gives a Confluence page body in storage format.
    public static let confluenceStorage = "application/vnd.atlassian.confluence.storage+xml"

    public init() {}

    public func extract(_ data: [UInt8], fileName: String, limits: ExtractionLimits) throws(ExtractionError) -> ExtractedDocument {
        let text = PlainTextExtractor.decode(data)
        let bytes = Array(text.utf8)
        let deadline = ExtractionDeadline(after: limits.timeout)
        var builder = SectionBuilder(limit: limits.maxTextLength)
        var title: String?
        var buffer = ""
        var headingLevel: Int?
        var inTitle = false
        var skipDepth = 0  // inside <head>, macro parameters or other non-content
        var row: [String] = []
        var cell: String?
        var events = 0

        func flush() throws(ExtractionError) {
            if cell != nil { return }
            let paragraph = buffer
            buffer = ""
            if let level = headingLevel { try builder.heading(paragraph, level: level) } else { try builder.paragraph(paragraph) }
        }

        try MarkupScanner(bytes, html: true).scanForExtraction { event throws(ExtractionError) in
            events += 1
            if events % 4096 == 0 { try deadline.check() }
            switch event {
            case .start(let name, let attributes, let selfClosing):
                switch name {
                case "head", "ac:parameter", "noscript", "svg", "template", "ac:image":
                    if !selfClosing { skipDepth += 1 }
                case "title": inTitle = true
                case "h1", "h2", "h3", "h4", "h5", "h6":
                    try flush()
                    headingLevel = Int(name.dropFirst())
                case "p", "div", "section", "article", "blockquote", "pre", "ul", "ol", "dl", "dt", "dd",
                    "ac:plain-text-body", "ac:rich-text-body", "ac:layout-cell", "header", "footer", "figure", "figcaption":
                    try flush()
                case "li":
                    try flush()
                    buffer = "• "
                case "br": buffer += "\n"
                case "tr": row = []
                case "td", "th": cell = ""
                case "ri:user":
                    // Mentions keep a marker; the display name lives at Atlassian, not in the page.
                    let mention = "@" + (attributes["ri:username"] ?? "mention")
                    if cell != nil { cell! += mention } else { buffer += mention }
                case "ri:page":
                    if let pageTitle = attributes["ri:content-title"] {
                        if cell != nil { cell! += pageTitle } else { buffer += pageTitle }
                    }
                case "ac:structured-macro":
                    try flush()
                default: break
                }
            case .end(let name):
                switch name {
                case "head", "ac:parameter", "noscript", "svg", "template", "ac:image": skipDepth = max(0, skipDepth - 1)
                case "title": inTitle = false
                case "h1", "h2", "h3", "h4", "h5", "h6":
                    try flush()
                    headingLevel = nil
                case "p", "div", "section", "article", "blockquote", "pre", "li", "dt", "dd", "ac:plain-text-body", "ac:rich-text-body",
                    "ac:layout-cell", "ac:structured-macro", "header", "footer", "figure", "figcaption", "ul", "ol":
                    try flush()
                case "td", "th":
                    if let value = cell { row.append(SectionBuilder.normalize(value)) }
                    cell = nil
                case "tr":
                    let line = row.filter { !$0.isEmpty }.joined(separator: " | ")
                    if !line.isEmpty { try builder.paragraph(line) }
                    row = []
                default: break
                }
            case .text(let text):
                if inTitle {
                    title = (title ?? "") + text
                } else if skipDepth == 0 {
                    if cell != nil { cell! += text } else { buffer += text }
                }
            }
        }
        try flush()
        let cleanTitle = title.map(SectionBuilder.normalize).flatMap { $0.isEmpty ? nil : $0 }
        return try builder.finish(title: cleanTitle ?? fileName)
    }
}
