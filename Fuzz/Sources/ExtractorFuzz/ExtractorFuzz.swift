import Extraction
import Foundation

/// One libFuzzer target per extractor: `CIRRUS_FUZZ_FORMAT` names which (docx, xlsx, pptx, odt,
/// ods, odp, epub, eml, mbox, image (OCR of any image format: Leptonica reads by content), pdf, html, confluence, markdown, csv, json, text). Legacy Office
/// files are LibreOffice's to parse (fuzzed upstream by OSS-Fuzz), so they have no target here. Every input must end as a document or an
/// `ExtractionError`; a trap, a crash, a leak or a hang past libFuzzer's `-timeout` is a finding.
enum Target {
    static let formats: [String: (mimeType: String, fileName: String)] = [
        "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "fuzz.docx"),
        "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "fuzz.xlsx"),
        "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "fuzz.pptx"),
        "odt": ("application/vnd.oasis.opendocument.text", "fuzz.odt"),
        "ods": ("application/vnd.oasis.opendocument.spreadsheet", "fuzz.ods"),
        "odp": ("application/vnd.oasis.opendocument.presentation", "fuzz.odp"),
        "epub": ("application/epub+zip", "fuzz.epub"),
        "eml": ("message/rfc822", "fuzz.eml"),
        "mbox": ("application/mbox", "fuzz.mbox"),
        "image": ("image/png", "fuzz.png"),
        "pdf": ("application/pdf", "fuzz.pdf"),
        "html": ("text/html", "fuzz.html"),
        "confluence": ("application/vnd.atlassian.confluence.storage+xml", "fuzz.xml"),
        "markdown": ("text/markdown", "fuzz.md"),
        "csv": ("text/csv", "fuzz.csv"),
        "json": ("application/json", "fuzz.json"),
        "text": ("text/plain", "fuzz.txt"),
    ]

    static let format: (mimeType: String, fileName: String) = {
        let name = ProcessInfo.processInfo.environment["CIRRUS_FUZZ_FORMAT"] ?? ""
        guard let format = formats[name] else {
            fatalError("set CIRRUS_FUZZ_FORMAT to one of \(formats.keys.sorted().joined(separator: ", "))")
        }
        return format
    }()

    /// Tighter than the server's limits, so each run explores more inputs per second.
    static let extractors = Extractors(
        limits: ExtractionLimits(maxTextLength: 1_000_000, maxExpandedBytes: 64 << 20, timeout: .seconds(20)), legacyOffice: LegacyOfficeExtractor(soffice: nil))
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = [UInt8](UnsafeBufferPointer(start: data, count: size))
    _ = try? Target.extractors.extract(bytes, mimeType: Target.format.mimeType, fileName: Target.format.fileName)
    return 0
}

/// libFuzzer's driver, called from our own entry point: SwiftPM names an executable's entry
/// `<module>_main` and points `main` at it, so libFuzzer's `main` is not the one linked.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@_cdecl("ExtractorFuzz_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&count, &arguments, fuzzOneInput)
}
