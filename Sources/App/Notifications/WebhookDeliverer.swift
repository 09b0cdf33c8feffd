import AsyncHTTPClient
import CirrusCore
import Connectors
import FluentKit
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// What a workspace's webhook receives for each notification. `text` is what Slack's and Teams'
/// incoming webhooks show; the other fields are for programs.
struct WebhookPayload: Encodable, Sendable {
    let id: UUID
    let type: NotificationKind
    let text: String
    let title: String
    let body: String
    let url: String?
    let workspaceId: UUID
    let recipient: String
    let createdAt: Date
}

/// Posts queued webhook deliveries, in every process (each claims its own), signed
/// `X-Cirrus-Signature: sha256=HMAC-SHA256(secret, "<X-Cirrus-Timestamp>.<body>")`; a failed post is
/// retried with doubling waits, six attempts in all, and the log keeps each outcome.
struct WebhookDeliverer: Service {
    let store: Store
    let vault: TokenVault
    let http: HTTPClient
    let allowPrivate: Bool
    let retryBase: TimeInterval
    let logger: Logger
    var resolve: @Sendable (String) -> [[UInt8]] = LinkPolicy.systemResolve

    static let maxAttempts = 6
    /// How long a claimed delivery is this process's before another may take it.
    static let lease: TimeInterval = 60

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            while let delivery = try? await claim() { await deliver(delivery) }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
            } catch {
                return
            }
        }
    }

    /// Takes the delivery due longest, if any.
    func claim(now: Date = Date()) async throws -> WebhookDelivery? {
        let skipLocked = store.engine == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let rows = try await store.sql.raw(
            """
            UPDATE webhook_deliveries SET next_attempt_at = \(bind: now.addingTimeInterval(Self.lease))
            WHERE id = (SELECT d.id FROM webhook_deliveries d WHERE d.state = \(bind: WebhookDeliveryState.pending.rawValue)
                AND d.next_attempt_at <= \(bind: now) ORDER BY d.next_attempt_at, d.id LIMIT 1\(unsafeRaw: skipLocked))
            AND next_attempt_at <= \(bind: now)
            RETURNING id
            """
        ).all()
        guard let id = try rows.first?.decode(column: "id", as: UUID.self) else { return nil }
        return try await WebhookDelivery.find(id, on: store.database)
    }

    /// Posts one delivery and records how it went (no connection is held while it posts).
    func deliver(_ delivery: WebhookDelivery) async {
        let outcome: (status: Int?, error: String?)
        do {
            outcome = try await post(delivery)
        } catch {
            outcome = (nil, "Could not post: \(Self.describe(error))")
        }
        let attempts = delivery.attempts + 1
        let now = Date()
        delivery.attempts = attempts
        delivery.lastStatus = outcome.status
        delivery.lastError = outcome.error
        if outcome.error == nil {
            delivery.state = .delivered
            delivery.deliveredAt = now
        } else if attempts >= Self.maxAttempts {
            delivery.state = .failed
        } else {
            delivery.nextAttemptAt = now.addingTimeInterval(retryBase * pow(2, Double(attempts - 1)))
        }
        do {
            try await delivery.save(on: store.database)
        } catch {
            logger.warning("could not record a webhook delivery; it is posted again once its claim lapses", metadata: ["error": "\(type(of: error))"])
        }
    }

    private func post(_ delivery: WebhookDelivery) async throws -> (status: Int?, error: String?) {
        guard
            let endpoint = try await WebhookEndpoint.query(on: store.database).filter(\.$workspace.$id == delivery.$workspace.id).first(),
            endpoint.enabled
        else { return (nil, "The webhook was removed or switched off.") }
        try WebhookService.check(endpoint.url, allowPrivate: allowPrivate)
        if !allowPrivate, let host = URL(string: endpoint.url)?.host {
            let resolve = self.resolve
            // getaddrinfo blocks: off the cooperative pool.
            let addresses = try await onWorkerThread { resolve(host) }
            guard !addresses.isEmpty, addresses.allSatisfy(LinkPolicy.isPublic) else {
                return (nil, "Refused: \(host) is not an address on the public internet.")
            }
        }
        let secret = try vault.open(endpoint.sealedSecret)
        let timestamp = String(Int(Date().timeIntervalSince1970))
        var request = HTTPClientRequest(url: endpoint.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Cirrus-Webhook/1")
        request.headers.add(name: "X-Cirrus-Delivery", value: try delivery.requireID().uuidString)
        request.headers.add(name: "X-Cirrus-Event", value: delivery.kind.rawValue)
        request.headers.add(name: "X-Cirrus-Timestamp", value: timestamp)
        request.headers.add(name: "X-Cirrus-Signature", value: "sha256=" + SecureToken.sign(timestamp + "." + delivery.payload, key: secret))
        request.body = .bytes(ByteBuffer(string: delivery.payload))
        let response = try await http.execute(request, timeout: .seconds(10))
        // The answer's body is not needed; reading a little of it lets the connection be reused.
        _ = try? await response.body.collect(upTo: 64 * 1024)
        let status = Int(response.status.code)
        return (status, (200..<300).contains(status) ? nil : "The webhook answered HTTP \(status).")
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? any UserFacingError { return error.safeMessage }
        return String(describing: type(of: error))
    }
}
