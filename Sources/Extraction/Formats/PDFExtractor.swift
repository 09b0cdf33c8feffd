import CPoppler

/// PDF through poppler-glib, the library behind `pdftotext`: text in reading order, one section
/// per page with its page number, the document's title from its metadata.
public struct PDFExtractor: TextExtractor {
    public let mimeTypes: Set<String> = ["application/pdf"]

    public init() {}

    public func extract(_ data: [UInt8], fileName: String, limits: ExtractionLimits) throws(ExtractionError) -> ExtractedDocument {
        guard data.count > 5, data.starts(with: Array("%PDF".utf8)) || data.prefix(1024).starts(with: Array("%PDF".utf8)) || Self.containsHeader(data) else {
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
            let text = String(cString: raw)
            g_free(raw)
            builder.locate(.page(Int(index) + 1))
            // Blank lines separate paragraphs; single line breaks inside a paragraph are layout.
            for block in text.split(separator: "\n\n", omittingEmptySubsequences: true) {
                try builder.paragraph(block.replacingOccurrences(of: "\n", with: " "))
            }
        }
        do {
            return try builder.finish(title: title ?? fileName)
        } catch .noText {
            throw .noText("the PDF has no text layer (a scan?); OCR is not supported yet")
        }
    }

    /// Some producers put junk before the header; readers accept it within the first kilobyte.
    static func containsHeader(_ data: [UInt8]) -> Bool {
        let head = data.prefix(1024)
        return MarkupScanner.find(Array(head), Array("%PDF-".utf8), from: 0) != nil
    }
}
