/// Where in a document a passage comes from, for citations.
public enum SourceLocation: Sendable, Equatable, Codable {
    case page(Int)
    case slide(Int)
    case sheet(String)
    case none

    /// How a person reads it: "page 3", "slide 2", "sheet Budget".
    public var label: String? {
        switch self {
        case .page(let number): "page \(number)"
        case .slide(let number): "slide \(number)"
        case .sheet(let name): "sheet \(name)"
        case .none: nil
        }
    }
}

/// A run of text under one heading at one location.
public struct ExtractedSection: Sendable, Equatable, Codable {
    /// Headings from the outermost to the innermost, e.g. ["Guide", "Installing"].
    public var headingPath: [String]
    public var location: SourceLocation
    public var text: String

    public init(headingPath: [String] = [], location: SourceLocation = .none, text: String) {
        self.headingPath = headingPath
        self.location = location
        self.text = text
    }
}

/// What an extractor gives the chunker: the text in reading order, with its structure kept.
public struct ExtractedDocument: Sendable, Equatable, Codable {
    public var title: String?
    public var sections: [ExtractedSection]
    /// Set when some of the text was recognized by OCR: how many pages, how confidently.
    public var ocr: OCRSummary?

    public init(title: String? = nil, sections: [ExtractedSection], ocr: OCRSummary? = nil) {
        self.title = title
        self.sections = sections
        self.ocr = ocr
    }

    /// All the text, sections separated by blank lines.
    public var plainText: String { sections.map(\.text).joined(separator: "\n\n") }
}

/// Why a file's text could not be extracted, in words a person understands.
public enum ExtractionError: Error, Equatable, Sendable, Codable {
    /// The file is valid but holds no text to import (an image, an archive).
    case noText(String)
    /// The file is damaged or not what its type says.
    case corrupt(String)
    /// The file is password-protected.
    case encrypted
    /// The file exceeds a safety limit (size, expansion ratio, text length).
    case tooLarge(String)
    /// Reading the file took longer than the time allowed.
    case timedOut
    /// The format is not one Cirrus reads.
    case unsupported(String)
    /// The reader process stopped on this file (killed at its time limit, out of memory,
    /// crashed); the detail says which, e.g. "the reader stopped after 60 s".
    case readerStopped(String)

    /// What a person is told, e.g. on the import's file list.
    public var reason: String {
        switch self {
        case .noText(let detail): "No text to import: \(detail)"
        case .corrupt(let detail): "The file is damaged or not what its type says: \(detail)"
        case .encrypted: "The file is password-protected; remove the password and import it again."
        case .tooLarge(let detail): "The file is over a safety limit: \(detail)"
        case .timedOut: "Reading the file took too long and was stopped."
        case .unsupported(let detail): "This kind of file cannot be imported: \(detail)"
        case .readerStopped(let detail): "The file could not be read: \(detail)."
        }
    }

    /// Whether the file ends "skipped" (nothing wrong, nothing to import) rather than "failed".
    public var isSkip: Bool {
        switch self {
        case .noText, .unsupported: true
        default: false
        }
    }
}

/// Turns the bytes of one kind of file into structured text.
public protocol TextExtractor: Sendable {
    /// MIME types this extractor reads.
    var mimeTypes: Set<String> { get }
    func extract(_ data: [UInt8], fileName: String, limits: ExtractionLimits) throws(ExtractionError) -> ExtractedDocument
}

extension TextExtractor {
    public func extract(_ data: [UInt8], fileName: String) throws(ExtractionError) -> ExtractedDocument {
        try extract(data, fileName: fileName, limits: .standard)
    }
}
