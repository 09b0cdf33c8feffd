import Foundation

/// EPUB 2 and 3 books (zip + XHTML): the chapters in spine order, each read as HTML, with the
/// table of contents' label as the chapter's heading (EPUB 3's `nav`, else EPUB 2's NCX) and the
/// book's title from its package document. Books under DRM (`encryption.xml` naming content
/// other than fonts) are refused as encrypted.
public struct EpubExtractor: TextExtractor {
    public let mimeTypes: Set<String> = ["application/epub+zip"]

    public init() {}

    public func extract(_ data: [UInt8], fileName: String, limits: ExtractionLimits) throws(ExtractionError) -> ExtractedDocument {
        var package = try ZipPackage(data, limits: limits)
        guard let container = try package.read("META-INF/container.xml") else { throw .corrupt("it has no META-INF/container.xml") }
        guard let opfPath = Self.rootFile(container), let opf = try package.read(opfPath) else { throw .corrupt("its package document is missing") }
        let book = Self.packageDocument(opf, base: Self.folder(of: opfPath))
        if try Self.isProtected(try package.read("META-INF/encryption.xml"), spine: Set(book.spine)) { throw .encrypted }
        var labels: [String: String] = [:]
        if let nav = book.navigation, let bytes = try package.read(nav.path) {
            labels = nav.isNCX ? Self.ncxLabels(bytes, base: Self.folder(of: nav.path)) : Self.navLabels(bytes, base: Self.folder(of: nav.path))
        }
        let deadline = ExtractionDeadline(after: limits.timeout)
        let html = HTMLExtractor()
        var sections: [ExtractedSection] = []
        var length = 0
        for path in book.spine {
            try deadline.check()
            guard let bytes = try package.read(path) else { continue }
            let chapter: ExtractedDocument
            do {
                chapter = try html.extract(bytes, fileName: path, limits: limits)
            } catch .noText {
                continue  // a cover or an image-only page
            }
            var chapterSections = chapter.sections
            if let label = labels[path].map(SectionBuilder.normalize), !label.isEmpty {
                // The contents' label heads the chapter unless the chapter opens with that heading itself.
                if chapterSections.first?.headingPath.first != label {
                    chapterSections = chapterSections.map { section in
                        var section = section
                        section.headingPath = [label] + section.headingPath
                        return section
                    }
                    chapterSections[0].text = label + "\n" + chapterSections[0].text
                }
            }
            length += chapterSections.reduce(0) { $0 + $1.text.count }
            if length > limits.maxTextLength { throw .tooLarge("its text is longer than \(limits.maxTextLength) characters") }
            sections += chapterSections
        }
        guard !sections.isEmpty else { throw .noText("The book contains no text.") }
        return ExtractedDocument(title: book.title ?? fileName, sections: sections)
    }

    struct PackageDocument {
        var title: String?
        /// Zip paths of the spine's documents, in reading order.
        var spine: [String] = []
        var navigation: (path: String, isNCX: Bool)?
    }

    /// `container.xml`'s first rootfile of the OPF type.
    static func rootFile(_ container: [UInt8]) -> String? {
        var path: String?
        MarkupScanner(container).scan { event in
            if case .start(let name, let attributes, _) = event, localName(name) == "rootfile", let fullPath = attributes["full-path"],
                (attributes["media-type"] ?? "application/oebps-package+xml") == "application/oebps-package+xml"
            {
                path = fullPath
                return false
            }
            return true
        }
        return path
    }

    static func packageDocument(_ opf: [UInt8], base: String) -> PackageDocument {
        var document = PackageDocument()
        var manifest: [String: (href: String, type: String, properties: String)] = [:]
        var spineIDs: [String] = []
        var tocID: String?
        var title = ""
        var inTitle = false
        MarkupScanner(opf).scan { event in
            switch event {
            case .start(let name, let attributes, let selfClosing):
                switch localName(name) {
                case "title" where document.title == nil && title.isEmpty: inTitle = !selfClosing
                case "item":
                    if let id = attributes["id"], let href = attributes["href"] {
                        manifest[id] = (resolve(href, base: base), attributes["media-type"] ?? "", attributes["properties"] ?? "")
                    }
                case "spine": tocID = attributes["toc"]
                case "itemref": if let id = attributes["idref"] { spineIDs.append(id) }
                default: break
                }
            case .end(let name): if localName(name) == "title" { inTitle = false }
            case .text(let text): if inTitle { title += text }
            }
            return true
        }
        let normalized = SectionBuilder.normalize(title)
        document.title = normalized.isEmpty ? nil : normalized
        document.spine = spineIDs.compactMap { id in
            manifest[id].flatMap { ["application/xhtml+xml", "text/html", "application/x-dtbook+xml"].contains($0.type) ? $0.href : nil }
        }
        if let nav = manifest.values.first(where: { $0.properties.split(separator: " ").contains("nav") }) {
            document.navigation = (nav.href, false)
        } else if let ncx = tocID.flatMap({ manifest[$0] }) ?? manifest.values.first(where: { $0.type == "application/x-dtbncx+xml" }) {
            document.navigation = (ncx.href, true)
        }
        return document
    }

    /// Whether `encryption.xml` names a spine document: fonts obfuscated by the IDPF or Adobe
    /// algorithms are not DRM and leave the text readable.
    static func isProtected(_ encryption: [UInt8]?, spine: Set<String>) throws(ExtractionError) -> Bool {
        guard let encryption else { return false }
        var protected = false
        MarkupScanner(encryption).scan { event in
            if case .start(let name, let attributes, _) = event, localName(name) == "CipherReference", let uri = attributes["URI"],
                spine.contains(resolve(uri, base: ""))
            {
                protected = true
            }
            return !protected
        }
        return protected
    }

    /// EPUB 3: the `toc` nav's links, href (without fragment) → label.
    static func navLabels(_ bytes: [UInt8], base: String) -> [String: String] {
        var labels: [String: String] = [:]
        var inTOC = false
        var navDepth = 0
        var href: String?
        var label = ""
        MarkupScanner(bytes, html: true).scan { event in
            switch event {
            case .start("nav", let attributes, _):
                navDepth += 1
                if attributes["epub:type"]?.split(separator: " ").contains("toc") == true || attributes["role"] == "doc-toc" { inTOC = true }
            case .end("nav"):
                navDepth -= 1
                if navDepth == 0 { inTOC = false }
            case .start("a", let attributes, _) where inTOC:
                href = attributes["href"].map { resolve($0, base: base) }
                label = ""
            case .end("a"):
                if let target = href, labels[target] == nil { labels[target] = label }
                href = nil
            case .text(let text): if href != nil { label += text }
            default: break
            }
            return true
        }
        return labels
    }

    /// EPUB 2: the NCX's navPoints, content src (without fragment) → navLabel text.
    static func ncxLabels(_ bytes: [UInt8], base: String) -> [String: String] {
        var labels: [String: String] = [:]
        var pending: [String] = []
        var inText = false
        var text = ""
        MarkupScanner(bytes).scan { event in
            switch event {
            case .start(let name, let attributes, let selfClosing):
                switch localName(name) {
                case "navPoint": pending.append("")
                case "text":
                    inText = !selfClosing
                    text = ""
                case "content":
                    if let src = attributes["src"], let label = pending.last {
                        let target = resolve(src, base: base)
                        if labels[target] == nil { labels[target] = label }
                    }
                default: break
                }
            case .end(let name):
                switch localName(name) {
                case "text":
                    inText = false
                    if !pending.isEmpty, pending[pending.count - 1].isEmpty { pending[pending.count - 1] = text }
                case "navPoint": _ = pending.popLast()
                default: break
                }
            case .text(let chunk): if inText { text += chunk }
            }
            return true
        }
        return labels
    }

    /// A link target as a zip path: fragment dropped, percent-escapes decoded, resolved against `base`.
    static func resolve(_ href: String, base: String) -> String {
        let target = String(href.prefix { $0 != "#" })
        return ZipPackage.resolve(target.removingPercentEncoding ?? target, base: base)
    }

    static func folder(of path: String) -> String {
        path.split(separator: "/").dropLast().joined(separator: "/")
    }
}
