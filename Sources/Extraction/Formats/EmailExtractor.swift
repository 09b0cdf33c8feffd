import Foundation

/// Email: a message (`.eml`, RFC 5322 with MIME) or a mailbox of them (`.mbox`). Each message is
/// a section headed by its subject that starts with From, To, Cc, Date and Subject; then its body —
/// the plain-text alternative when there is one, else the HTML, decoded from quoted-printable or
/// base64 and from its charset; then each attachment, read by the extractor for its type as
/// sections of their own ("Attachment: name"). Forwarded messages are read as messages.
public struct EmailExtractor: TextExtractor {
    public let mimeTypes: Set<String> = ["message/rfc822", "application/mbox", "application/x-mbox"]
    /// Messages nested inside messages, and parts inside parts, are read this deep.
    static let maximumDepth = 8
    /// At most this many parts per message (a message of a million empty parts is an attack).
    static let maximumParts = 1000

    public init() {}

    public func extract(_ data: [UInt8], fileName: String, limits: ExtractionLimits) throws(ExtractionError) -> ExtractedDocument {
        let isMailbox = data.starts(with: Array("From ".utf8)) || fileName.lowercased().hasSuffix(".mbox")
        var reader = Reader(limits: limits, deadline: ExtractionDeadline(after: limits.timeout))
        let messages = isMailbox ? Self.mailboxMessages(data) : [data[...]]
        var firstSubject: String?
        for message in messages {
            try reader.deadline.check()
            let subject = try reader.message(message, depth: 0, path: [])
            if firstSubject == nil { firstSubject = subject }
        }
        guard !reader.sections.isEmpty else { throw .noText("The file contains no messages.") }
        return ExtractedDocument(title: isMailbox ? fileName : (firstSubject ?? fileName), sections: reader.sections)
    }

    /// An mbox's messages: each starts at a line beginning "From " (the envelope line, dropped);
    /// body lines that began with "From " were escaped as ">From ", and are unescaped (mboxrd).
    static func mailboxMessages(_ data: [UInt8]) -> [ArraySlice<UInt8>] {
        var messages: [ArraySlice<UInt8>] = []
        var current: [UInt8] = []
        var started = false
        var lineStart = 0
        func flush() {
            if started, !current.isEmpty { messages.append(current[...]) }
            current.removeAll(keepingCapacity: true)
        }
        while lineStart < data.count {
            var lineEnd = lineStart
            while lineEnd < data.count, data[lineEnd] != 0x0A { lineEnd += 1 }
            let line = data[lineStart..<min(lineEnd + 1, data.count)]
            if line.starts(with: Array("From ".utf8)) {
                flush()
                started = true
            } else if started {
                var quoted = line.startIndex
                while quoted < line.endIndex, line[quoted] == UInt8(ascii: ">") { quoted += 1 }
                if quoted > line.startIndex, line[quoted...].starts(with: Array("From ".utf8)) {
                    current += line.dropFirst()
                } else {
                    current += line
                }
            }
            lineStart = lineEnd + 1
        }
        flush()
        return messages
    }

    /// Gathers the sections of a file's messages.
    struct Reader {
        let limits: ExtractionLimits
        let deadline: ExtractionDeadline
        var sections: [ExtractedSection] = []
        private var length = 0
        private var parts = 0
        private var attachmentReaders: Extractors?

        init(limits: ExtractionLimits, deadline: ExtractionDeadline) {
            self.limits = limits
            self.deadline = deadline
        }

        /// Reads one message under `path` (the subjects of the messages it is inside); returns its subject.
        mutating func message(_ bytes: ArraySlice<UInt8>, depth: Int, path: [String]) throws(ExtractionError) -> String? {
            let entity = MIMEEntity(bytes)
            guard !entity.headers.isEmpty else { throw .corrupt("it is not an email message (no headers)") }
            let subject = entity.header("subject").map(SectionBuilder.normalize)
            let heading = path + [subject.flatMap { $0.isEmpty ? nil : $0 } ?? "(no subject)"]
            var envelope: [String] = []
            for name in ["From", "To", "Cc", "Date", "Subject"] {
                if let value = entity.header(name.lowercased()), !value.isEmpty { envelope.append("\(name): \(SectionBuilder.normalize(value))") }
            }
            try add(ExtractedSection(headingPath: heading, text: envelope.joined(separator: "\n")))
            if depth == 0 { parts = 0 }
            try body(entity, depth: depth, heading: heading)
            return subject
        }

        /// A part: its text, its chosen alternative, each of its parts, or an attachment.
        private mutating func body(_ entity: MIMEEntity, depth: Int, heading: [String]) throws(ExtractionError) {
            parts += 1
            guard parts <= EmailExtractor.maximumParts else { throw .tooLarge("a message has more than \(EmailExtractor.maximumParts) parts") }
            guard depth <= EmailExtractor.maximumDepth else { throw .tooLarge("parts are nested more than \(EmailExtractor.maximumDepth) deep") }
            try deadline.check()
            let type = entity.contentType
            if let name = entity.attachmentName, !type.hasPrefix("multipart/") {
                try attachment(entity, name: name, heading: heading)
                return
            }
            switch type {
            case "multipart/alternative":
                let alternatives = entity.parts
                let chosen =
                    alternatives.first { $0.contentType == "text/plain" && !Self.text(of: $0).allSatisfy(\.isWhitespace) }
                    ?? alternatives.last { $0.contentType == "text/html" } ?? alternatives.last
                if let chosen { try body(chosen, depth: depth + 1, heading: heading) }
            case _ where type.hasPrefix("multipart/"):
                for part in entity.parts { try body(part, depth: depth + 1, heading: heading) }
            case "message/rfc822":
                _ = try message(entity.decodedBody[...], depth: depth + 1, path: heading)
            case "text/html":
                let document = try HTMLExtractor().extract(Array(Self.text(of: entity).utf8), fileName: "message.html", limits: limits)
                for section in document.sections {
                    try add(ExtractedSection(headingPath: heading + section.headingPath, location: section.location, text: section.text))
                }
            case "text/plain", "":
                try add(ExtractedSection(headingPath: heading, text: SectionBuilder.normalize(Self.text(of: entity))))
            default:
                try attachment(entity, name: "part.\(type.split(separator: "/").last ?? "bin")", heading: heading)
            }
        }

        /// An attachment read by the extractor for its type; one that holds no text is named, with why.
        private mutating func attachment(_ entity: MIMEEntity, name: String, heading: [String]) throws(ExtractionError) {
            let under = heading + ["Attachment: \(name)"]
            // One set of readers per file, made at the first attachment (it looks for LibreOffice).
            if attachmentReaders == nil { attachmentReaders = Extractors(limits: limits) }
            let extractors = attachmentReaders!
            do {
                let document = try extractors.extract(entity.decodedBody, mimeType: entity.contentType, fileName: name)
                for (index, section) in document.sections.enumerated() {
                    // The attachment's name stays in the text, as a heading's words do, so it can be searched for.
                    let text = index == 0 ? under[under.count - 1] + "\n" + section.text : section.text
                    try add(ExtractedSection(headingPath: under + section.headingPath, location: section.location, text: text))
                }
            } catch let error where error.isSkip || error.isUnreadable {
                // The message is still worth reading: say what the attachment was and why it holds nothing.
                try add(ExtractedSection(headingPath: under, text: "Attachment \(name) (not read: \(error.reason))"))
            }
        }

        private mutating func add(_ section: ExtractedSection) throws(ExtractionError) {
            guard !section.text.isEmpty else { return }
            length += section.text.count
            if length > limits.maxTextLength { throw .tooLarge("its text is longer than \(limits.maxTextLength) characters") }
            sections.append(section)
        }

        /// A text part's body in its charset.
        static func text(of entity: MIMEEntity) -> String {
            MIMEEntity.decode(entity.decodedBody, charset: entity.parameter("content-type", "charset"))
        }
    }
}

extension ExtractionError {
    /// The file cannot be read as it is (damaged or password-protected), which says nothing
    /// about the message that carries it.
    var isUnreadable: Bool {
        switch self {
        case .encrypted, .corrupt: true
        default: false
        }
    }
}

/// One MIME entity: its headers (unfolded, encoded words decoded) and its body, with its parts
/// when it is multipart.
struct MIMEEntity {
    let headers: [(name: String, value: String)]
    let body: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) {
        // Headers end at the first empty line (CRLF or LF).
        var index = bytes.startIndex
        var lines: [String] = []
        var bodyStart = bytes.endIndex
        while index < bytes.endIndex {
            var end = index
            while end < bytes.endIndex, bytes[end] != 0x0A { end += 1 }
            var line = bytes[index..<end]
            if line.last == 0x0D { line = line.dropLast() }
            if line.isEmpty {
                bodyStart = min(end + 1, bytes.endIndex)
                break
            }
            let text = String(decoding: line, as: UTF8.self)
            if let first = line.first, first == 0x20 || first == 0x09, !lines.isEmpty {
                lines[lines.count - 1] += " " + text.trimmingCharacters(in: .whitespaces)
            } else {
                lines.append(text)
            }
            index = end + 1
            if end >= bytes.endIndex { bodyStart = bytes.endIndex }
        }
        var headers: [(String, String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            guard !name.contains(" ") else { continue }
            headers.append((name, Self.decodeWords(String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))))
        }
        self.headers = headers
        body = bytes[bodyStart...]
    }

    func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }

    /// The type without parameters, lower-cased ("" when the header is absent).
    var contentType: String {
        header("content-type").map { String($0.prefix { $0 != ";" }).trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
    }

    /// A parameter of a structured header, e.g. the `boundary` of `Content-Type` (RFC 2231 `name*=` too).
    func parameter(_ headerName: String, _ parameter: String) -> String? {
        guard let value = header(headerName) else { return nil }
        for piece in value.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            let key = pair[0].lowercased()
            var text = pair[1]
            if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = String(text.dropFirst().dropLast()) }
            if key == parameter { return text }
            if key == parameter + "*" {
                // charset'language'percent-encoded
                let parts = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                return parts.count == 3 ? String(parts[2]).removingPercentEncoding ?? String(parts[2]) : text
            }
        }
        return nil
    }

    /// The file name when the part is an attachment (or an inline part with a name that is not text).
    var attachmentName: String? {
        let name = parameter("content-disposition", "filename") ?? parameter("content-type", "name")
        let disposition = header("content-disposition")?.lowercased() ?? ""
        if disposition.hasPrefix("attachment") { return name ?? "attachment" }
        if let name, !contentType.hasPrefix("text/") { return name }
        return nil
    }

    /// The body without its transfer encoding.
    var decodedBody: [UInt8] {
        switch header("content-transfer-encoding")?.lowercased().trimmingCharacters(in: .whitespaces) {
        case "base64": Self.base64(body)
        case "quoted-printable": Self.quotedPrintable(body)
        default: Array(body)
        }
    }

    /// The parts of a multipart body, between its boundary lines.
    var parts: [MIMEEntity] {
        guard let boundary = parameter("content-type", "boundary"), !boundary.isEmpty else { return [] }
        let delimiter = Array(("--" + boundary).utf8)
        var result: [MIMEEntity] = []
        var partStart: Int?
        var index = body.startIndex
        while index < body.endIndex {
            var end = index
            while end < body.endIndex, body[end] != 0x0A { end += 1 }
            let line = body[index..<end]
            if line.starts(with: delimiter) {
                if let start = partStart {
                    // The line break before a delimiter belongs to the delimiter.
                    var partEnd = index
                    if partEnd > start, body[partEnd - 1] == 0x0A { partEnd -= 1 }
                    if partEnd > start, body[partEnd - 1] == 0x0D { partEnd -= 1 }
                    result.append(MIMEEntity(body[start..<max(start, partEnd)]))
                    if result.count >= EmailExtractor.maximumParts { return result }
                }
                if line.dropFirst(delimiter.count).starts(with: [0x2D, 0x2D]) { return result }
                partStart = min(end + 1, body.endIndex)
            }
            index = end + 1
        }
        if let start = partStart, start < body.endIndex { result.append(MIMEEntity(body[start...])) }
        return result
    }

    static func base64(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        let clean = bytes.filter { !($0 == 0x0A || $0 == 0x0D || $0 == 0x20 || $0 == 0x09) }
        var text = String(decoding: clean, as: UTF8.self)
        text = String(text.prefix { $0 != "=" })
        while text.count % 4 != 0 { text += "=" }
        return Data(base64Encoded: text).map(Array.init) ?? []
    }

    static func quotedPrintable(_ bytes: ArraySlice<UInt8>, underscoreIsSpace: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: byte - 0x30
            case 0x41...0x46: byte - 0x41 + 10
            case 0x61...0x66: byte - 0x61 + 10
            default: nil
            }
        }
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "="), index + 1 < bytes.endIndex {
                let next = bytes[index + 1]
                if next == 0x0A {  // soft line break
                    index += 2
                    continue
                }
                if next == 0x0D, index + 2 < bytes.endIndex, bytes[index + 2] == 0x0A {
                    index += 3
                    continue
                }
                if index + 2 < bytes.endIndex, let high = hex(next), let low = hex(bytes[index + 2]) {
                    out.append(high << 4 | low)
                    index += 3
                    continue
                }
            }
            out.append(underscoreIsSpace && byte == UInt8(ascii: "_") ? 0x20 : byte)
            index += 1
        }
        return out
    }

    /// Bytes in a named charset; unknown ones are read as UTF-8 (or Windows-1252 when that fails).
    static func decode(_ bytes: [UInt8], charset: String?) -> String {
        let encoding: String.Encoding? =
            switch charset?.lowercased().trimmingCharacters(in: .whitespaces) {
            case "iso-8859-1", "latin1", "iso_8859-1", "l1": .isoLatin1
            case "windows-1252", "cp1252": .windowsCP1252
            case "us-ascii", "ascii": .utf8  // a superset, and wrong ASCII is usually UTF-8
            case "utf-16": .utf16
            case "utf-16le": .utf16LittleEndian
            case "utf-16be": .utf16BigEndian
            case "iso-8859-2", "latin2": .isoLatin2
            case "windows-1250": .windowsCP1250
            case "windows-1251": .windowsCP1251
            case "shift_jis", "shift-jis": .shiftJIS
            case "euc-jp": .japaneseEUC
            case "iso-2022-jp": .iso2022JP
            default: nil
            }
        if let encoding, encoding != .utf8, let text = String(data: Data(bytes), encoding: encoding) { return text }
        return PlainTextExtractor.decode(bytes)
    }

    /// RFC 2047 encoded words in a header ("=?UTF-8?B?...?=", "=?ISO-8859-1?Q?...?="); the
    /// whitespace between two adjacent encoded words is dropped.
    static func decodeWords(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        var result = ""
        var rest = Substring(value)
        var previousWasEncoded = false
        while let start = rest.range(of: "=?") {
            let before = rest[..<start.lowerBound]
            let afterStart = rest[start.upperBound...]
            let pieces = afterStart.split(separator: "?", maxSplits: 3, omittingEmptySubsequences: false)
            guard pieces.count == 4, pieces[3].hasPrefix("="), ["b", "q"].contains(pieces[1].lowercased()) else {
                result += rest[..<start.upperBound]
                rest = afterStart
                previousWasEncoded = false
                continue
            }
            if !(previousWasEncoded && before.allSatisfy(\.isWhitespace)) { result += before }
            let payload = Array(pieces[2].utf8)[...]
            let bytes = pieces[1].lowercased() == "b" ? base64(payload) : quotedPrintable(payload, underscoreIsSpace: true)
            result += decode(bytes, charset: String(pieces[0].prefix { $0 != "*" }))
            rest = pieces[3].dropFirst()
            previousWasEncoded = true
        }
        return result + rest
    }
}
