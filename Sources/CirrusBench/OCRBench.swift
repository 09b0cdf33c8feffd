import ArgumentParser
import Extraction
import Foundation
import SampleDocuments

/// `cirrus-bench ocr`: how accurately and how fast scans are read. Our producer draws a page
/// of known text in each font and size at 300 dpi, turned and speckled as a scanner would
/// leave it, as a PNG and as an image-only PDF page; each is read as an import reads it, and
/// the character error rate against the drawn text and the time per page are printed.
struct OCRBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ocr", abstract: "OCR accuracy (character error rate) and time per page.")

    @Option(help: "Degrees each page is turned.") var rotation = 0.8
    @Option(help: "Share of pixels flipped to noise.") var noise = 0.003

    static let text = [
        "Tenancy agreement for Flat 4, 18 Harbour Road, signed on 12 March 2024.",
        "The rent of 1,250 pounds is due on the first working day of each month.",
        "Repairs to the boiler, windows and roof are the landlord's responsibility.",
        "The tenant gives two months' notice in writing before leaving the flat.",
        "Deposit: 1,875 pounds, held by the Tenancy Deposit Scheme (ref. TDS-44817).",
        "Pets are allowed with written consent; smoking is not permitted inside.",
    ]

    func run() throws {
        print("command: \(CommandLine.arguments.joined(separator: " ")) (300 dpi, turned \(rotation)°, \(noise * 100) % of pixels flipped)")
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores; Tesseract \(TesseractVersion.current) with the eng pack")
        let extractors = Extractors(limits: ExtractionLimits(timeout: .seconds(300)))
        let expected = Self.text.joined(separator: " ")
        var errors: [Double] = []
        var seconds: [Double] = []
        func column(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
        print("  " + column("font", 18) + column("size", 6) + column("as", 5) + column("CER", 9) + "s/page")
        for font in ["DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono"] {
            for points in [10.0, 12.0, 14.0] {
                let style = ScanWriter.Style(font: font, points: points, rotation: rotation, noise: noise)
                for kind in ["png", "pdf"] {
                    let bytes = kind == "png" ? ScanWriter.png(Self.text, style: style) : ScanWriter.pdf([Self.text], style: style)
                    let started = ContinuousClock.now
                    let document = try extractors.extract(bytes, mimeType: kind == "png" ? "image/png" : "application/pdf", fileName: "scan.\(kind)")
                    let took = (ContinuousClock.now - started).seconds
                    let rate = CharacterErrorRate.of(document.plainText, expected: expected)
                    errors.append(rate)
                    seconds.append(took)
                    print(
                        "  " + column(font, 18) + column(String(Int(points)), 6) + column(kind, 5) + column(String(format: "%.2f%%", rate * 100), 9)
                            + String(format: "%.2f", took))
                }
            }
        }
        let meanRate = errors.reduce(0, +) / Double(errors.count)
        let sorted = seconds.sorted()
        print(
            String(
                format: "mean CER %.2f%% (worst %.2f%%; target ≤ 2%%) over %d pages; time per page p50 %.2f s, max %.2f s",
                meanRate * 100, (errors.max() ?? 0) * 100, errors.count, sorted[sorted.count / 2], sorted.last ?? 0))
    }
}
