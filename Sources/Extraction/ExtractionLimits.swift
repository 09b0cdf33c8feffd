import Foundation

/// Safety limits applied to every file, so one hostile or broken file cannot exhaust the
/// process: zip bombs, gigantic text, pathological parsing time.
public struct ExtractionLimits: Sendable {
    /// Most characters of text kept from one file.
    public var maxTextLength: Int
    /// Most bytes a compressed package (docx/xlsx/pptx) may expand to in total.
    public var maxExpandedBytes: Int64
    /// Highest allowed ratio of expanded to compressed size for a package entry.
    public var maxCompressionRatio: Int64
    /// Time allowed for one file.
    public var timeout: Duration

    public init(maxTextLength: Int = 5_000_000, maxExpandedBytes: Int64 = 512 << 20, maxCompressionRatio: Int64 = 200, timeout: Duration = .seconds(60)) {
        self.maxTextLength = maxTextLength
        self.maxExpandedBytes = maxExpandedBytes
        self.maxCompressionRatio = maxCompressionRatio
        self.timeout = timeout
    }

    public static let standard = ExtractionLimits()
}

/// A point in time after which an extractor gives up, checked between pages, parts and rows.
public struct ExtractionDeadline: Sendable {
    let instant: ContinuousClock.Instant

    public init(after duration: Duration) { instant = .now + duration }

    /// Throws `.timedOut` once the deadline has passed.
    public func check() throws(ExtractionError) {
        if ContinuousClock.now > instant { throw .timedOut }
    }
}

/// Collects text into sections under the current heading path and location, and enforces the
/// text-length cap as it goes.
struct SectionBuilder {
    private(set) var sections: [ExtractedSection] = []
    private var headings: [(level: Int, text: String)] = []
    private var paragraphs: [String] = []
    private var location: SourceLocation = .none
    private var length = 0
    let limit: Int

    init(limit: Int) { self.limit = limit }

    var headingPath: [String] { headings.map(\.text) }

    /// Starts a section under a heading of `level` (1 = outermost).
    mutating func heading(_ text: String, level: Int) throws(ExtractionError) {
        let text = Self.normalize(text)
        guard !text.isEmpty else { return }
        flush()
        headings.removeAll { $0.level >= level }
        headings.append((level, text))
        // The heading's own words stay in the text too, so they are searchable and in reading order.
        paragraphs.append(text)
        try count(text)
    }

    /// Moves to a new page, slide or sheet; headings restart there unless `keepHeadings`.
    mutating func locate(_ newLocation: SourceLocation, keepHeadings: Bool = true) {
        flush()
        location = newLocation
        if !keepHeadings { headings.removeAll() }
    }

    mutating func paragraph(_ text: String) throws(ExtractionError) {
        let text = Self.normalize(text)
        guard !text.isEmpty else { return }
        paragraphs.append(text)
        try count(text)
    }

    /// A paragraph the caller already normalized (single spaces, no control characters).
    mutating func normalizedParagraph(_ text: String) throws(ExtractionError) {
        guard !text.isEmpty else { return }
        paragraphs.append(text)
        length += text.utf8.count
        if length > limit { throw .tooLarge("its text is longer than \(limit) characters") }
    }

    /// Ends the current section and returns the result.
    mutating func finish(title: String?) throws(ExtractionError) -> ExtractedDocument {
        flush()
        guard !sections.isEmpty else { throw .noText("The file contains no text.") }
        return ExtractedDocument(title: title, sections: sections)
    }

    private mutating func count(_ text: String) throws(ExtractionError) {
        length += text.count
        if length > limit { throw .tooLarge("its text is longer than \(limit) characters") }
    }

    private mutating func flush() {
        if !paragraphs.isEmpty {
            sections.append(ExtractedSection(headingPath: headingPath, location: location, text: paragraphs.joined(separator: "\n")))
            paragraphs.removeAll()
        }
    }

    /// Collapses runs of spaces and tabs, trims, and drops control characters.
    static func normalize(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar == " " || scalar == "\t" || scalar == "\u{00A0}" || scalar == "\r" {
                pendingSpace = !result.isEmpty
                continue
            }
            if scalar == "\n" {
                if !result.isEmpty { result.unicodeScalars.append("\n") }
                pendingSpace = false
                continue
            }
            if scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0) { continue }
            if pendingSpace, result.unicodeScalars.last != "\n" { result.unicodeScalars.append(" ") }
            pendingSpace = false
            result.unicodeScalars.append(scalar)
        }
        while result.hasSuffix("\n") { result.removeLast() }
        return result
    }
}
