/// OpenDocument files read natively (zip + XML, like OOXML): text documents with their outline
/// headings, lists and tables (.odt); spreadsheets one section per sheet, located by its name
/// (.ods); presentations one section per slide, its title a heading and its speaker notes after
/// (.odp). The title comes from `meta.xml`.
public struct OpenDocumentExtractor: TextExtractor {
    public let mimeTypes: Set<String> = [
        "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation", "application/vnd.oasis.opendocument.text-template",
        "application/vnd.oasis.opendocument.spreadsheet-template", "application/vnd.oasis.opendocument.presentation-template",
    ]

    /// Repeated rows and columns are written out up to this many times: spreadsheets save the
    /// empty rest of a sheet as one row repeated a million times.
    static let maximumRepeat = 64

    public init() {}

    public func extract(_ data: [UInt8], fileName: String, limits: ExtractionLimits) throws(ExtractionError) -> ExtractedDocument {
        var package = try ZipPackage(data, limits: limits)
        if try Self.isEncrypted(try package.read("META-INF/manifest.xml")) { throw .encrypted }
        guard let content = try package.read("content.xml") else { throw .corrupt("it has no content.xml") }
        let title = try Self.title(try package.read("meta.xml"))
        let deadline = ExtractionDeadline(after: limits.timeout)
        var reader = ContentReader(builder: SectionBuilder(limit: limits.maxTextLength), deadline: deadline)
        try MarkupScanner(content).scanForExtraction { event throws(ExtractionError) in try reader.handle(event) }
        return try reader.builder.finish(title: title ?? fileName)
    }

    /// A manifest entry with `manifest:encryption-data` means the parts are encrypted (a password).
    static func isEncrypted(_ manifest: [UInt8]?) throws(ExtractionError) -> Bool {
        guard let manifest else { return false }
        var encrypted = false
        MarkupScanner(manifest).scan { event in
            if case .start(let name, _, _) = event, localName(name) == "encryption-data" { encrypted = true }
            return !encrypted
        }
        return encrypted
    }

    static func title(_ meta: [UInt8]?) throws(ExtractionError) -> String? {
        guard let meta else { return nil }
        var title = ""
        var inTitle = false
        MarkupScanner(meta).scan { event in
            switch event {
            case .start("dc:title", _, let selfClosing): inTitle = !selfClosing
            case .end("dc:title"): inTitle = false
            case .text(let text) where inTitle: title += text
            default: break
            }
            return true
        }
        let normalized = SectionBuilder.normalize(title)
        return normalized.isEmpty ? nil : normalized
    }

    /// Walks `content.xml` once for all three kinds: paragraphs (`text:p`, `text:h`) are gathered
    /// with their spaces, tabs and line breaks; table cells join into rows; sheets and slides
    /// set the location.
    struct ContentReader {
        var builder: SectionBuilder
        let deadline: ExtractionDeadline
        /// Paragraphs being gathered (a note or a cell holds paragraphs inside a paragraph's frame).
        private var paragraphs: [String] = []
        private var headingLevel: Int?
        private var listDepth = 0
        private var inSpreadsheet = false
        private var inPresentation = false
        private var slide = 0
        private var slideTitle: String?
        private var inTitleFrame = false
        private var inNotes = false
        private var notes: [String] = []
        /// Rows of the innermost table: its cells so far, and the text of the cell being read.
        private var row: [String] = []
        private var cell: [String]?
        /// A date cell's ISO value: its shown text depends on the sheet's locale and format.
        private var cellDate: String?
        private var cellRepeat = 1
        private var rowRepeat = 1
        private var tableDepth = 0
        /// Skipped subtrees: deleted tracked changes, and the text of a spreadsheet's annotations.
        private var skipDepth = 0

        init(builder: SectionBuilder, deadline: ExtractionDeadline) {
            self.builder = builder
            self.deadline = deadline
        }

        mutating func handle(_ event: MarkupEvent) throws(ExtractionError) {
            switch event {
            case .start(let name, let attributes, let selfClosing):
                if skipDepth > 0 {
                    if !selfClosing { skipDepth += 1 }
                    return
                }
                try start(name, attributes, selfClosing: selfClosing)
            case .end(let name):
                if skipDepth > 0 {
                    skipDepth -= 1
                    return
                }
                try end(name)
            case .text(let text):
                guard skipDepth == 0, !paragraphs.isEmpty else { return }
                paragraphs[paragraphs.count - 1] += text
            }
        }

        private mutating func start(_ name: String, _ attributes: [String: String], selfClosing: Bool) throws(ExtractionError) {
            switch name {
            case "text:tracked-changes", "office:annotation", "text:note-citation":
                if !selfClosing { skipDepth = 1 }
            case "office:spreadsheet": inSpreadsheet = true
            case "office:presentation": inPresentation = true
            case "text:p", "text:h":
                if name == "text:h" { headingLevel = attributes["text:outline-level"].flatMap(Int.init).map { min(max($0, 1), 9) } ?? 1 }
                if selfClosing { break }
                paragraphs.append(listDepth > 0 && tableDepth == 0 && !inPresentation ? "• " : "")
            case "text:s":
                let count = attributes["text:c"].flatMap(Int.init).map { min(max($0, 1), 64) } ?? 1
                append(String(repeating: " ", count: count))
            case "text:tab": append("\t")
            case "text:line-break": append("\n")
            case "text:list": listDepth += 1
            case "table:table":
                tableDepth += 1
                if tableDepth == 1, inSpreadsheet, let sheet = attributes["table:name"] {
                    builder.locate(.sheet(sheet), keepHeadings: false)
                    try builder.heading(sheet, level: 1)
                }
            case "table:table-row":
                row = []
                rowRepeat = attributes["table:number-rows-repeated"].flatMap(Int.init).map { min(max($0, 1), OpenDocumentExtractor.maximumRepeat) } ?? 1
            case "table:table-cell", "table:covered-table-cell":
                cellRepeat = attributes["table:number-columns-repeated"].flatMap(Int.init).map { min(max($0, 1), OpenDocumentExtractor.maximumRepeat) } ?? 1
                cellDate = attributes["office:value-type"] == "date" ? attributes["office:date-value"].map(Self.isoDate) : nil
                if selfClosing { appendCell("") } else { cell = [] }
            case "draw:page":
                slide += 1
                slideTitle = nil
                notes = []
                builder.locate(.slide(slide), keepHeadings: false)
            case "draw:frame" where inPresentation && !inNotes: inTitleFrame = attributes["presentation:class"] == "title"
            case "presentation:notes": inNotes = true
            default: break
            }
        }

        private mutating func end(_ name: String) throws(ExtractionError) {
            switch name {
            case "text:p", "text:h":
                guard let text = paragraphs.popLast() else { break }
                let level = name == "text:h" ? headingLevel : nil
                headingLevel = nil
                if cell != nil {
                    cell?.append(SectionBuilder.normalize(text))
                } else if inNotes {
                    notes.append(SectionBuilder.normalize(text))
                } else if inTitleFrame {
                    slideTitle = (slideTitle.map { $0 + " " } ?? "") + SectionBuilder.normalize(text)
                } else if !paragraphs.isEmpty {
                    // A paragraph inside another's frame (a text box): its text joins the outer one.
                    paragraphs[paragraphs.count - 1] += " " + text
                } else if let level {
                    try builder.heading(text, level: level)
                } else {
                    try builder.paragraph(text)
                }
            case "text:list": listDepth = max(0, listDepth - 1)
            case "table:table-cell", "table:covered-table-cell":
                if let text = cell { appendCell(cellDate ?? text.filter { !$0.isEmpty }.joined(separator: " ")) }
                cell = nil
                cellDate = nil
            case "table:table-row":
                // Trailing empty cells are the unused width of the sheet.
                while row.last?.isEmpty == true { row.removeLast() }
                guard !row.isEmpty else { break }
                let line = row.joined(separator: " | ")
                for _ in 0..<rowRepeat { try builder.paragraph(line) }
                try deadline.check()
            case "table:table": tableDepth -= 1
            case "draw:frame": inTitleFrame = false
            case "presentation:notes":
                inNotes = false
                let text = notes.filter { !$0.isEmpty }
                if !text.isEmpty { try builder.paragraph("Notes: " + text.joined(separator: "\n")) }
            case "draw:text-box" where inTitleFrame:
                if let slideTitle, !slideTitle.isEmpty { try builder.heading(slideTitle, level: 1) }
            default: break
            }
        }

        /// "2025-01-15T00:00:00" → "2025-01-15"; a time of day is kept.
        static func isoDate(_ value: String) -> String {
            value.hasSuffix("T00:00:00") ? String(value.dropLast(9)) : value
        }

        private mutating func append(_ text: String) {
            guard !paragraphs.isEmpty else { return }
            paragraphs[paragraphs.count - 1] += text
        }

        private mutating func appendCell(_ text: String) {
            for _ in 0..<cellRepeat { row.append(text) }
        }
    }
}
