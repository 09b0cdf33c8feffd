import CirrusCore
import Crypto
import Foundation

/// Computes a provider's checksum over a download as its bytes arrive, so a file is verified
/// without holding it in memory.
struct ContentDigest {
    private enum State {
        case md5(Insecure.MD5)
        case dropbox(block: SHA256, blockBytes: Int, digests: [UInt8])
        case quickXor(QuickXorState)
    }

    private var state: State
    let expected: CloudFile.Checksum

    init(_ checksum: CloudFile.Checksum) {
        expected = checksum
        switch checksum {
        case .md5: state = .md5(Insecure.MD5())
        case .dropbox: state = .dropbox(block: SHA256(), blockBytes: 0, digests: [])
        case .quickXor: state = .quickXor(QuickXorState())
        }
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        switch state {
        case .md5(var hasher):
            hasher.update(bufferPointer: bytes)
            state = .md5(hasher)
        case .dropbox(var block, var filled, var digests):
            var offset = 0
            let blockSize = 4 << 20
            while offset < bytes.count {
                let take = min(blockSize - filled, bytes.count - offset)
                block.update(bufferPointer: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + take)]))
                filled += take
                offset += take
                if filled == blockSize {
                    digests += block.finalize()
                    block = SHA256()
                    filled = 0
                }
            }
            state = .dropbox(block: block, blockBytes: filled, digests: digests)
        case .quickXor(var hasher):
            hasher.update(bytes)
            state = .quickXor(hasher)
        }
    }

    /// Whether the bytes seen match what the provider announced.
    func matches() -> Bool {
        switch (state, expected) {
        case (.md5(let hasher), .md5(let hex)):
            return hasher.finalize().map { String(format: "%02x", $0) }.joined() == hex.lowercased()
        case (.dropbox(let block, let filled, var digests), .dropbox(let hex)):
            if filled > 0 || digests.isEmpty { digests += block.finalize() }
            return SHA256.hash(data: digests).map { String(format: "%02x", $0) }.joined() == hex.lowercased()
        case (.quickXor(let hasher), .quickXor(let base64)):
            return hasher.finalize() == base64
        default:
            return true
        }
    }
}

/// Microsoft's QuickXorHash, fed incrementally: byte i is XORed into a 160-bit register at bit
/// (11 × i) mod 160, and the total length is XORed into the last 8 bytes.
struct QuickXorState {
    private var cells = [UInt8](repeating: 0, count: 20)
    private var length: UInt64 = 0
    private var bitPosition = 0

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        for byte in bytes {
            let value = UInt16(byte) << UInt16(bitPosition % 8)
            let index = bitPosition / 8
            cells[index] ^= UInt8(value & 0xFF)
            cells[(index + 1) % 20] ^= UInt8(value >> 8)
            bitPosition = (bitPosition + 11) % 160
        }
        length += UInt64(bytes.count)
    }

    func finalize() -> String {
        var result = cells
        for byte in 0..<8 { result[12 + byte] ^= UInt8((length >> UInt64(8 * byte)) & 0xFF) }
        return Data(result).base64EncodedString()
    }
}
