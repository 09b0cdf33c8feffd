import CPoppler
import CTesseract
import Foundation

/// PDF through poppler-glib, the library behind `pdftotext`: text in reading order, one section
/// per page with its page number, the document's title from its metadata. A page without a text
/// layer (a scan) is rendered at 300 dpi and read by OCR; the other pages keep their own text.
public struct PDFExtractor: TextExtractor {
    public let mimeTypes: Set<String> = ["application/pdf"]
    /// `nil`: pages without text stay without text.
    let ocr: OCRSettings?
    /// A page with fewer letters and digits than this in its text layer is read by OCR (a scan
    /// often carries a page number or a stamp as text).
    static let minimumLayerCharacters = 16
    static let ocrDPI = 300.0

    public init(ocr: OCRSettings? = OCRSettings()) {
        self.ocr = ocr
    }

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
        var engine: OCREngine?
        var ocrUnavailable: String?
        let pages = poppler_document_get_n_pages(document)
        for index in 0..<pages {
            try deadline.check()
            guard let page = poppler_document_get_page(document, index) else { continue }
            defer { g_object_unref(UnsafeMutableRawPointer(page)) }
            var paragraphs: [String] = []
            if let raw = poppler_page_get_text(page) {
                paragraphs = Self.paragraphs(UnsafeBufferPointer(start: UnsafeRawPointer(raw).assumingMemoryBound(to: UInt8.self), count: strlen(raw)))
                g_free(raw)
            }
            builder.locate(.page(Int(index) + 1))
            if let ocr, ocrUnavailable == nil,
                paragraphs.reduce(0, { $0 + $1.unicodeScalars.filter(CharacterSet.alphanumerics.contains).count }) < Self.minimumLayerCharacters
            {
                do throws(ExtractionError) {
                    if engine == nil { engine = try OCREngine(ocr) }
                    let reader = engine!
                    var image: UnsafeMutablePointer<PIX>? = try Self.render(page)
                    defer { pixDestroy(&image) }
                    let recognized = OCREngine.paragraphs(try reader.recognize(image!, deadline: deadline))
                    if !recognized.isEmpty { paragraphs = recognized.map(SectionBuilder.normalize) }
                } catch {
                    guard case .unsupported(let reason) = error else { throw error }
                    ocrUnavailable = reason
                }
            }
            for paragraph in paragraphs { try builder.normalizedParagraph(paragraph) }
        }
        do {
            var result = try builder.finish(title: title ?? fileName)
            result.ocr = engine?.summary
            return result
        } catch .noText {
            if let ocrUnavailable { throw .noText("the PDF has no text layer (a scan?) and OCR is unavailable: \(ocrUnavailable)") }
            throw .noText(ocr == nil ? "the PDF has no text layer (a scan?)" : "the PDF has no text layer and OCR recognized no text in it")
        }
    }

    /// One page as a Leptonica image at 300 dpi on white (smaller for pages so large that 300
    /// dpi would exceed what OCR takes).
    static func render(_ page: OpaquePointer) throws(ExtractionError) -> UnsafeMutablePointer<PIX> {
        var width = 0.0
        var height = 0.0
        poppler_page_get_size(page, &width, &height)
        guard width > 0, height > 0 else { throw .corrupt("a page has no size") }
        var scale = ocrDPI / 72
        let pixels = width * scale * height * scale
        if pixels > Double(OCRSettings.maximumPixels) { scale *= (Double(OCRSettings.maximumPixels) / pixels).squareRoot() }
        let columns = Int32(width * scale)
        let rows = Int32(height * scale)
        guard columns > 0, rows > 0, let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, columns, rows) else {
            throw .corrupt("a page cannot be rendered")
        }
        defer { cairo_surface_destroy(surface) }
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS, let context = cairo_create(surface) else {
            throw .tooLarge("a page is too large to render")
        }
        cairo_set_source_rgb(context, 1, 1, 1)
        cairo_paint(context)
        cairo_scale(context, scale, scale)
        poppler_page_render_for_printing(page, context)
        cairo_destroy(context)
        cairo_surface_flush(surface)
        guard let pixels = cairo_image_surface_get_data(surface), let pix = pixCreate(columns, rows, 32) else {
            throw .tooLarge("a page is too large to render")
        }
        let stride = Int(cairo_image_surface_get_stride(surface))
        let words = pixGetData(pix)!
        let wordsPerLine = Int(pixGetWpl(pix))
        for y in 0..<Int(rows) {
            // Cairo's RGB24 word is 0x00RRGGBB; Leptonica's 32-bit pixel is 0xRRGGBBAA.
            let source = UnsafeRawPointer(pixels + y * stride).assumingMemoryBound(to: UInt32.self)
            let target = words + y * wordsPerLine
            for x in 0..<Int(columns) { target[x] = source[x] << 8 }
        }
        pixSetResolution(pix, Int32(scale * 72), Int32(scale * 72))
        return pix
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
