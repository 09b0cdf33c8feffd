import CirrusCore
import Crypto
import Foundation
import SampleDocuments

/// The bytes of a sandbox file.
public enum SandboxContent: Sendable {
    /// Stored bytes.
    case bytes([UInt8])
    /// A large file that is never held in memory: `size` bytes of a repeating text pattern,
    /// produced as they are read.
    case synthetic(size: Int64, pattern: [UInt8])
    /// A Google Docs/Sheets/Slides file: no bytes of its own, only exports.
    case native(NativeDocument)
    /// A folder (or anything else without content).
    case none

    public var size: Int64 {
        switch self {
        case .bytes(let bytes): Int64(bytes.count)
        case .synthetic(let size, _): size
        case .native, .none: 0
        }
    }

    /// The bytes in `range` (clamped); synthetic content is generated on the fly.
    public func read(_ range: Range<Int64>) -> [UInt8] {
        switch self {
        case .bytes(let bytes):
            let lower = Int(max(0, min(range.lowerBound, Int64(bytes.count))))
            let upper = Int(max(Int64(lower), min(range.upperBound, Int64(bytes.count))))
            return Array(bytes[lower..<upper])
        case .synthetic(let size, let pattern):
            let lower = max(0, min(range.lowerBound, size))
            let upper = max(lower, min(range.upperBound, size))
            var out: [UInt8] = []
            out.reserveCapacity(Int(upper - lower))
            var position = lower
            while position < upper {
                let phase = Int(position % Int64(pattern.count))
                let take = min(pattern.count - phase, Int(upper - position))
                out.append(contentsOf: pattern[phase..<(phase + take)])
                position += Int64(take)
            }
            return out
        case .native, .none:
            return []
        }
    }
}

/// One file, folder, page or site object in a provider's emulated store.
///
/// Providers share this model and render it in their own wire shapes; the fields below are
/// the union of what they need.
public struct SandboxItem: Sendable {
    public var id: String
    public var platform: Platform
    public var name: String
    /// `nil` for a root.
    public var parentID: String?
    public var isFolder: Bool
    public var mimeType: String
    public var content: SandboxContent
    /// Bumped on every change; providers derive `version`, `eTag`, `rev` from it.
    public var version: Int
    public var createdAt: Date
    public var modifiedAt: Date
    public var trashed: Bool
    /// Google shared drive / Microsoft drive / Dropbox namespace / Confluence space the item lives in.
    public var containerID: String?
    /// Provider-specific extras (shortcut target, Confluence page status, …).
    public var attributes: [String: String]

    public init(
        id: String, platform: Platform, name: String, parentID: String?, isFolder: Bool, mimeType: String,
        content: SandboxContent, createdAt: Date, containerID: String? = nil, attributes: [String: String] = [:]
    ) {
        self.id = id
        self.platform = platform
        self.name = name
        self.parentID = parentID
        self.isFolder = isFolder
        self.mimeType = mimeType
        self.content = content
        self.version = 1
        self.createdAt = createdAt
        self.modifiedAt = createdAt
        self.trashed = false
        self.containerID = containerID
        self.attributes = attributes
    }

    public var size: Int64 { content.size }

    /// Dropbox's `content_hash`: SHA-256 over the SHA-256 digests of each 4 MiB block.
    public var dropboxContentHash: String {
        let block = 4 * 1024 * 1024
        var digests: [UInt8] = []
        switch content {
        case .bytes(let bytes):
            var offset = 0
            while offset < bytes.count {
                digests += SHA256.hash(data: bytes[offset..<min(offset + block, bytes.count)])
                offset += block
            }
        case .synthetic(let size, let pattern) where block % pattern.count == 0:
            // Every full block of a pattern that divides 4 MiB is identical: hash it once.
            let full = Array(SHA256.hash(data: content.read(0..<Int64(block))))
            for _ in 0..<Int(size / Int64(block)) { digests += full }
            let rest = Int(size % Int64(block))
            if rest > 0 { digests += SHA256.hash(data: content.read(0..<Int64(rest))) }
        case .synthetic(let size, _):
            var offset: Int64 = 0
            while offset < size {
                digests += SHA256.hash(data: content.read(offset..<min(offset + Int64(block), size)))
                offset += Int64(block)
            }
        case .native, .none:
            break
        }
        return SHA256.hash(data: digests).map { String(format: "%02x", $0) }.joined()
    }

    /// Hex MD5 of the content (Google's `md5Checksum`), for stored bytes only.
    public var md5Hex: String? {
        guard case .bytes(let bytes) = content else { return nil }
        return Insecure.MD5.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}
