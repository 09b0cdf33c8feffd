import CirrusCore
import Crypto
import FluentKit
import Foundation
import Hummingbird
import NIOCore

/// `/api/v1/webhooks/dropbox`: Dropbox's app webhook (`providers/sync.md` §A.3), registered once
/// in the App Console with this URL (it must be public https). `GET ?challenge=` echoes the
/// challenge; a `POST` is accepted only with `X-Dropbox-Signature`, the HMAC-SHA256 of the whole
/// body under the app secret, checked in constant time before the body is read. A notification
/// never says what changed: it only asks for a run of the named accounts' Dropbox sources, which
/// read their change feeds as any run does. The answer is immediate; no work happens here.
struct DropboxWebhook {
    let connectors: ConnectorRegistry
    let store: Store
    let schedule: SyncSchedule
    let metrics: MetricsRegistry

    /// The notification's body: the accounts with changes (`dbid:…`).
    struct Notification: Decodable {
        struct ListFolder: Decodable { let accounts: [String] }
        let listFolder: ListFolder?
        enum CodingKeys: String, CodingKey { case listFolder = "list_folder" }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get(SiteRoute.dropboxWebhook.pattern) { request, _ -> Response in
            guard let challenge = request.uri.queryParameters["challenge"].map(String.init), !challenge.isEmpty, challenge.count <= 200 else {
                return Response(status: .badRequest)
            }
            metrics.recordPush(platform: .dropbox, outcome: "challenge")
            return Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .init("X-Content-Type-Options")!: "nosniff"],
                body: .init(byteBuffer: ByteBuffer(string: challenge)))
        }
        group.post(SiteRoute.dropboxWebhook.pattern) { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            guard let secret = connectors.setup.apps[.dropbox]?.clientSecret.revealed,
                let signature = request.headers[.init("X-Dropbox-Signature")!],
                SecureToken.constantTimeEquals(signature.lowercased(), Self.signature(of: Data(buffer: body), secret: secret))
            else {
                metrics.recordPush(platform: .dropbox, outcome: "refused")
                return Response(status: .forbidden)
            }
            metrics.recordPush(platform: .dropbox, outcome: "verified")
            guard let accounts = (try? JSONDecoder().decode(Notification.self, from: Data(buffer: body)))?.listFolder?.accounts, !accounts.isEmpty else {
                return Response(status: .ok)
            }
            try await requestRuns(forAccounts: accounts)
            return Response(status: .ok)
        }
    }

    /// Hex HMAC-SHA256 of the body under the app secret, as Dropbox signs it.
    static func signature(of body: Data, secret: String) -> String {
        HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8))).map { String(format: "%02x", $0) }.joined()
    }

    private func requestRuns(forAccounts accounts: [String]) async throws {
        let users = try await UserIntegration.query(on: store.database).filter(\.$platform == .dropbox)
            .filter(\.$providerAccountID ~~ Array(accounts.prefix(1000))).all().map { ($0.$user.id, $0.$workspace.id) }
        for (user, workspace) in users {
            let sources = try await SyncedSource.query(on: store.database).filter(\.$user.$id == user).filter(\.$workspace.$id == workspace)
                .filter(\.$platform == .dropbox).filter(\.$enabled == true).all()
            for source in sources { try await schedule.request(source.requireID()) }
        }
    }
}
