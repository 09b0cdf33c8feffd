/// One event of a markup document, in order.
public enum MarkupEvent: Equatable, Sendable {
    /// An opening tag; `selfClosing` for `<br/>`-style tags. Names keep their prefix (`w:p`), lower-cased for HTML.
    case start(name: String, attributes: [String: String], selfClosing: Bool)
    case end(name: String)
    /// Text with character references decoded; CDATA is passed through as text.
    case text(String)
}

/// A forgiving scanner for XML and HTML. It never reads a DTD and never expands entities other
/// than the predefined ones, numeric references and (for HTML) the common named ones, so external
/// entities and entity-expansion bombs cannot occur by construction. Malformed markup degrades to
/// text instead of failing, as browsers do.
public struct MarkupScanner: Sendable {
    let bytes: [UInt8]
    let html: Bool

    public init(_ bytes: [UInt8], html: Bool = false) {
        self.bytes = bytes
        self.html = html
    }

    /// Calls `handle` for each event; return `false` from it to stop early.
    public func scan(_ handle: (MarkupEvent) throws -> Bool) rethrows {
        var index = 0
        let count = bytes.count
        var textStart = 0
        var rawTextUntil: String?  // inside <script>/<style> in HTML: everything is text until its end tag

        func flushText(_ end: Int) throws -> Bool {
            guard end > textStart else { return true }
            let text = Self.decodeEntities(bytes[textStart..<end], html: html)
            return try handle(.text(text))
        }

        while index < count {
            guard bytes[index] == UInt8(ascii: "<") else {
                index += 1
                continue
            }
            if let raw = rawTextUntil {
                // Look for </raw
                let closing = Array("</\(raw)".utf8)
                if Self.matches(bytes, at: index, closing, caseInsensitive: true) {
                    rawTextUntil = nil
                    textStart = index  // the raw text is dropped: scripts and styles are not content
                } else {
                    index += 1
                    continue
                }
            }
            if Self.matches(bytes, at: index, Array("<!--".utf8)) {
                guard try flushText(index) else { return }
                index = Self.find(bytes, Array("-->".utf8), from: index + 4).map { $0 + 3 } ?? count
                textStart = index
                continue
            }
            if Self.matches(bytes, at: index, Array("<![CDATA[".utf8)) {
                guard try flushText(index) else { return }
                let end = Self.find(bytes, Array("]]>".utf8), from: index + 9) ?? count
                guard try handle(.text(String(decoding: bytes[(index + 9)..<end], as: UTF8.self))) else { return }
                index = min(count, end + 3)
                textStart = index
                continue
            }
            if index + 1 < count, bytes[index + 1] == UInt8(ascii: "!") || bytes[index + 1] == UInt8(ascii: "?") {
                // DOCTYPE, processing instruction: skipped (an internal subset in brackets included), never interpreted.
                guard try flushText(index) else { return }
                var depth = 0
                var cursor = index + 2
                while cursor < count {
                    let byte = bytes[cursor]
                    if byte == UInt8(ascii: "[") {
                        depth += 1
                    } else if byte == UInt8(ascii: "]") {
                        depth -= 1
                    } else if byte == UInt8(ascii: ">"), depth <= 0 {
                        break
                    }
                    cursor += 1
                }
                index = min(count, cursor + 1)
                textStart = index
                continue
            }
            // A tag: <name attrs> or </name>
            let closing = index + 1 < count && bytes[index + 1] == UInt8(ascii: "/")
            let nameStart = index + (closing ? 2 : 1)
            guard nameStart < count, Self.isNameStart(bytes[nameStart]) else {
                index += 1
                continue
            }
            guard try flushText(index) else { return }
            var cursor = nameStart
            while cursor < count, Self.isNameChar(bytes[cursor]) { cursor += 1 }
            var name = String(decoding: bytes[nameStart..<cursor], as: UTF8.self)
            if html { name = name.lowercased() }
            var attributes: [String: String] = [:]
            var selfClosing = false
            // Attributes until '>' outside quotes.
            while cursor < count, bytes[cursor] != UInt8(ascii: ">") {
                let byte = bytes[cursor]
                if byte == UInt8(ascii: "/") {
                    selfClosing = true
                    cursor += 1
                    continue
                }
                if Self.isNameStart(byte) {
                    let attributeStart = cursor
                    while cursor < count, Self.isNameChar(bytes[cursor]) { cursor += 1 }
                    var attributeName = String(decoding: bytes[attributeStart..<cursor], as: UTF8.self)
                    if html { attributeName = attributeName.lowercased() }
                    while cursor < count, bytes[cursor] == UInt8(ascii: " ") { cursor += 1 }
                    var value = ""
                    if cursor < count, bytes[cursor] == UInt8(ascii: "=") {
                        cursor += 1
                        while cursor < count, Self.isSpace(bytes[cursor]) { cursor += 1 }
                        if cursor < count, bytes[cursor] == UInt8(ascii: "\"") || bytes[cursor] == UInt8(ascii: "'") {
                            let quote = bytes[cursor]
                            let valueStart = cursor + 1
                            cursor = valueStart
                            while cursor < count, bytes[cursor] != quote { cursor += 1 }
                            value = Self.decodeEntities(bytes[valueStart..<min(cursor, count)], html: html)
                            cursor += 1
                        } else {
                            let valueStart = cursor
                            while cursor < count, !Self.isSpace(bytes[cursor]), bytes[cursor] != UInt8(ascii: ">") { cursor += 1 }
                            value = Self.decodeEntities(bytes[valueStart..<cursor], html: html)
                        }
                    }
                    attributes[attributeName] = value
                    selfClosing = false
                    continue
                }
                if !Self.isSpace(byte) { selfClosing = false }
                cursor += 1
            }
            index = min(count, cursor + 1)
            textStart = index
            if closing {
                guard try handle(.end(name: name)) else { return }
            } else {
                if html, Self.voidElements.contains(name) { selfClosing = true }
                guard try handle(.start(name: name, attributes: attributes, selfClosing: selfClosing)) else { return }
                if html, !selfClosing, name == "script" || name == "style" { rawTextUntil = name }
            }
        }
        if rawTextUntil == nil { _ = try flushText(count) }
    }

    static let voidElements: Set<String> = ["br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"]

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
    static func isNameStart(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || byte >= 0x80
    }
    static func isNameChar(_ byte: UInt8) -> Bool {
        isNameStart(byte) || (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    static func matches(_ bytes: [UInt8], at index: Int, _ pattern: [UInt8], caseInsensitive: Bool = false) -> Bool {
        guard index + pattern.count <= bytes.count else { return false }
        for offset in 0..<pattern.count {
            var byte = bytes[index + offset]
            if caseInsensitive, byte >= 0x41, byte <= 0x5A { byte += 32 }
            if byte != pattern[offset] { return false }
        }
        return true
    }

    static func find(_ bytes: [UInt8], _ pattern: [UInt8], from start: Int) -> Int? {
        guard let first = pattern.first, start < bytes.count else { return nil }
        var index = start
        while index + pattern.count <= bytes.count {
            if bytes[index] == first, matches(bytes, at: index, pattern) { return index }
            index += 1
        }
        return nil
    }

    /// Decodes `&amp;`-style references. Unknown names stay as written.
    static func decodeEntities(_ slice: ArraySlice<UInt8>, html: Bool) -> String {
        guard slice.contains(UInt8(ascii: "&")) else { return String(decoding: slice, as: UTF8.self) }
        let text = String(decoding: slice, as: UTF8.self)
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var rest = Substring(text)
        while let ampersand = rest.firstIndex(of: "&") {
            result += rest[..<ampersand]
            let afterAmpersand = rest.index(after: ampersand)
            guard let semicolon = rest[afterAmpersand...].prefix(12).firstIndex(of: ";") else {
                result += "&"
                rest = rest[afterAmpersand...]
                continue
            }
            let name = rest[afterAmpersand..<semicolon]
            var replacement: String?
            if name.hasPrefix("#x") || name.hasPrefix("#X") {
                replacement = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else if name.hasPrefix("#") {
                replacement = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else {
                replacement = namedEntities[String(name)] ?? (html ? htmlEntities[String(name)] : nil)
            }
            if let replacement {
                result += replacement
                rest = rest[rest.index(after: semicolon)...]
            } else {
                result += "&"
                rest = rest[afterAmpersand...]
            }
        }
        result += rest
        return result
    }

    static let namedEntities = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'"]
    static let htmlEntities = [
        "nbsp": "\u{00A0}", "copy": "©", "reg": "®", "trade": "™", "hellip": "…", "mdash": "—", "ndash": "–",
        "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”", "bull": "•", "middot": "·", "euro": "€", "pound": "£",
        "yen": "¥", "cent": "¢", "sect": "§", "para": "¶", "deg": "°", "plusmn": "±", "times": "×", "divide": "÷",
        "laquo": "«", "raquo": "»", "eacute": "é", "egrave": "è", "agrave": "à", "aacute": "á", "ccedil": "ç",
        "uuml": "ü", "ouml": "ö", "auml": "ä", "szlig": "ß", "ntilde": "ñ", "rarr": "→", "larr": "←", "check": "✓",
    ]
}

extension MarkupScanner {
    /// Scans with a handler that may stop the scan by throwing an extraction error (a limit
    /// reached, a deadline passed); the error is rethrown with its type kept.
    func scanForExtraction(_ handle: (MarkupEvent) throws(ExtractionError) -> Void) throws(ExtractionError) {
        var failure: ExtractionError?
        scan { event in
            do throws(ExtractionError) {
                try handle(event)
                return true
            } catch {
                failure = error
                return false
            }
        }
        if let failure { throw failure }
    }
}
