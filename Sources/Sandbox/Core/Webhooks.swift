import AsyncHTTPClient
import CirrusCore
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// Outbound notifications the emulated providers send: Dropbox's app webhook
/// (`providers/sync.md` §A.3) — verified with a `challenge` GET when registered, then a signed
/// `POST {"list_folder": {"accounts": [...]}, "delta": {"users": [...]}}` after changes — and
/// Drive's change channels (§A.1), opened by the app with `changes.watch`: a `sync` message
/// first, then `change` messages with the `X-Goog-*` headers — and Graph's change notifications
/// (§A.2) on subscriptions the app creates, after a validation request, with lifecycle events.
/// All retry with backoff, with knobs for loss, duplicates and delay, and a log of every delivery.
public actor Webhooks {
    /// Where one platform's notifications go, and how they travel.
    public struct Registration: Sendable {
        public var url: String
        public var travel: Travel
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

    /// A Drive channel on the change log, as `changes.watch` opened it.
    public struct DriveChannel: Sendable {
        public var id: String
        public var resourceID: String
        public var address: String
        public var token: String?
        public var expiration: Date
        /// The shared drive it watches (`nil`: the user's corpus).
        public var driveID: String?
        var messages = 0
    }

    /// A Graph subscription on a drive's root, as `POST /subscriptions` created it.
    public struct GraphSubscription: Sendable {
        public var id: String
        /// As the app wrote it, e.g. `/drives/{id}/root`.
        public var resource: String
        public var driveID: String
        public var notificationURL: String
        public var lifecycleURL: String?
        public var clientState: String?
        public var expiration: Date
    }

    private var registrations: [Platform: Registration] = [:]
    private var graphSubscriptions: [String: GraphSubscription] = [:]
    /// Drives with a change whose notifications are about to go (a burst is one notification).
    private var graphPending: Set<String> = []
    private var driveChannels: [String: DriveChannel] = [:]
    /// How the messages of channels and subscriptions the app opens itself travel (Drive's,
    /// Graph's: there is no registration to carry it).
    private var travel: [Platform: Travel] = [:]
    private var drivePending = false
    private var log: [Delivery] = []
    /// A notification is on its way for the platform: changes in the meantime ride along.
    private var pending: Set<Platform> = []
    private let client: HTTPClient
    private let clock: SandboxClock

    init(client: HTTPClient = .shared, clock: SandboxClock) {
        self.client = client
        self.clock = clock
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
        driveChannels = [:]
        travel = [:]
        graphSubscriptions = [:]
        graphPending = []
    }

    /// Share of messages never sent, sent twice, the delay before each, and how many times one
    /// the receiver does not take is tried (Dropbox retries for about ten minutes, Google and
    /// Graph with backoff for hours; the sandbox keeps it short).
    public struct Travel: Sendable {
        public var loss: Double
        public var duplicate: Double
        public var delayMilliseconds: Int
        public var attempts: Int

        public init(loss: Double = 0, duplicate: Double = 0, delayMilliseconds: Int = 0, attempts: Int = 4) {
            (self.loss, self.duplicate, self.delayMilliseconds, self.attempts) = (loss, duplicate, delayMilliseconds, attempts)
        }
    }

    /// How badly a platform's push messages travel (Drive's channels, Graph's subscriptions).
    public func setTravel(_ platform: Platform, _ travel: Travel) {
        self.travel[platform] = travel
    }

    private func travel(_ platform: Platform) -> Travel { registrations[platform]?.travel ?? travel[platform] ?? Travel() }

    /// The Drive channels open now (expired ones are dropped).
    public func openDriveChannels() -> [DriveChannel] {
        let now = clock.now()
        driveChannels = driveChannels.filter { $0.value.expiration > now }
        return driveChannels.values.sorted { $0.id < $1.id }
    }

    /// Opens a channel and sends its `sync` message; `nil` when the id is taken.
    func openDriveChannel(_ channel: DriveChannel) -> DriveChannel? {
        guard driveChannels[channel.id] == nil else { return nil }
        driveChannels[channel.id] = channel
        Task { await self.sendDrive(channelID: channel.id, state: "sync") }
        return channel
    }

    /// Ends a channel; whether it was open (`channels.stop` needs the id and the resource id).
    func stopDriveChannel(id: String, resourceID: String) -> Bool {
        guard driveChannels[id]?.resourceID == resourceID else { return false }
        driveChannels[id] = nil
        return true
    }

    /// The change log moved: every open channel gets one `change` message per burst.
    func driveChanged() {
        guard !driveChannels.isEmpty, !drivePending else { return }
        drivePending = true
        Task {
            try? await Task.sleep(for: .milliseconds(100 + self.travel(.googleDrive).delayMilliseconds))
            await self.flushDrive()
        }
    }

    private func flushDrive() async {
        drivePending = false
        for channel in openDriveChannels() {
            Task { await self.sendDrive(channelID: channel.id, state: "change") }
        }
    }

    private func sendDrive(channelID: String, state: String) async {
        guard var channel = driveChannels[channelID] else { return }
        if state != "sync" { guard Double.random(in: 0..<1) >= travel(.googleDrive).loss else { return } }
        // Numbers increase but are not sequential.
        channel.messages += state == "sync" ? 1 : Int.random(in: 1...3)
        driveChannels[channelID] = channel
        var headers = [
            ("X-Goog-Channel-ID", channel.id), ("X-Goog-Message-Number", String(channel.messages)), ("X-Goog-Resource-ID", channel.resourceID),
            ("X-Goog-Resource-State", state), ("X-Goog-Resource-URI", "https://www.googleapis.com/drive/v3/changes?alt=json"),
            ("X-Goog-Channel-Expiration", Self.expirationText(channel.expiration)), ("User-Agent", "APIs-Google"),
        ]
        if let token = channel.token { headers.append(("X-Goog-Channel-Token", token)) }
        if state != "sync" { headers.append(("X-Goog-Changed", "content")) }
        let body = state == "sync" ? [] : Array(#"{"kind":"drive#changes"}"#.utf8)
        let copies = state != "sync" && Double.random(in: 0..<1) < travel(.googleDrive).duplicate ? 2 : 1
        for _ in 0..<copies {
            // Google retries 5xx with backoff; anything else ends the message.
            await post(.googleDrive, to: channel.address, headers: headers, body: body) { (500...599).contains($0) }
        }
    }

    /// Whether a provider would post to an address: https (Google and Graph post nowhere else),
    /// or http on loopback, the sandbox's stand-in for a public address.
    static func acceptsAddress(_ address: String) -> Bool {
        guard let url = URLComponents(string: address), let host = url.host?.lowercased() else { return false }
        return url.scheme == "https" || (url.scheme == "http" && ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host))
    }

    // MARK: Graph change notifications (`providers/sync.md` §A.2)

    /// The subscriptions in force now (expired ones are dropped, as Graph deletes them).
    public func openGraphSubscriptions() -> [GraphSubscription] {
        let now = clock.now()
        graphSubscriptions = graphSubscriptions.filter { $0.value.expiration > now }
        return graphSubscriptions.values.sorted { $0.id < $1.id }
    }

    func graphSubscription(_ id: String) -> GraphSubscription? {
        openGraphSubscriptions().first { $0.id == id }
    }

    /// Graph's check of a notification URL before it creates a subscription: a POST with a
    /// `validationToken` (text with spaces, URL-encoded) that must come back, decoded, as
    /// `text/plain` with a 200 within 10 seconds. Returns why not.
    func validate(_ url: String) async -> String? {
        let token = "Validation: Testing client application reachability for subscription Request-Id: \(UUID().uuidString.lowercased())"
        let encoded = token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? token
        var request = HTTPClientRequest(url: url + (url.contains("?") ? "&" : "?") + "validationToken=" + encoded)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        let started = ContinuousClock.now
        var status: Int?
        defer { record(.microsoft, url: url, attempt: 1, status: status, since: started) }
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            status = Int(response.status.code)
            let body = String(buffer: try await response.body.collect(upTo: 64 << 10))
            guard response.status == .ok, body == token else { return "the endpoint answered \(response.status.code) without the validation token" }
            guard response.headers.first(name: "Content-Type")?.lowercased().hasPrefix("text/plain") == true else {
                return "the validation token must come back as text/plain"
            }
            return nil
        } catch {
            return "the endpoint could not be reached within 10 seconds"
        }
    }

    func addGraphSubscription(_ subscription: GraphSubscription) {
        graphSubscriptions[subscription.id] = subscription
    }

    /// Moves a subscription's end; `nil` when there is none.
    func renewGraphSubscription(_ id: String, until expiration: Date) -> GraphSubscription? {
        guard graphSubscription(id) != nil else { return nil }
        graphSubscriptions[id]?.expiration = expiration
        return graphSubscriptions[id]
    }

    func deleteGraphSubscription(_ id: String) -> Bool {
        graphSubscriptions.removeValue(forKey: id) != nil
    }

    /// A drive changed: each subscription on it gets one notification per burst.
    func graphChanged(drive: String) {
        guard graphSubscriptions.values.contains(where: { $0.driveID == drive }), !graphPending.contains(drive) else { return }
        graphPending.insert(drive)
        Task {
            try? await Task.sleep(for: .milliseconds(100 + self.travel(.microsoft).delayMilliseconds))
            await self.flushGraph(drive: drive)
        }
    }

    private func flushGraph(drive: String) async {
        graphPending.remove(drive)
        for subscription in openGraphSubscriptions() where subscription.driveID == drive {
            guard Double.random(in: 0..<1) >= travel(.microsoft).loss else { continue }
            var notification: [String: Any] = [
                "subscriptionId": subscription.id, "subscriptionExpirationDateTime": WireDate.millis(subscription.expiration),
                "changeType": "updated", "resource": String(subscription.resource.drop { $0 == "/" }), "tenantId": Self.tenantID,
            ]
            if let clientState = subscription.clientState { notification["clientState"] = clientState }
            let copies = Double.random(in: 0..<1) < travel(.microsoft).duplicate ? 2 : 1
            Task {
                for _ in 0..<copies { await self.postGraph(to: subscription.notificationURL, [notification]) }
            }
        }
    }

    /// Sends a lifecycle event (`reauthorizationRequired`, `subscriptionRemoved`, `missed`) to
    /// the subscriptions that asked for them; a removed subscription ends. Returns how many were told.
    public func graphLifecycle(_ event: String, subscription id: String? = nil) async -> Int {
        var told = 0
        for subscription in openGraphSubscriptions() where id == nil || subscription.id == id {
            guard let url = subscription.lifecycleURL else { continue }
            if event == "subscriptionRemoved" { graphSubscriptions[subscription.id] = nil }
            var notification: [String: Any] = [
                "subscriptionId": subscription.id, "subscriptionExpirationDateTime": WireDate.millis(subscription.expiration),
                "lifecycleEvent": event, "tenantId": Self.tenantID, "resource": String(subscription.resource.drop { $0 == "/" }),
            ]
            if let clientState = subscription.clientState { notification["clientState"] = clientState }
            await postGraph(to: url, [notification])
            told += 1
        }
        return told
    }

    /// The tenant Graph names in notifications.
    static let tenantID = "72f988bf-86f1-41af-91ab-2d7cd011db47"

    /// Graph retries a notification the endpoint does not take with a 2xx (within 3 seconds).
    private func postGraph(to url: String, _ notifications: [[String: Any]]) async {
        guard let body = try? JSONSerialization.data(withJSONObject: ["value": notifications], options: [.sortedKeys]) else { return }
        await post(.microsoft, to: url, headers: [("Content-Type", "application/json; charset=utf-8")], body: Array(body), timeout: .seconds(3)) {
            !(200..<300).contains($0)
        }
    }

    /// How Drive writes `X-Goog-Channel-Expiration`: "Tue, 19 Nov 2013 01:13:52 GMT".
    static func expirationText(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }

    /// Posts one notification, retrying while `retries` says so (or the receiver cannot be
    /// reached), and logs every attempt.
    private func post(
        _ platform: Platform, to url: String, headers: [(String, String)], body: [UInt8], timeout: TimeAmount = .seconds(10),
        retries: @Sendable (Int) -> Bool
    ) async {
        for attempt in 1...max(1, travel(platform).attempts) {
            let started = ContinuousClock.now
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            request.body = .bytes(ByteBuffer(bytes: body))
            var status: Int?
            if let response = try? await client.execute(request, timeout: timeout) {
                status = Int(response.status.code)
                _ = try? await response.body.collect(upTo: 64 << 10)
            }
            record(platform, url: url, attempt: attempt, status: status, since: started)
            guard let status, !retries(status) else {
                try? await Task.sleep(for: .milliseconds(250 << attempt))
                continue
            }
            return
        }
    }

    /// Logs one attempt to reach a receiver.
    private func record(_ platform: Platform, url: String, attempt: Int, status: Int?, since started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        log.append(
            Delivery(
                platform: platform, url: url, attempt: attempt, status: status,
                milliseconds: Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000), at: Date()))
    }

    /// Something changed at a platform: notify its receiver (once for a burst of changes).
    func changed(_ platform: Platform, accounts: [String], users: [Int], secret: String?) {
        guard let registration = registrations[platform], let secret, !pending.contains(platform) else { return }
        pending.insert(platform)
        Task { await self.deliver(platform, registration, accounts: accounts, users: users, secret: secret) }
    }

    private func deliver(_ platform: Platform, _ registration: Registration, accounts: [String], users: [Int], secret: String) async {
        // A short gathering window, so a burst of changes is one notification as at Dropbox.
        try? await Task.sleep(for: .milliseconds(100 + registration.travel.delayMilliseconds))
        pending.remove(platform)
        guard Double.random(in: 0..<1) >= registration.travel.loss else { return }
        let payload: [String: Any] = ["list_folder": ["accounts": accounts], "delta": ["users": users]]
        guard let body = try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys]) else { return }
        let signature = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8))).map { String(format: "%02x", $0) }.joined()
        let copies = Double.random(in: 0..<1) < registration.travel.duplicate ? 2 : 1
        let headers = [("Content-Type", "application/json"), ("X-Dropbox-Signature", signature), ("User-Agent", "DropboxWebhooks/1.0")]
        for _ in 0..<copies {
            // Dropbox retries anything but a 200.
            await post(platform, to: registration.url, headers: headers, body: Array(body)) { $0 != 200 }
        }
    }
}
