import AsyncHTTPClient
import CirrusCore
import Foundation
import NIOCore
import NIOHTTP1

/// Where a download went and what it was.
public struct DownloadedFile: Sendable {
    public var url: URL
    public var bytes: Int64
    /// The type to read the bytes as (an export's type for provider-native documents).
    public var mimeType: String
    /// The name to read them under.
    public var fileName: String

    public init(url: URL, bytes: Int64, mimeType: String, fileName: String) {
        self.url = url
        self.bytes = bytes
        self.mimeType = mimeType
        self.fileName = fileName
    }
}

extension ProviderHTTP {
    /// Streams a response body to `destination` with bounded memory. Every URL, the first and
    /// each redirect's, must pass `links` (else ``ConnectorError/unsafeLink(_:)`` and nothing is
    /// fetched from it); the `Authorization` header goes only to the provider's API hosts and
    /// never across a redirect, as pre-authenticated download URLs require; a 301, 302 or 303
    /// continues as a `GET` without the body or the provider's headers. Transient statuses and
    /// connection failures are retried (honouring `Retry-After`); the body is cut off and refused
    /// past `maxBytes`; the provider's checksum is verified when given.
    public func download(
        _ url: String, method: HTTPMethod = .GET, headers: [(String, String)], body: [UInt8]? = nil, links: LinkPolicy,
        to destination: URL, maxBytes: Int64, checksum: CloudFile.Checksum? = nil
    ) async throws -> (bytes: Int64, headers: HTTPHeaders) {
        var attempt = 0
        var target = url
        var method = method
        var body = body
        var requestHeaders = headers
        var redirects = 0
        while true {
            attempt += 1
            let vetted = try await links.vet(target)
            var request = HTTPClientRequest(url: vetted.url)
            request.method = method
            for (name, value) in requestHeaders where vetted.mayCarryToken || name.lowercased() != "authorization" {
                request.headers.add(name: name, value: value)
            }
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            do {
                let response = try await client.execute(request, timeout: .minutes(10))
                let status = Int(response.status.code)
                if [301, 302, 303, 307, 308].contains(status), let location = response.headers.first(name: "Location"), redirects < 5 {
                    _ = try? await response.body.collect(upTo: 64 << 10)
                    redirects += 1
                    target = URL(string: location, relativeTo: URL(string: target))?.absoluteString ?? location
                    if status == 307 || status == 308 {
                        requestHeaders = requestHeaders.filter { $0.0.lowercased() != "authorization" }
                    } else {
                        // As browsers do: the next request is a plain GET; the provider's own
                        // headers (token, API arguments, content type) stay with the first one.
                        (method, body, requestHeaders) = (.GET, nil, [])
                    }
                    continue
                }
                guard (200..<300).contains(status) else {
                    let collected = try await response.body.collect(upTo: 1 << 20)
                    let reply = Reply(status: status, headers: response.headers, body: Array(buffer: collected))
                    if RetryPolicy.isTransient(status: status),
                        let delay = retry.delay(afterAttempt: attempt, retryAfter: response.headers.first(name: "Retry-After"))
                    {
                        try await Task.sleep(for: delay)
                        continue
                    }
                    throw Self.apiError(reply)
                }
                if let length = response.headers.first(name: "Content-Length").flatMap(Int64.init), length > maxBytes {
                    throw ConnectorError.fileTooLarge(limit: maxBytes)
                }
                FileManager.default.createFile(atPath: destination.path, contents: nil)
                let handle = try FileHandle(forWritingTo: destination)
                defer { try? handle.close() }
                var written: Int64 = 0
                var digest = checksum.map(ContentDigest.init)
                do {
                    for try await var buffer in response.body {
                        written += Int64(buffer.readableBytes)
                        if written > maxBytes { throw ConnectorError.fileTooLarge(limit: maxBytes) }
                        buffer.withUnsafeReadableBytes { bytes in
                            digest?.update(bytes)
                            handle.write(Data(bytes))
                        }
                    }
                } catch let error as ConnectorError {
                    throw error
                } catch let error as CancellationError {
                    throw error
                } catch {
                    // The connection broke mid-body: start the file again.
                    guard let delay = retry.delay(afterAttempt: attempt) else { throw ConnectorError.unavailable("the download was interrupted") }
                    try await Task.sleep(for: delay)
                    continue
                }
                if let digest, !digest.matches() {
                    guard let delay = retry.delay(afterAttempt: attempt) else { throw ConnectorError.checksumMismatch }
                    try await Task.sleep(for: delay)
                    continue
                }
                return (written, response.headers)
            } catch let error as ConnectorError {
                throw error
            } catch let error as CancellationError {
                throw error
            } catch {
                guard let delay = retry.delay(afterAttempt: attempt) else {
                    throw ConnectorError.unavailable(String(describing: type(of: error)))
                }
                try await Task.sleep(for: delay)
            }
        }
    }
}

/// Parses the providers' timestamps (RFC 3339, with or without fractional seconds).
enum ProviderDate {
    static func parse(_ text: String?) -> Date? {
        guard let text else { return nil }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
