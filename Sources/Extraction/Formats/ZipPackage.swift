import Foundation
import ZIPFoundation

/// A read-only view of an Office Open XML package (a zip), with zip-bomb guards: every entry is
/// checked against the expansion ratio before it is read, and reading stops at the total cap.
struct ZipPackage {
    private let archive: Archive
    private let limits: ExtractionLimits
    private var expanded: Int64 = 0

    init(_ data: [UInt8], limits: ExtractionLimits) throws(ExtractionError) {
        guard data.starts(with: [0x50, 0x4B, 0x03, 0x04]) else {
            if data.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) { throw .encrypted }  // OLE container: how Office wraps an encrypted package
            throw .corrupt("it is not a zip package")
        }
        archive = try Self.open(data)
        self.limits = limits
        let declared = archive.reduce(Int64(0)) { $0 + Int64($1.uncompressedSize) }
        guard declared <= limits.maxExpandedBytes else { throw .tooLarge("it expands to more than \(limits.maxExpandedBytes >> 20) MB") }
    }

    /// Opens the package from a private temporary file, unlinked at once (the open file stays
    /// readable). ZIPFoundation's in-memory archive traps when a damaged directory makes it seek
    /// past the end of the data (found by `make fuzz`); a real file answers such a read with
    /// nothing, and the package is reported as damaged.
    private static func open(_ data: [UInt8]) throws(ExtractionError) -> Archive {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cirrus-zip-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: url.path, contents: Data(data), attributes: [.posixPermissions: 0o600]) else {
            throw .corrupt("the package could not be staged for reading")
        }
        defer { try? FileManager.default.removeItem(at: url) }
        do { return try Archive(url: url, accessMode: .read) } catch { throw .corrupt("the zip structure cannot be read") }
    }

    func contains(_ path: String) -> Bool { archive[path] != nil }

    /// Paths of entries under `prefix`.
    func paths(under prefix: String) -> [String] { archive.map(\.path).filter { $0.hasPrefix(prefix) } }

    /// The bytes of one part, or `nil` when the package has no such part.
    mutating func read(_ path: String) throws(ExtractionError) -> [UInt8]? {
        guard let entry = archive[path] else { return nil }
        let compressed = max(Int64(entry.compressedSize), 1)
        let declared = Int64(entry.uncompressedSize)
        if declared / compressed > limits.maxCompressionRatio, declared > 1 << 20 {
            throw .tooLarge("a part expands \(declared / compressed) times its compressed size (a zip bomb?)")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(min(declared, 64 << 20)))
        let cap = limits.maxExpandedBytes - expanded
        do {
            _ = try archive.extract(entry, skipCRC32: false) { chunk in
                // The declared size can lie; the real output is capped as it arrives.
                if Int64(bytes.count + chunk.count) > cap { throw ExtractionError.tooLarge("it expands to more than \(limits.maxExpandedBytes >> 20) MB") }
                bytes.append(contentsOf: chunk)
            }
        } catch let error as ExtractionError {
            throw error
        } catch {
            throw .corrupt("the part \(path) cannot be decompressed")
        }
        expanded += Int64(bytes.count)
        return bytes
    }

    /// Relationship ids to targets from a `_rels/*.rels` part, resolved against `base` (a folder path).
    mutating func relationships(_ relsPath: String, base: String) throws(ExtractionError) -> [String: (target: String, type: String)] {
        guard let bytes = try read(relsPath) else { return [:] }
        var result: [String: (String, String)] = [:]
        MarkupScanner(bytes).scan { event in
            if case .start("Relationship", let attributes, _) = event, let id = attributes["Id"], let target = attributes["Target"] {
                result[id] = (Self.resolve(target, base: base), attributes["Type"] ?? "")
            }
            return true
        }
        return result
    }

    /// Resolves a relative part name ("../notesSlides/notesSlide1.xml") against a folder.
    static func resolve(_ target: String, base: String) -> String {
        if target.hasPrefix("/") { return String(target.dropFirst()) }
        var parts = base.split(separator: "/").map(String.init)
        for piece in target.split(separator: "/") {
            if piece == ".." { if !parts.isEmpty { parts.removeLast() } } else if piece != "." { parts.append(String(piece)) }
        }
        return parts.joined(separator: "/")
    }
}

/// The local name of a prefixed XML name: "w:p" → "p".
@inline(__always) func localName(_ name: String) -> Substring {
    if let colon = name.lastIndex(of: ":") { return name[name.index(after: colon)...] }
    return Substring(name)
}
