import CTesseract
import Extraction
import Foundation
import SampleDocuments
import TestSupport
import Testing

/// OCR of images and scanned PDF pages, measured against the text our own producer drew.
@Suite("OCR")
struct OCRTests {
    static let lines = [
        "Invoice 2024-118 for Harbour Retail Ltd, due on 30 June.",
        "The support contract renews every year on the first of July.",
        "Call the night desk on 020 7946 0018 for urgent repairs.",
        "Payment terms: thirty days from the date of the invoice.",
    ]

    static func characterErrorRate(_ recognized: String, _ expected: String) -> Double {
        CharacterErrorRate.of(recognized, expected: expected)
    }

    @Test("a scanned page as PNG is read with under 5 % of characters wrong, and the document says it came from OCR with its confidence")
    func image() throws {
        // given a slightly turned, speckled page of known text
        let png = ScanWriter.png(Self.lines, style: .init())
        // when
        let document = try Extractors().extract(png, mimeType: "image/png", fileName: "invoice.png")
        // then
        let rate = Self.characterErrorRate(document.plainText, Self.lines.joined(separator: " "))
        #expect(rate < 0.05, "CER \(rate): \(document.plainText)")
        let ocr = try #require(document.ocr)
        #expect(ocr.pages == 1 && ocr.meanConfidence > 50, "\(ocr)")
    }

    @Test("a mixed PDF: the page with a text layer keeps it, only the scanned page is read by OCR, each located by its page")
    func mixedPDF() throws {
        // given a PDF whose first page is real text and second a scan
        let pdf = ScanWriter.pdf([Self.lines], style: .init(), textPage: ["The cover letter is typed, not scanned."])
        // when
        let document = try Extractors().extract(pdf, mimeType: "application/pdf", fileName: "mixed.pdf")
        // then
        let first = document.sections.filter { $0.location == .page(1) }.map(\.text).joined(separator: " ")
        let second = document.sections.filter { $0.location == .page(2) }.map(\.text).joined(separator: " ")
        #expect(first == "The cover letter is typed, not scanned.")
        #expect(Self.characterErrorRate(second, Self.lines.joined(separator: " ")) < 0.05, "\(second)")
        #expect(document.ocr?.pages == 1)
        // and without OCR the scanned page has nothing
        let plain = try Extractors(ocr: nil).extract(pdf, mimeType: "application/pdf", fileName: "mixed.pdf")
        #expect(!plain.sections.contains { $0.location == .page(2) })
        #expect(plain.ocr == nil)
    }

    @Test(
        "the same page as JPEG, GIF, BMP and WebP is read as well as the PNG",
        arguments: [
            ("image/jpeg", "scan.jpg", ImageEncoding.Format.jpeg), ("image/gif", "scan.gif", .gif), ("image/bmp", "scan.bmp", .bmp),
            ("image/webp", "scan.webp", .webp),
        ])
    func imageFormats(mimeType: String, fileName: String, format: ImageEncoding.Format) throws {
        // given the scanned page in another image format
        let bytes = try ImageEncoding.reencode(ScanWriter.png(Self.lines, style: .init()), as: format)
        // when it is read, by its type and by its name alone
        let typed = try Extractors().extract(bytes, mimeType: mimeType, fileName: fileName)
        let named = try Extractors().extract(bytes, mimeType: "application/octet-stream", fileName: fileName)
        // then
        #expect(Self.characterErrorRate(typed.plainText, Self.lines.joined(separator: " ")) < 0.05, "\(fileName): \(typed.plainText)")
        #expect(named.plainText == typed.plainText)
    }

    @Test("every page of a multi-page TIFF is read and located; a blank image has no text; an image too large to decode safely is refused")
    func tiffAndLimits() throws {
        // given a two-page TIFF written by Leptonica from two scanned pages
        let folder = try TemporaryFolder()
        let path = folder.url.appendingPathComponent("pages.tif").path
        for (index, lines) in [Array(Self.lines.prefix(2)), Array(Self.lines.suffix(2))].enumerated() {
            let png = ScanWriter.png(lines, style: .init(), seed: UInt64(index + 7))
            // As an office scanner saves black-and-white pages: 1 bit per pixel, CCITT G4.
            var pix = png.withUnsafeBufferPointer { pixReadMem($0.baseAddress, $0.count) }
            var gray = pixConvertTo8(pix, 0)
            var bilevel = pixThresholdToBinary(gray, 160)
            pixSetResolution(bilevel, 300, 300)
            #expect(pixWriteTiff(path, bilevel, Int32(IFF_TIFF_G4), index == 0 ? "w" : "a") == 0)
            pixDestroy(&pix)
            pixDestroy(&gray)
            pixDestroy(&bilevel)
        }
        let tiff = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        // when
        let document = try Extractors().extract(tiff, mimeType: "image/tiff", fileName: "pages.tif")
        // then
        #expect(document.ocr?.pages == 2)
        let second = document.sections.filter { $0.location == .page(2) }.map(\.text).joined(separator: " ")
        #expect(Self.characterErrorRate(second, Self.lines.suffix(2).joined(separator: " ")) < 0.05, "\(second)")
        // a blank image holds no text; a 20,000 × 20,000 one is refused from its header
        #expect(throws: ExtractionError.noText("no text was recognized in the image")) {
            try Extractors().extract(PNGWriter.make(width: 64, height: 64, rgb: (255, 255, 255)), mimeType: "image/png", fileName: "blank.png")
        }
        var huge = PNGWriter.make(width: 1, height: 1, rgb: (0, 0, 0))
        huge.replaceSubrange(16..<24, with: [0, 0, 0x4E, 0x20, 0, 0, 0x4E, 0x20])  // IHDR: 20,000 × 20,000
        #expect(throws: ExtractionError.tooLarge("the image is 20000×20000 pixels; OCR reads up to 100 megapixels")) {
            try Extractors().extract(huge, mimeType: "image/png", fileName: "huge.png")
        }
    }
}
