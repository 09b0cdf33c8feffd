/// EPUB 3 books of a text document: a title page, then one chapter per section in the spine,
/// a `nav` table of contents (and an EPUB 2 NCX beside it, as most producers still write).
/// Chapters alternate between opening with their own heading and relying on the contents'
/// label, as real books do.
public enum EpubWriter {
    public static func make(_ document: NativeDocument, navigation: Bool = true) -> [UInt8] {
        var zip = ZipWriter()
        zip.add("mimetype", "application/epub+zip")
        zip.add(
            "META-INF/container.xml",
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>
            """)
        var chapters: [(file: String, label: String, body: String)] = [("title.xhtml", document.title, "<h1>\(document.title.xmlEscaped)</h1>")]
        for (index, section) in document.sections.enumerated() {
            let label = section.heading ?? "Part \(index + 1)"
            var body = index % 2 == 0 && section.heading != nil ? "<h1>\(label.xmlEscaped)</h1>" : ""
            body += section.paragraphs.map { "<p>\($0.xmlEscaped)</p>" }.joined()
            if !section.bullets.isEmpty { body += "<ul>" + section.bullets.map { "<li>\($0.xmlEscaped)</li>" }.joined() + "</ul>" }
            if !section.table.isEmpty {
                body += "<table>" + section.table.map { "<tr>" + $0.map { "<td>\($0.xmlEscaped)</td>" }.joined() + "</tr>" }.joined() + "</table>"
            }
            // A space in the name, so links to it are percent-encoded.
            chapters.append(("Text/chapter \(index + 1).xhtml", label, body))
        }
        func href(_ file: String) -> String { file.replacingOccurrences(of: " ", with: "%20") }
        var manifest = "<item id=\"ncx\" href=\"toc.ncx\" media-type=\"application/x-dtbncx+xml\"/>"
        if navigation { manifest += "<item id=\"nav\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" properties=\"nav\"/>" }
        var spine = ""
        var navItems = ""
        var navPoints = ""
        for (index, chapter) in chapters.enumerated() {
            manifest += "<item id=\"c\(index)\" href=\"\(href(chapter.file))\" media-type=\"application/xhtml+xml\"/>"
            spine += "<itemref idref=\"c\(index)\"/>"
            navItems += "<li><a href=\"\(href(chapter.file))#start\">\(chapter.label.xmlEscaped)</a></li>"
            navPoints +=
                "<navPoint id=\"p\(index)\" playOrder=\"\(index + 1)\"><navLabel><text>\(chapter.label.xmlEscaped)</text></navLabel><content src=\"\(href(chapter.file))\"/></navPoint>"
            zip.add(
                "OEBPS/" + chapter.file,
                """
                <?xml version="1.0" encoding="UTF-8"?>
                <!DOCTYPE html>
                <html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"><head><title>\(chapter.label.xmlEscaped)</title><link rel="stylesheet" href="../style.css"/></head><body><section id="start" epub:type="chapter">\(chapter.body)</section></body></html>
                """)
        }
        zip.add(
            "OEBPS/content.opf",
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">urn:uuid:cirrus-sandbox</dc:identifier><dc:title>\(document.title.xmlEscaped)</dc:title><dc:language>en</dc:language><meta property="dcterms:modified">2026-01-01T00:00:00Z</meta></metadata><manifest>\(manifest)</manifest><spine toc="ncx">\(spine)</spine></package>
            """)
        if navigation {
            zip.add(
                "OEBPS/nav.xhtml",
                """
                <?xml version="1.0" encoding="UTF-8"?>
                <html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"><head><title>Contents</title></head><body><nav epub:type="toc" id="toc"><h1>Contents</h1><ol>\(navItems)</ol></nav><nav epub:type="landmarks"><ol><li><a epub:type="bodymatter" href="\(href(chapters[min(1, chapters.count - 1)].file))">Start</a></li></ol></nav></body></html>
                """)
        }
        zip.add(
            "OEBPS/toc.ncx",
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><head><meta name="dtb:uid" content="urn:uuid:cirrus-sandbox"/></head><docTitle><text>\(document.title.xmlEscaped)</text></docTitle><navMap>\(navPoints)</navMap></ncx>
            """)
        return zip.finish()
    }
}
