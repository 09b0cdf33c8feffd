import CirrusCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a downloaded file's text. The server reads through ``IsolatedReader`` (child
/// processes); ``InProcessReader`` is for tools that read trusted files (benchmarks, tests of
/// the extractors themselves).
public protocol DocumentReader: Sendable {
    /// The text of the file at `path`, or the reason it has none (an ``ExtractionError``).
    func read(fileAt path: String, mimeType: String, fileName: String) async throws -> ExtractedDocument
}

/// Parses in the calling process, off the cooperative pool, with a deadline that bounds the wait.
public struct InProcessReader: DocumentReader {
    public let extractors: Extractors

    public init(extractors: Extractors = Extractors()) {
        self.extractors = extractors
    }

    public func read(fileAt path: String, mimeType: String, fileName: String) async throws -> ExtractedDocument {
        let extractors = self.extractors
        let result = try await firstResult(within: extractors.limits.timeout + .seconds(1)) {
            try await onWorkerThread {
                let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped))
                return try extractors.extract(bytes, mimeType: mimeType, fileName: fileName)
            }
        }
        guard let result else { throw ExtractionError.timedOut }
        return result
    }
}

/// What the server asks a reader process: one file, already on disk.
struct ReadRequest: Codable, Sendable {
    var path: String
    var mimeType: String
    var fileName: String
}

/// What a reader process answers: the text, or why there is none.
struct ReadResponse: Codable, Sendable {
    var document: ExtractedDocument?
    var error: ExtractionError?
}

/// Length-prefixed frames (a 4-byte big-endian length, then that many bytes of JSON) over a pipe.
enum Frames {
    /// Largest frame accepted: the text cap in UTF-8 with JSON's escaping, and room to spare.
    static let maxLength = 256 << 20

    static func write(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
        var length = UInt32(bytes.count).bigEndian
        let header = withUnsafeBytes(of: &length) { Array($0) }
        return writeAll(header, to: descriptor) && writeAll(bytes, to: descriptor)
    }

    /// The next frame, or nil at the end of the stream (or on a frame that cannot be one).
    static func read(from descriptor: Int32) -> [UInt8]? {
        guard let header = readExactly(4, from: descriptor) else { return nil }
        let length = Int(header.reduce(UInt32(0)) { ($0 << 8) | UInt32($1) })
        guard length <= maxLength else { return nil }
        return readExactly(length, from: descriptor)
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    private static func readExactly(_ count: Int, from descriptor: Int32) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let got = buffer[offset...].withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if got == 0 { return nil }
            offset += got
        }
        return buffer
    }
}
