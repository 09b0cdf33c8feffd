import Crypto
import Foundation
import Hummingbird

/// The stylesheet, script and icons, compiled into the binary and served under `/static`.
enum StaticAssets {
    struct Asset: Sendable {
        let body: ByteBuffer
        let contentType: String
        let etag: String

        init(_ text: String, contentType: String) {
            self.body = ByteBuffer(string: text)
            self.contentType = contentType
            self.etag = "\"" + SHA256.hash(data: Data(text.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined() + "\""
        }
    }

    /// Every asset by its path under `/static/`.
    static let all: [String: Asset] = {
        var assets = [
            "app.css": Asset(stylesheet, contentType: "text/css; charset=utf-8"),
            "app.js": Asset(script + importerScript + chatScript, contentType: "text/javascript; charset=utf-8"),
            "oauth-result.js": Asset(oauthResultScript, contentType: "text/javascript; charset=utf-8"),
        ]
        for (name, svg) in icons {
            assets["icons/\(name).svg"] = Asset(svg, contentType: "image/svg+xml")
        }
        return assets
    }()

    /// Adds `GET /static/**` to the router.
    static func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/static/**") { request, context -> Response in
            let path = context.parameters.getCatchAll().joined(separator: "/")
            guard let asset = all[path] else { throw HTTPError(.notFound) }
            var headers: HTTPFields = [.contentType: asset.contentType, .eTag: asset.etag, .cacheControl: "public, max-age=3600"]
            if request.headers[.ifNoneMatch] == asset.etag {
                headers[.contentType] = nil
                return Response(status: .notModified, headers: headers)
            }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.body))
        }
    }
}
