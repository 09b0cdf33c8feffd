import CirrusCore
import Foundation
import Hummingbird
import NIOCore

/// Routes `/{real host}/{real path}` to the emulator of that host, applying injected faults
/// and counting requests.
struct SandboxDispatcher: Sendable {
    let sandbox: Sandbox

    struct ConnectionReset: Error {}

    func dispatch(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let rawPath = request.uri.path
        guard let (host, providerRawPath) = ProviderHost.route(rawPath), let emulator = sandbox.emulator(for: host) else {
            throw HTTPError(.notFound, message: "The sandbox does not emulate this host.")
        }
        var request = request
        let body = try await request.collectBody(upTo: 64 << 20)
        let queryItems = SandboxRequest.parsePairs(request.uri.query ?? "")
        var query: [String: String] = [:]
        for (key, value) in queryItems where query[key] == nil { query[key] = value }
        let decodedPath = providerRawPath.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.removingPercentEncoding ?? String($0) }.joined(separator: "/")
        let sandboxRequest = SandboxRequest(
            method: request.method, host: host, path: decodedPath, rawPath: providerRawPath, query: query, queryItems: queryItems,
            headers: request.headers, body: Array(buffer: body),
            origin: "http://\(request.head.authority ?? "127.0.0.1")")

        if let fault = await sandbox.monitor.fault(platform: emulator.platform, path: decodedPath, query: request.uri.query ?? "") {
            switch fault.kind {
            case .status(let status):
                let response = emulator.faultResponse(status: status, retryAfter: fault.retryAfter, request: sandboxRequest)
                await sandbox.monitor.record(platform: emulator.platform, operation: "fault.\(status)")
                return Response(status: response.status, headers: response.headers, body: response.body)
            case .reset:
                await sandbox.monitor.record(platform: emulator.platform, operation: "fault.reset")
                // Promise a body, then fail while writing it: the client sees the connection drop mid-response.
                return Response(
                    status: .ok, headers: [.contentType: "application/json", .contentLength: "1048576"],
                    body: ResponseBody { writer in
                        try await writer.write(ByteBuffer(string: "{\"partial\":"))
                        throw ConnectionReset()
                    })
            case .slow(let milliseconds):
                try await Task.sleep(for: .milliseconds(milliseconds))
            case .redirect(let location):
                await sandbox.monitor.record(platform: emulator.platform, operation: "fault.redirect")
                return Response(status: .found, headers: [.location: location, .contentLength: "0"])
            }
        }
        let response = try await emulator.handle(sandboxRequest)
        await sandbox.monitor.record(platform: emulator.platform, operation: response.operation)
        return Response(status: response.status, headers: response.headers, body: response.body)
    }
}
