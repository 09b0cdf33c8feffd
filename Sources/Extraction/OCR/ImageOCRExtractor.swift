import CTesseract

/// Photographs, scans and screenshots (PNG, JPEG, TIFF with every page, GIF, BMP, WebP): decoded
/// by Leptonica and read by Tesseract, one section per page with its page number.
public struct ImageOCRExtractor: TextExtractor {
    public let mimeTypes: Set<String> = ["image/png", "image/jpeg", "image/jpg", "image/tiff", "image/gif", "image/bmp", "image/x-ms-bmp", "image/webp"]
    let settings: OCRSettings

    public init(settings: OCRSettings = OCRSettings()) {
        self.settings = settings
    }

    public func extract(_ data: [UInt8], fileName: String, limits: ExtractionLimits) throws(ExtractionError) -> ExtractedDocument {
        let deadline = ExtractionDeadline(after: limits.timeout)
        OCRImages.quiet()
        try OCRImages.checkHeader(data)
        var pages = try OCRImages.decode(data)
        defer { for index in pages.indices { pixDestroy(&pages[index]) } }
        let engine = try OCREngine(settings)
        var builder = SectionBuilder(limit: limits.maxTextLength)
        for (index, page) in pages.enumerated() {
            guard let page else { continue }
            if pages.count > 1 { builder.locate(.page(index + 1)) }
            for paragraph in OCREngine.paragraphs(try engine.recognize(page, deadline: deadline)) { try builder.paragraph(paragraph) }
        }
        do {
            var document = try builder.finish(title: fileName)
            document.ocr = engine.summary
            return document
        } catch .noText {
            throw .noText("no text was recognized in the image")
        }
    }
}

/// Leptonica's side of OCR: headers checked before decoding, every page of a TIFF.
enum OCRImages {
    /// Leptonica reports every unreadable image on stderr; the reason reaches the user anyway.
    static func quiet() { _ = setMsgSeverity(Int32(L_SEVERITY_NONE)) }

    /// Refuses what Leptonica cannot read, and images too large to decode safely.
    static func checkHeader(_ data: [UInt8]) throws(ExtractionError) {
        var format: Int32 = 0
        var width: Int32 = 0
        var height: Int32 = 0
        var bitsPerSample: Int32 = 0
        var samples: Int32 = 0
        var colormap: Int32 = 0
        let status = data.withUnsafeBufferPointer { pixReadHeaderMem($0.baseAddress, $0.count, &format, &width, &height, &bitsPerSample, &samples, &colormap) }
        guard status == 0, width > 0, height > 0 else { throw .corrupt("the image cannot be decoded") }
        if Int(width) * Int(height) > OCRSettings.maximumPixels {
            throw .tooLarge("the image is \(width)×\(height) pixels; OCR reads up to \(OCRSettings.maximumPixels / 1_000_000) megapixels")
        }
    }

    /// Every page: one for most formats, each of a multi-page TIFF.
    static func decode(_ data: [UInt8]) throws(ExtractionError) -> [UnsafeMutablePointer<PIX>?] {
        let isTIFF = data.starts(with: [0x49, 0x49, 0x2A, 0x00]) || data.starts(with: [0x4D, 0x4D, 0x00, 0x2A])
        if isTIFF {
            var pages: [UnsafeMutablePointer<PIX>?] = []
            var pixa: UnsafeMutablePointer<PIXA>? = data.withUnsafeBufferPointer { pixaReadMemMultipageTiff($0.baseAddress, $0.count) }
            guard pixa != nil else { throw .corrupt("the TIFF cannot be decoded") }
            defer { pixaDestroy(&pixa) }
            for index in 0..<pixaGetCount(pixa) {
                let page = pixaGetPix(pixa, index, Int32(L_COPY))
                if let page, Int(pixGetWidth(page)) * Int(pixGetHeight(page)) > OCRSettings.maximumPixels {
                    var doomed: UnsafeMutablePointer<PIX>? = page
                    pixDestroy(&doomed)
                    for index in pages.indices { pixDestroy(&pages[index]) }
                    throw .tooLarge("a page of the TIFF is over \(OCRSettings.maximumPixels / 1_000_000) megapixels")
                }
                pages.append(page)
            }
            return pages
        }
        guard let pix = data.withUnsafeBufferPointer({ pixReadMem($0.baseAddress, $0.count) }) else { throw .corrupt("the image cannot be decoded") }
        return [pix]
    }
}
