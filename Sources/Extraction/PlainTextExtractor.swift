import Foundation

/// Plain text in any common encoding: UTF-8 (with or without BOM), UTF-16 with a BOM, or,
/// failing those, Windows-1252 — which decodes every byte, so legacy files never fail.
public struct PlainTextExtractor: TextExtractor {
    public let mimeTypes: Set<String> = ["text/plain"]

    public init() {}

    public func extract(_ data: [UInt8], fileName: String, limits: ExtractionLimits) throws(ExtractionError) -> ExtractedDocument {
        let text = Self.decode(data)
        if text.contains("\u{0}") { throw .noText("The file looks binary, not text.") }
        guard text.count <= limits.maxTextLength else { throw .tooLarge("its text is longer than \(limits.maxTextLength) characters") }
        let paragraphs = text.replacingOccurrences(of: "\r\n", with: "\n")
            .components(separatedBy: "\n\n")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
        guard !paragraphs.isEmpty else { throw .noText("The file is empty.") }
        return ExtractedDocument(title: fileName, sections: paragraphs.map { ExtractedSection(text: $0) })
    }

    /// Decodes text bytes, detecting the encoding as described on the type.
    public static func decode(_ data: [UInt8]) -> String {
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { return String(decoding: data.dropFirst(3), as: UTF8.self) }
        if data.starts(with: [0xFF, 0xFE]), let text = String(data: Data(data), encoding: .utf16LittleEndian) {
            return String(text.drop { $0 == "\u{FEFF}" })
        }
        if data.starts(with: [0xFE, 0xFF]), let text = String(data: Data(data), encoding: .utf16BigEndian) {
            return String(text.drop { $0 == "\u{FEFF}" })
        }
        if let text = String(validating: data, as: UTF8.self) { return text }
        return String(data: Data(data), encoding: .windowsCP1252) ?? String(decoding: data, as: UTF8.self)
    }
}
