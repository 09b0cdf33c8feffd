import AsyncHTTPClient
import CirrusCore
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// Outbound notifications the emulated providers send to a registered URL: today Dropbox's app
/// webhook (`providers/sync.md` §A.3) — verified with a `challenge` GET when registered, then a
/// signed `POST {"list_folder": {"accounts": [...]}, "delta": {"users": [...]}}` after changes,
/// retried with backoff — with knobs for loss, duplicates and delay, and a log of every delivery.
public actor Webhooks {
    /// Where one platform's notifications go, and how badly the network behaves.
    public struct Registration: Sendable {
        public var url: String
        /// Share of notifications never sent, sent twice, and the delay before each.
        public var loss: Double
        public var duplicate: Double
        public var delayMilliseconds: Int
    }

    /// One attempt to deliver a notification.
    public struct Delivery: Sendable {
        public var platform: Platform
        public var url: String
        public var attempt: Int
        /// The receiver's status, or `nil` when it could not be reached.
        public var status: Int?
        public var milliseconds: Int
        public var at: Date
    }

    private var registrations: [Platform: Registration] = [:]
    private var log: [Delivery] = []
    /// A notification is on its way for the platform: changes in the meantime ride along.
    private var pending: Set<Platform> = []
    private let client: HTTPClient
    /// Attempts for a notification the receiver does not accept (Dropbox retries for about ten
    /// minutes; the sandbox keeps it short).
    let attempts = 4

    init(client: HTTPClient = .shared) {
        self.client = client
    }

    /// Registers a receiver after it echoes a random challenge within ten seconds, as Dropbox's
    /// App Console requires; returns why not otherwise.
    public func register(_ platform: Platform, _ registration: Registration) async -> String? {
        let challenge = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let separator = registration.url.contains("?") ? "&" : "?"
        do {
            let response = try await client.execute(
                HTTPClientRequest(url: registration.url + separator + "challenge=" + challenge), timeout: .seconds(10))
            let body = String(buffer: try await response.body.collect(upTo: 64 << 10))
            guard response.status == .ok, body == challenge else { return "the URL answered \(response.status.code) without echoing the challenge" }
            guard response.headers.first(name: "Content-Type")?.hasPrefix("text/plain") == true,
                response.headers.first(name: "X-Content-Type-Options")?.lowercased() == "nosniff"
            else { return "the challenge must be echoed as text/plain with X-Content-Type-Options: nosniff" }
        } catch {
            return "the URL could not be reached within 10 seconds"
        }
        registrations[platform] = registration
        return nil
    }

    public func unregister(_ platform: Platform) {
        registrations[platform] = nil
    }

    public func deliveries() -> [Delivery] { log }

    public func reset() {
        registrations = [:]
        log = []
        pending = []
    }

    /// Something changed at a platform: notify its receiver (once for a burst of changes).
    func changed(_ platform: Platform, accounts: [String], users: [Int], secret: String?) {
        guard let registration = registrations[platform], let secret, !pending.contains(platform) else { return }
        pending.insert(platform)
        Task { await self.deliver(platform, registration, accounts: accounts, users: users, secret: secret) }
    }

    private func deliver(_ platform: Platform, _ registration: Registration, accounts: [String], users: [Int], secret: String) async {
        // A short gathering window, so a burst of changes is one notification as at Dropbox.
        try? await Task.sleep(for: .milliseconds(100 + registration.delayMilliseconds))
        pending.remove(platform)
        guard Double.random(in: 0..<1) >= registration.loss else { return }
        let payload: [String: Any] = ["list_folder": ["accounts": accounts], "delta": ["users": users]]
        guard let body = try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys]) else { return }
        let signature = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8))).map { String(format: "%02x", $0) }.joined()
        let copies = Double.random(in: 0..<1) < registration.duplicate ? 2 : 1
        for _ in 0..<copies {
            for attempt in 1...attempts {
                let started = ContinuousClock.now
                var request = HTTPClientRequest(url: registration.url)
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.headers.add(name: "X-Dropbox-Signature", value: signature)
                request.headers.add(name: "User-Agent", value: "DropboxWebhooks/1.0")
                request.body = .bytes(ByteBuffer(bytes: body))
                var status: Int?
                if let response = try? await client.execute(request, timeout: .seconds(10)) {
                    status = Int(response.status.code)
                    _ = try? await response.body.collect(upTo: 64 << 10)
                }
                let elapsed = ContinuousClock.now - started
                log.append(
                    Delivery(
                        platform: platform, url: registration.url, attempt: attempt, status: status,
                        milliseconds: Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000), at: Date()))
                if status == 200 { break }
                try? await Task.sleep(for: .milliseconds(250 << attempt))
            }
        }
    }
}
