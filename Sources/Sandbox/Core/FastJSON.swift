import Foundation

/// Writes `[String: Any]` trees as JSON with sorted keys, without Foundation's JSONSerialization
/// (which on Linux boxes every value through NSObject and dominates the sandbox's response time).
enum FastJSON {
    static func data(_ value: Any, pretty: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        write(value, into: &out, pretty: pretty, indent: 0)
        return out
    }

    private static func newline(_ out: inout [UInt8], _ pretty: Bool, _ indent: Int) {
        guard pretty else { return }
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * 2))
    }

    private static func write(_ value: Any, into out: inout [UInt8], pretty: Bool, indent: Int) {
        switch value {
        case let bool as Bool: out.append(contentsOf: bool ? Array("true".utf8) : Array("false".utf8))
        case let int as Int: out.append(contentsOf: Array(String(int).utf8))
        case let int as Int64: out.append(contentsOf: Array(String(int).utf8))
        case let int as UInt64: out.append(contentsOf: Array(String(int).utf8))
        case let int as Int32: out.append(contentsOf: Array(String(int).utf8))
        case let double as Double:
            if double.isFinite, double == double.rounded(), abs(double) < 1e15 {
                out.append(contentsOf: Array(String(Int64(double)).utf8))
            } else {
                out.append(contentsOf: Array(String(double).utf8))
            }
        case let string as String: writeString(string, into: &out)
        case let substring as Substring: writeString(String(substring), into: &out)
        case let dictionary as [String: Any]:
            if dictionary.isEmpty {
                out.append(contentsOf: Array("{}".utf8))
                return
            }
            out.append(UInt8(ascii: "{"))
            for (index, key) in dictionary.keys.sorted().enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newline(&out, pretty, indent + 1)
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                if pretty { out.append(UInt8(ascii: " ")) }
                write(dictionary[key]!, into: &out, pretty: pretty, indent: indent + 1)
            }
            newline(&out, pretty, indent)
            out.append(UInt8(ascii: "}"))
        case let array as [Any]:
            if array.isEmpty {
                out.append(contentsOf: Array("[]".utf8))
                return
            }
            out.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newline(&out, pretty, indent + 1)
                write(element, into: &out, pretty: pretty, indent: indent + 1)
            }
            newline(&out, pretty, indent)
            out.append(UInt8(ascii: "]"))
        // Checked after the collections: testing a Swift dictionary against a class bridges it.
        case is NSNull:
            out.append(contentsOf: Array("null".utf8))
        case let optional as Any? where optional == nil:
            out.append(contentsOf: Array("null".utf8))
        default:
            writeString(String(describing: value), into: &out)
        }
    }

    private static func writeString(_ string: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20: out.append(contentsOf: Array(String(format: "\\u%04x", byte).utf8))
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
