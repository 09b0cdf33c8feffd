/// PowerPoint decks (.pptx): each slide's title as a heading, its text in shape order, then its
/// speaker notes, located by slide number.
public struct PptxExtractor: TextExtractor {
    public let mimeTypes: Set<String> = ["application/vnd.openxmlformats-officedocument.presentationml.presentation"]

    public init() {}

    public func extract(_ data: [UInt8], fileName: String, limits: ExtractionLimits) throws(ExtractionError) -> ExtractedDocument {
        var package = try ZipPackage(data, limits: limits)
        guard let presentation = try package.read("ppt/presentation.xml") else { throw .corrupt("it has no ppt/presentation.xml") }
        let relationships = try package.relationships("ppt/_rels/presentation.xml.rels", base: "ppt")
        let deadline = ExtractionDeadline(after: limits.timeout)
        var slidePaths: [String] = []
        MarkupScanner(presentation).scan { event in
            if case .start(let name, let attributes, _) = event, localName(name) == "sldId", let id = attributes["r:id"], let target = relationships[id]?.target
            {
                slidePaths.append(target)
            }
            return true
        }
        var builder = SectionBuilder(limit: limits.maxTextLength)
        for (offset, path) in slidePaths.enumerated() {
            try deadline.check()
            guard let slide = try package.read(path) else { continue }
            builder.locate(.slide(offset + 1), keepHeadings: false)
            let shapes = Self.shapes(slide)
            if let title = shapes.first(where: \.isTitle) { try builder.heading(title.paragraphs.joined(separator: " "), level: 1) }
            for shape in shapes where !shape.isTitle {
                for paragraph in shape.paragraphs { try builder.paragraph(paragraph) }
            }
            let folder = path.split(separator: "/").dropLast().joined(separator: "/")
            let file = path.split(separator: "/").last.map(String.init) ?? ""
            let slideRelationships = try package.relationships("\(folder)/_rels/\(file).rels", base: folder)
            if let notesPath = slideRelationships.values.first(where: { $0.type.hasSuffix("/notesSlide") })?.target,
                let notes = try package.read(notesPath)
            {
                // Notes pages repeat the slide image and number in placeholders; only the body is the speaker's text.
                let text = Self.shapes(notes).filter(\.isNotesBody).flatMap(\.paragraphs)
                if !text.isEmpty { try builder.paragraph("Notes: " + text.joined(separator: "\n")) }
            }
        }
        return try builder.finish(title: fileName)
    }

    struct Shape {
        var placeholder: String?
        var paragraphs: [String] = []
        var isTitle: Bool { placeholder == "title" || placeholder == "ctrTitle" }
        var isNotesBody: Bool { placeholder == "body" }
    }

    static func shapes(_ bytes: [UInt8]) -> [Shape] {
        var shapes: [Shape] = []
        var current: Shape?
        var paragraph = ""
        var inText = false
        MarkupScanner(bytes).scan { event in
            switch event {
            case .start(let name, let attributes, let selfClosing):
                switch name {
                case "p:sp", "p:graphicFrame": current = Shape()
                case "p:ph": current?.placeholder = attributes["type"] ?? "body"
                case "a:p": paragraph = ""
                case "a:t": inText = !selfClosing
                case "a:br": paragraph += "\n"
                default: break
                }
            case .end(let name):
                switch name {
                case "a:t": inText = false
                case "a:p":
                    let text = SectionBuilder.normalize(paragraph)
                    if !text.isEmpty { current?.paragraphs.append(text) }
                case "p:sp", "p:graphicFrame":
                    if let shape = current, !shape.paragraphs.isEmpty { shapes.append(shape) }
                    current = nil
                default: break
                }
            case .text(let text): if inText { paragraph += text }
            }
            return true
        }
        return shapes
    }
}
