import Foundation

/// Writes ZIP archives with stored (uncompressed) entries: enough for OOXML files, which any
/// reader must accept, with nothing to depend on.
public struct ZipWriter {
    private var data: [UInt8] = []
    private var central: [UInt8] = []
    private var count: UInt16 = 0

    public init() {}

    public mutating func add(_ path: String, _ text: String) {
        add(path, Array(text.utf8))
    }

    public mutating func add(_ path: String, _ bytes: [UInt8]) {
        let name = Array(path.utf8)
        let crc = CRC32.checksum(bytes)
        let offset = UInt32(data.count)
        // Local file header.
        data += le32(0x0403_4B50) + le16(20) + le16(0x0800) + le16(0) + le16(0) + le16(0x21)
        data += le32(crc) + le32(UInt32(bytes.count)) + le32(UInt32(bytes.count)) + le16(UInt16(name.count)) + le16(0)
        data += name + bytes
        // Central directory entry.
        central += le32(0x0201_4B50) + le16(20) + le16(20) + le16(0x0800) + le16(0) + le16(0) + le16(0x21)
        central += le32(crc) + le32(UInt32(bytes.count)) + le32(UInt32(bytes.count)) + le16(UInt16(name.count))
        central += le16(0) + le16(0) + le16(0) + le16(0) + le32(0) + le32(offset) + name
        count += 1
    }

    public func finish() -> [UInt8] {
        let centralOffset = UInt32(data.count)
        var out = data + central
        out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(count) + le16(count)
        out += le32(UInt32(central.count)) + le32(centralOffset) + le16(0)
        return out
    }

    private func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
    private func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }
}

/// CRC-32 (IEEE 802.3), as ZIP and PNG use it.
public enum CRC32 {
    public static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    public static func checksum(_ bytes: [UInt8], initial: UInt32 = 0) -> UInt32 {
        var crc = ~initial
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return ~crc
    }
}

/// XML text escaping for generated documents.
extension String {
    public var xmlEscaped: String {
        var out = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default:
                // XML 1.0 forbids most control characters.
                if scalar.value < 0x20, scalar != "\t", scalar != "\n", scalar != "\r" { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
