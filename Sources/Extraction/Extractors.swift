import CirrusCore

/// Picks the extractor for a file by its MIME type, falling back to its extension, and says
/// plainly when a file holds nothing to import (images, archives, media).
public struct Extractors: Sendable {
    private let byType: [String: any TextExtractor]
    private let legacyOffice: LegacyOfficeExtractor
    public let limits: ExtractionLimits

    /// - Parameter legacyOffice: reads `.doc`, `.xls`, `.ppt` and RTF with LibreOffice, where installed.
    /// - Parameter ocr: how images and scanned pages are read; `nil` skips them.
    public init(limits: ExtractionLimits = .standard, legacyOffice: LegacyOfficeExtractor = LegacyOfficeExtractor(), ocr: OCRSettings? = OCRSettings()) {
        self.limits = limits
        self.legacyOffice = legacyOffice
        var all: [any TextExtractor] = [
            legacyOffice,
            PDFExtractor(ocr: ocr), DocxExtractor(), XlsxExtractor(), PptxExtractor(), OpenDocumentExtractor(), EpubExtractor(), EmailExtractor(),
            HTMLExtractor(),
            MarkdownExtractor(),
            DelimitedTextExtractor(), JSONExtractor(), PlainTextExtractor(),
        ]
        if let ocr { all.append(ImageOCRExtractor(settings: ocr)) }
        var byType: [String: any TextExtractor] = [:]
        for extractor in all { for type in extractor.mimeTypes { byType[type] = extractor } }
        self.byType = byType
    }

    /// The type Cirrus reads a file as: its extension's when the provider's type is generic.
    public static func effectiveType(mimeType: String, fileName: String) -> String {
        let base = mimeType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let generic = base.isEmpty || base == "application/octet-stream" || base == "binary/octet-stream" || base == "text/plain"
        if generic, let type = MediaType.forFileName(fileName) { return type }
        return base
    }

    /// Why a file cannot be imported, or `nil` when it can; known before downloading it.
    public func refusal(mimeType: String, fileName: String) -> ExtractionError? {
        let type = Self.effectiveType(mimeType: mimeType, fileName: fileName)
        if let refusal = legacyOffice.refusal(for: type) { return refusal }
        if byType[type] != nil { return nil }
        if type.hasPrefix("text/") { return nil }
        if type.hasPrefix("image/") { return .noText("it is an image in a format OCR does not read") }
        if type.hasPrefix("video/") || type.hasPrefix("audio/") { return .noText("it is audio or video") }
        if [
            "application/zip", "application/x-zip-compressed", "application/gzip", "application/x-tar", "application/x-7z-compressed",
            "application/x-rar-compressed", "application/vnd.rar",
        ].contains(type) {
            return .noText("it is an archive; import the files inside it instead")
        }
        return .unsupported(type.isEmpty ? "unknown type" : type)
    }

    /// Extracts a file's text, or throws the reason it cannot be.
    public func extract(_ data: [UInt8], mimeType: String, fileName: String) throws(ExtractionError) -> ExtractedDocument {
        if let refusal = refusal(mimeType: mimeType, fileName: fileName) { throw refusal }
        let type = Self.effectiveType(mimeType: mimeType, fileName: fileName)
        let extractor = byType[type] ?? PlainTextExtractor()
        if extractor is LegacyOfficeExtractor { return try legacyOffice.extract(data, type: type, fileName: fileName, limits: limits) }
        return try extractor.extract(data, fileName: fileName, limits: limits)
    }
}
