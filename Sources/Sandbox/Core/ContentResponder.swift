import Foundation
import Hummingbird
import NIOCore

/// File bytes as providers serve them: streamed, with single-range `Range` support.
enum ContentResponder {
    /// The bytes of a file, honouring a single `Range: bytes=a-b` like Google's media endpoint.
    static func response(_ content: SandboxContent, mimeType: String, range: String?, operation: String) -> SandboxResponse {
        let size = content.size
        guard let range, range.hasPrefix("bytes=") else {
            return streamed(content, 0..<size, status: .ok, mimeType: mimeType, extra: [:], operation: operation)
        }
        let spec = range.dropFirst(6).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        var lower: Int64
        var upper: Int64
        if spec.count == 2, spec[0].isEmpty, let suffix = Int64(spec[1]) {
            lower = max(0, size - suffix)
            upper = size - 1
        } else if spec.count == 2, let start = Int64(spec[0]) {
            lower = start
            upper = spec[1].isEmpty ? size - 1 : min(Int64(spec[1]) ?? size - 1, size - 1)
        } else {
            return streamed(content, 0..<size, status: .ok, mimeType: mimeType, extra: [:], operation: operation)
        }
        guard size > 0, lower < size, lower <= upper else {
            return GoogleErrors.envelope(
                416, reason: "requestedRangeNotSatisfiable", message: "Request range not satisfiable", headers: [.contentRange: "bytes */\(size)"],
                operation: operation)
        }
        return streamed(
            content, lower..<(upper + 1), status: .partialContent, mimeType: mimeType, extra: [.contentRange: "bytes \(lower)-\(upper)/\(size)"],
            operation: operation)
    }

    /// Writes content in 64 KiB pieces so large synthetic files never sit in memory.
    static func streamed(
        _ content: SandboxContent, _ range: Range<Int64>, status: HTTPResponse.Status, mimeType: String, extra: HTTPFields, operation: String
    ) -> SandboxResponse {
        var headers = extra
        headers[.contentType] = mimeType
        headers[.contentLength] = String(range.count)
        headers[.acceptRanges] = "bytes"
        let body = ResponseBody(contentLength: range.count) { writer in
            var position = range.lowerBound
            while position < range.upperBound {
                let end = min(position + 65536, range.upperBound)
                try await writer.write(ByteBuffer(bytes: content.read(position..<end)))
                position = end
            }
            try await writer.finish(nil)
        }
        return SandboxResponse(status: status, headers: headers, body: body, operation: operation)
    }

}
