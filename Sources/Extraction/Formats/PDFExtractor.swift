import CPoppler

/// PDF through poppler-glib, the library behind `pdftotext`: text in reading order, one section
/// per page with its page number, the document's title from its metadata.
public struct PDFExtractor: TextExtractor {
    public let mimeTypes: Set<String> = ["application/pdf"]

    public init() {}

    public func extract(_ data: [UInt8], fileName: String, limits: ExtractionLimits) throws(ExtractionError) -> ExtractedDocument {
        guard Self.containsHeader(data) else {
            throw .corrupt("it does not start like a PDF")
        }
        let deadline = ExtractionDeadline(after: limits.timeout)
        let bytes = data.withUnsafeBytes { g_bytes_new($0.baseAddress, gsize($0.count)) }
        defer { g_bytes_unref(bytes) }
        var error: UnsafeMutablePointer<GError>?
        guard let document = poppler_document_new_from_bytes(bytes, nil, &error) else {
            let code = error?.pointee.code ?? -1
            if let error { g_error_free(error) }
            if code == Int32(POPPLER_ERROR_ENCRYPTED.rawValue) { throw .encrypted }
            throw .corrupt("poppler cannot open it")
        }
        defer { g_object_unref(UnsafeMutableRawPointer(document)) }

        var title: String?
        if let raw = poppler_document_get_title(document) {
            let text = SectionBuilder.normalize(String(cString: raw))
            g_free(raw)
            if !text.isEmpty { title = text }
        }
        var builder = SectionBuilder(limit: limits.maxTextLength)
        let pages = poppler_document_get_n_pages(document)
        for index in 0..<pages {
            try deadline.check()
            guard let page = poppler_document_get_page(document, index) else { continue }
            defer { g_object_unref(UnsafeMutableRawPointer(page)) }
            guard let raw = poppler_page_get_text(page) else { continue }
            builder.locate(.page(Int(index) + 1))
            let paragraphs = Self.paragraphs(UnsafeBufferPointer(start: UnsafeRawPointer(raw).assumingMemoryBound(to: UInt8.self), count: strlen(raw)))
            g_free(raw)
            for paragraph in paragraphs { try builder.normalizedParagraph(paragraph) }
        }
        do {
            return try builder.finish(title: title ?? fileName)
        } catch .noText {
            throw .noText("the PDF has no text layer (a scan?); OCR is not supported yet")
        }
    }

    /// Splits poppler's page text into paragraphs in one pass over its bytes: a blank line ends a
    /// paragraph, single line breaks inside one are layout (joined with a space), runs of
    /// whitespace collapse, control characters are dropped. Working on bytes keeps extraction as
    /// fast as `pdftotext` itself on large documents.
    static func paragraphs(_ bytes: UnsafeBufferPointer<UInt8>) -> [String] {
        var result: [String] = []
        var current: [UInt8] = []
        current.reserveCapacity(1024)
        var newlines = 0
        var pendingSpace = false
        func endParagraph() {
            if !current.isEmpty { result.append(String(decoding: current, as: UTF8.self)) }
            current.removeAll(keepingCapacity: true)
            pendingSpace = false
        }
        for byte in bytes {
            switch byte {
            case 0x0A, 0x0C:  // line feed, form feed
                newlines += byte == 0x0C ? 2 : 1
                if newlines >= 2 { endParagraph() } else if !current.isEmpty { pendingSpace = true }
            case 0x20, 0x09, 0x0D:
                if !current.isEmpty { pendingSpace = true }
            case 0..<0x20, 0x7F:
                continue
            default:
                newlines = 0
                if pendingSpace {
                    current.append(0x20)
                    pendingSpace = false
                }
                current.append(byte)
            }
        }
        endParagraph()
        return result
    }

    /// Some producers put junk before the header; readers accept it within the first kilobyte.
    static func containsHeader(_ data: [UInt8]) -> Bool {
        let head = data.prefix(1024)
        return MarkupScanner.find(Array(head), Array("%PDF-".utf8), from: 0) != nil
    }
}
