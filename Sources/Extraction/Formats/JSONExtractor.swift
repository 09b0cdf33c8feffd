/// JSON: every value with the path that leads to it ("owner.name: Sarah"), in document order,
/// so keys give numbers and names their meaning.
public struct JSONExtractor: TextExtractor {
    public let mimeTypes: Set<String> = ["application/json"]

    public init() {}

    public func extract(_ data: [UInt8], fileName: String, limits: ExtractionLimits) throws(ExtractionError) -> ExtractedDocument {
        var reader = Reader(bytes: data.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(data.dropFirst(3)) : data)
        var lines: [String] = []
        try reader.value(path: "", depth: 0, into: &lines)
        reader.skipSpace()
        guard reader.index == reader.bytes.count else { throw .corrupt("it is not valid JSON (text after the value)") }
        var builder = SectionBuilder(limit: limits.maxTextLength)
        for line in lines { try builder.paragraph(line) }
        return try builder.finish(title: fileName)
    }

    /// A strict recursive-descent reader that emits "path: value" lines.
    struct Reader {
        let bytes: [UInt8]
        var index = 0

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func expect(_ byte: UInt8) throws(ExtractionError) {
            skipSpace()
            guard index < bytes.count, bytes[index] == byte else { throw .corrupt("it is not valid JSON (at byte \(index))") }
            index += 1
        }

        mutating func value(path: String, depth: Int, into lines: inout [String]) throws(ExtractionError) {
            guard depth < 64 else { throw .tooLarge("it nests deeper than 64 levels") }
            skipSpace()
            guard index < bytes.count else { throw .corrupt("it is not valid JSON (it ends early)") }
            func emit(_ text: String) { lines.append(path.isEmpty ? text : "\(path): \(text)") }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return
                }
                while true {
                    skipSpace()
                    let key = try string()
                    try expect(UInt8(ascii: ":"))
                    try value(path: path.isEmpty ? key : "\(path).\(key)", depth: depth + 1, into: &lines)
                    skipSpace()
                    guard index < bytes.count else { throw .corrupt("it is not valid JSON (an object is not closed)") }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    try expect(UInt8(ascii: "}"))
                    return
                }
            case UInt8(ascii: "["):
                index += 1
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return
                }
                var position = 0
                while true {
                    try value(path: "\(path)[\(position)]", depth: depth + 1, into: &lines)
                    position += 1
                    skipSpace()
                    guard index < bytes.count else { throw .corrupt("it is not valid JSON (an array is not closed)") }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    try expect(UInt8(ascii: "]"))
                    return
                }
            case UInt8(ascii: "\""):
                let text = try string()
                if !text.isEmpty { emit(text) }
            default:
                let start = index
                while index < bytes.count, !" \t\r\n,]}".utf8.contains(bytes[index]) { index += 1 }
                let literal = String(decoding: bytes[start..<index], as: UTF8.self)
                guard ["true", "false", "null"].contains(literal) || Double(literal) != nil else { throw .corrupt("it is not valid JSON (at byte \(start))") }
                if literal != "null" { emit(literal) }
            }
        }

        mutating func string() throws(ExtractionError) -> String {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw .corrupt("it is not valid JSON (expected a string at byte \(index))") }
            index += 1
            var start = index
            var result = ""
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    result += String(decoding: bytes[start..<index], as: UTF8.self)
                    index += 1
                    return result
                }
                if byte == UInt8(ascii: "\\") {
                    result += String(decoding: bytes[start..<index], as: UTF8.self)
                    index += 1
                    guard index < bytes.count else { break }
                    switch bytes[index] {
                    case UInt8(ascii: "n"): result += "\n"
                    case UInt8(ascii: "t"): result += "\t"
                    case UInt8(ascii: "r"): result += "\r"
                    case UInt8(ascii: "b"), UInt8(ascii: "f"): break
                    case UInt8(ascii: "u"):
                        guard index + 4 < bytes.count, let unit = UInt32(String(decoding: bytes[(index + 1)...(index + 4)], as: UTF8.self), radix: 16) else {
                            throw .corrupt("it is not valid JSON (a bad \\u escape)")
                        }
                        index += 4
                        var value = unit
                        // A surrogate pair spells one scalar.
                        if (0xD800..<0xDC00).contains(unit), index + 6 < bytes.count, bytes[index + 1] == UInt8(ascii: "\\"),
                            bytes[index + 2] == UInt8(ascii: "u"),
                            let low = UInt32(String(decoding: bytes[(index + 3)...(index + 6)], as: UTF8.self), radix: 16), (0xDC00..<0xE000).contains(low)
                        {
                            value = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                            index += 6
                        }
                        if let scalar = Unicode.Scalar(value) { result.unicodeScalars.append(scalar) }
                    default: result.unicodeScalars.append(Unicode.Scalar(bytes[index]))
                    }
                    index += 1
                    start = index
                    continue
                }
                index += 1
            }
            throw .corrupt("it is not valid JSON (a string is not closed)")
        }
    }
}
