import Crypto
import Foundation
import Hummingbird

/// The stylesheet, scripts and icons of `Web/Static`, compiled into the binary at build time
/// (see ``files``, written by the EmbedWebAssets plugin) and served under `/static`.
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

    /// Every asset by its path under `/static/`. The pages load one script: the shared one, the
    /// importer's and the chat page's, each of which does nothing on pages without its elements.
    static let all: [String: Asset] = {
        func file(_ name: String) -> String {
            guard let text = files[name] else { preconditionFailure("Web/Static/\(name) was not embedded") }
            return text
        }
        var assets = [
            "app.css": Asset(file("app.css"), contentType: "text/css; charset=utf-8"),
            "app.js": Asset(file("app.js") + file("importer.js") + file("chat.js"), contentType: "text/javascript; charset=utf-8"),
            "oauth-result.js": Asset(file("oauth-result.js"), contentType: "text/javascript; charset=utf-8"),
            // The website widget, loaded by other sites' pages.
            "widget.js": Asset(file("widget.js"), contentType: "text/javascript; charset=utf-8"),
            "widget.css": Asset(file("widget.css"), contentType: "text/css; charset=utf-8"),
        ]
        for (name, svg) in files where name.hasPrefix("icons/") {
            assets[name] = Asset(svg, contentType: "image/svg+xml")
        }
        return assets
    }()

    /// Adds `GET /static/**` to the router.
    static func addRoutes(to router: Router<AppRequestContext>) {
        router.get(SiteRoute.staticFile(nil).pattern) { request, context -> Response in
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
