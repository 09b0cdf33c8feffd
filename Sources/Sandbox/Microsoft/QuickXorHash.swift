import Foundation

/// Microsoft's QuickXorHash (OneDrive/SharePoint `hashes.quickXorHash`): a 160-bit XOR of the
/// bytes, each shifted 11 bits further than the last, with the length XORed into the end.
/// A port of the published reference implementation, hashing a whole buffer in one call.
enum QuickXorHash {
    static let widthInBits = 160
    static let shift = 11
    static let bitsInLastCell = 32

    static func hash(_ bytes: [UInt8]) -> String {
        var data: [UInt64] = [0, 0, 0]
        var vectorArrayIndex = 0
        var vectorOffset = 0
        let count = bytes.count
        for i in 0..<min(count, widthInBits) {
            let isLastCell = vectorArrayIndex == data.count - 1
            let bitsInCell = isLastCell ? bitsInLastCell : 64
            if vectorOffset <= bitsInCell - 8 {
                var j = i
                while j < count {
                    data[vectorArrayIndex] ^= UInt64(bytes[j]) << UInt64(vectorOffset)
                    j += widthInBits
                }
            } else {
                let index2 = isLastCell ? 0 : vectorArrayIndex + 1
                let low = bitsInCell - vectorOffset
                var xored: UInt8 = 0
                var j = i
                while j < count {
                    xored ^= bytes[j]
                    j += widthInBits
                }
                data[vectorArrayIndex] ^= UInt64(xored) << UInt64(vectorOffset)
                data[index2] ^= UInt64(xored) >> UInt64(low)
            }
            vectorOffset += shift
            while vectorOffset >= bitsInCell {
                vectorArrayIndex = isLastCell ? 0 : vectorArrayIndex + 1
                vectorOffset -= bitsInCell
            }
        }
        var result = [UInt8](repeating: 0, count: 20)
        for cell in 0..<2 {
            for byte in 0..<8 { result[cell * 8 + byte] = UInt8((data[cell] >> UInt64(8 * byte)) & 0xFF) }
        }
        for byte in 0..<4 { result[16 + byte] = UInt8((data[2] >> UInt64(8 * byte)) & 0xFF) }
        let length = UInt64(count)
        for byte in 0..<8 { result[12 + byte] ^= UInt8((length >> UInt64(8 * byte)) & 0xFF) }
        return Data(result).base64EncodedString()
    }
}
