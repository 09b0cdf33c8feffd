import CTesseract
import Foundation

/// What OCR reads with: Tesseract's language packs (`eng`, `eng+deu`; `CIRRUS_OCR_LANGUAGES`) and
/// where they are (`nil`: Tesseract's own default, Debian's `tesseract-ocr-*` packages).
public struct OCRSettings: Sendable, Equatable, Codable {
    public var languages: String
    public var dataPath: String?

    public init(languages: String = "eng", dataPath: String? = nil) {
        self.languages = languages
        self.dataPath = dataPath
    }

    /// Largest image OCR takes, in pixels (a 100-megapixel scan is already A0 at 300 dpi): a
    /// decompression bomb is refused from its header before it is decoded.
    static let maximumPixels = 100_000_000
}

/// How much of a document's text came from OCR, and how sure Tesseract was of it.
public struct OCRSummary: Sendable, Equatable, Codable {
    /// Pages (or images) whose text was recognized.
    public var pages: Int
    /// Tesseract's mean word confidence over those pages, 0–100.
    public var meanConfidence: Int

    public init(pages: Int, meanConfidence: Int) {
        self.pages = pages
        self.meanConfidence = meanConfidence
    }
}

/// Tesseract over Leptonica images: one engine per file (it loads the language packs), pages
/// recognized one at a time within the file's deadline.
final class OCREngine {
    private let handle: OpaquePointer
    private(set) var confidences: [Int] = []

    init(_ settings: OCRSettings) throws(ExtractionError) {
        guard let handle = TessBaseAPICreate() else { throw .unsupported("OCR could not be started") }
        // Tesseract prints warnings ("Invalid resolution") on stderr; the reader's stderr is a log, so that is harmless.
        let status = settings.languages.withCString { languages in
            if let path = settings.dataPath { return path.withCString { TessBaseAPIInit3(handle, $0, languages) } }
            return TessBaseAPIInit3(handle, nil, languages)
        }
        guard status == 0 else {
            TessBaseAPIDelete(handle)
            throw .unsupported(
                "the OCR language packs \(settings.languages) are not installed (Debian: tesseract-ocr-\(settings.languages.split(separator: "+").first ?? "eng"))"
            )
        }
        TessBaseAPISetPageSegMode(handle, PSM_AUTO)
        self.handle = handle
    }

    deinit {
        TessBaseAPIEnd(handle)
        TessBaseAPIDelete(handle)
    }

    /// The text of one image (a Leptonica `Pix`, which stays the caller's), recognized before `deadline`.
    func recognize(_ pix: UnsafeMutablePointer<PIX>, deadline: ExtractionDeadline) throws(ExtractionError) -> String {
        try deadline.check()
        var prepared: UnsafeMutablePointer<PIX>? = pixConvertTo8(pix, 0)
        defer { pixDestroy(&prepared) }
        guard let gray = prepared else { throw .corrupt("the image cannot be converted for OCR") }
        if pixGetXRes(gray) < 70 { pixSetResolution(gray, 300, 300) }
        // Scans are rarely straight: a skew of a degree or two costs Tesseract whole lines.
        var straightened: UnsafeMutablePointer<PIX>? = pixDeskew(gray, 0)
        defer { pixDestroy(&straightened) }
        TessBaseAPISetImage2(handle, straightened ?? gray)
        TessBaseAPISetSourceResolution(handle, pixGetXRes(gray))
        let monitor = TessMonitorCreate()
        defer { TessMonitorDelete(monitor) }
        let remaining = deadline.remaining
        TessMonitorSetDeadlineMSecs(
            monitor, Int32(clamping: max(1, remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000)))
        guard TessBaseAPIRecognize(handle, monitor) == 0 else {
            try deadline.check()
            throw .corrupt("OCR failed on the image")
        }
        try deadline.check()
        guard let raw = TessBaseAPIGetUTF8Text(handle) else { return "" }
        defer { TessDeleteText(raw) }
        let text = String(cString: raw)
        if !text.allSatisfy(\.isWhitespace) { confidences.append(Int(TessBaseAPIMeanTextConf(handle))) }
        TessBaseAPIClear(handle)
        return text
    }

    /// The pages read so far, with their mean confidence; `nil` when none had text.
    var summary: OCRSummary? {
        confidences.isEmpty ? nil : OCRSummary(pages: confidences.count, meanConfidence: confidences.reduce(0, +) / confidences.count)
    }

    /// Tesseract's text as paragraphs: blank lines separate them, line breaks inside are layout.
    static func paragraphs(_ text: String) -> [String] {
        text.components(separatedBy: "\n\n").map { block in
            block.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
        }.filter { !$0.isEmpty }
    }
}

extension ExtractionDeadline {
    /// Time left before the deadline (zero once it has passed).
    var remaining: Duration { max(.zero, instant - ContinuousClock.now) }
}

/// The Tesseract library OCR runs on, for benchmarks and diagnostics.
public enum TesseractVersion {
    public static var current: String { String(cString: TessVersion()) }
}
