import Foundation

/// The tensors of a `.safetensors` file: an 8-byte little-endian header length, a JSON header
/// naming each tensor's dtype, shape and byte range, then the raw little-endian data.
struct SafeTensors {
    enum LoadError: Error, CustomStringConvertible {
        case unreadable(String)
        var description: String {
            switch self {
            case .unreadable(let reason): "model.safetensors: \(reason)"
            }
        }
    }

    private let data: Data
    private let dataStart: Int
    private let entries: [String: (dtype: String, shape: [Int], range: Range<Int>)]

    init(url: URL) throws {
        // Mapped, not read: only the tensors we copy out are paged in.
        let data = try Data(contentsOf: url, options: .alwaysMapped)
        guard data.count >= 8 else { throw LoadError.unreadable("too short") }
        let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        guard headerLength > 0, 8 + headerLength <= data.count,
            let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + headerLength))) as? [String: Any]
        else { throw LoadError.unreadable("bad header") }
        var entries: [String: (String, [Int], Range<Int>)] = [:]
        for (name, value) in header where name != "__metadata__" {
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String, let shape = info["shape"] as? [Int],
                let offsets = info["data_offsets"] as? [Int], offsets.count == 2, offsets[0] <= offsets[1]
            else { throw LoadError.unreadable("bad entry \(name)") }
            entries[name] = (dtype, shape, offsets[0]..<offsets[1])
        }
        self.data = data
        self.dataStart = 8 + headerLength
        self.entries = entries
    }

    /// A float32 tensor's values in row-major order, checked against the expected shape.
    func floats(_ name: String, shape: [Int]) throws -> [Float] {
        guard let entry = entries[name] else { throw LoadError.unreadable("missing tensor \(name)") }
        guard entry.dtype == "F32", entry.shape == shape else {
            throw LoadError.unreadable("\(name) is \(entry.dtype) \(entry.shape), expected F32 \(shape)")
        }
        let count = shape.reduce(1, *)
        let start = dataStart + entry.range.lowerBound
        guard entry.range.count == count * 4, dataStart + entry.range.upperBound <= data.count else {
            throw LoadError.unreadable("\(name) has the wrong size")
        }
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            data.withUnsafeBytes { raw in
                let source = UnsafeRawBufferPointer(rebasing: raw[start..<(start + count * 4)])
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: source)
            }
            initialized = count
        }
    }
}
