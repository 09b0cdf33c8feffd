import CirrusCore
import Connectors
import FluentKit
import Foundation
import Logging
import SQLKit
import ServiceLifecycle

/// Where providers post push notifications, when they can reach this server: Google and Graph
/// post only to public https addresses with a CA-signed certificate, so push is offered only
/// when `API_BASE_URL` is one. The providers' stand-ins (the sandbox) post over loopback.
struct PushAddress: Sendable, Equatable {
    /// The receiver's URL for Drive's channels.
    let googleDrive: String
    /// The receiver's URL for Graph's subscriptions (notifications and lifecycle events).
    let microsoft: String

    /// Where a platform's provider posts, if it can push.
    func url(for platform: Platform) -> String? {
        switch platform {
        case .googleDrive: googleDrive
        case .microsoft: microsoft
        case .dropbox, .confluence: nil
        }
    }

    /// The address, or why there is none.
    static func make(baseURL: String, allowLoopback: Bool) -> Result<PushAddress, PushUnavailable> {
        guard let components = URLComponents(string: baseURL), let host = components.host?.lowercased(), !host.isEmpty else {
            return .failure(.noPublicURL)
        }
        let loopback = ["localhost", "127.0.0.1", "::1", "[::1]"].contains(host) || host.hasSuffix(".localhost")
        if loopback || Self.isPrivate(host) {
            guard allowLoopback, loopback else { return .failure(.notPublic) }
        } else if components.scheme?.lowercased() != "https" {
            return .failure(.notHTTPS)
        }
        return .success(PushAddress(googleDrive: baseURL + SiteRoute.googleDriveWebhook.path, microsoft: baseURL + SiteRoute.microsoftWebhook.path))
    }

    /// Addresses no provider can reach: RFC 1918, link-local and unique-local ranges.
    private static func isPrivate(_ host: String) -> Bool {
        let parts = host.split(separator: ".").compactMap { Int($0) }
        if parts.count == 4 {
            return parts[0] == 10 || (parts[0] == 172 && (16...31).contains(parts[1])) || (parts[0] == 192 && parts[1] == 168)
                || (parts[0] == 169 && parts[1] == 254)
        }
        return host.hasPrefix("[fc") || host.hasPrefix("[fd") || host.hasPrefix("[fe80")
    }
}

/// Why push is not offered, in words for the Sources page.
enum PushUnavailable: Error, Equatable {
    case noPublicURL, notPublic, notHTTPS, off

    var explanation: String {
        switch self {
        case .noPublicURL: "Push needs API_BASE_URL, the public https address providers post notifications to; sources are polled."
        case .notPublic: "API_BASE_URL is not reachable from the internet, so providers cannot post notifications; sources are polled."
        case .notHTTPS: "Providers post notifications only to https addresses with a CA-signed certificate; sources are polled."
        case .off: "Push is turned off (CIRRUS_SYNC_PUSH=false); sources are polled."
        }
    }
}

/// Keeps a push channel open on every change feed of every enabled source whose provider can
/// push (Drive's `changes.watch`, Graph's subscriptions when turned on): opened when the source
/// has a bookmark, renewed a day before it expires (extended where the provider can, as Graph
/// can, otherwise a new channel, then the old one stopped), stopped when the source is switched
/// off, deleted or loses the feed, or its connection stops working. A notification only asks
/// for a run (``PushReceiver``); polling carries on regardless, so a lost channel costs
/// latency, never changes.
///
/// Every process on PostgreSQL runs this: a channel is opened or renewed by whichever process
/// claims its row first, under a lease like the sync schedule's.
struct PushChannels: Service {
    let store: Store
    let connectors: ConnectorRegistry
    let tokens: TokenManager
    let address: PushAddress
    let metrics: MetricsRegistry
    let logger: Logger
    /// How often the sources are looked at for channels to open, renew or stop.
    var rescan: Duration = .seconds(5)
    /// How long a channel is asked for (Drive's longest on changes is a week).
    var lifetime: TimeInterval = GoogleDriveConnector.maximumChannelLifetime
    /// How long before its end a channel is replaced.
    var renewBefore: TimeInterval = 86400
    /// How long a process's claim on a channel row holds (a failed open is tried again after it).
    var lease: TimeInterval = 60

    func run() async throws {
        let platforms = Platform.allCases.filter { platform in
            address.url(for: platform) != nil && ((try? connectors.connector(platform)) as? any PushChannelConnector)?.pushes == true
        }
        guard !platforms.isEmpty else { return }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do { try await maintain(platforms) } catch {
                logger.debug("push channels could not be looked at", metadata: ["error": "\(type(of: error))"])
            }
            guard (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: rescan) })) != nil else { break }
        }
    }

    /// One pass: open what is missing or ending soon, stop what no longer has a source.
    func maintain(_ platforms: [Platform], now: Date = Date()) async throws {
        let sources = try await SyncedSource.query(on: store.database).filter(\.$enabled == true).filter(\.$platform ~~ platforms)
            .filter(\.$feedCursor != nil).all()
        // A connection that is gone or needs reconnecting has its sources paused, and their channels stopped.
        let connected = Set(
            try await UserIntegration.query(on: store.database).filter(\.$platform ~~ platforms).filter(\.$status == .active).all()
                .map { "\($0.$user.id)|\($0.$workspace.id)|\($0.platform.rawValue)" })
        var wanted: [UUID: (source: SyncedSource, positions: [String: String])] = [:]
        for source in sources where connected.contains("\(source.$user.id)|\(source.$workspace.id)|\(source.platform.rawValue)") {
            guard let id = source.id, let cursor = source.feedCursor.flatMap(FeedCursor.init(encoded:)) else { continue }
            wanted[id] = (source, cursor.positions)
        }
        for row in try await rows() {
            guard let entry = wanted[row.sourceID], entry.positions[row.feed] != nil else {
                try await retire(row)
                continue
            }
            if let expires = row.expiresAt, expires.timeIntervalSince(now) > renewBefore { wanted[row.sourceID]?.positions[row.feed] = nil }
        }
        for (sourceID, entry) in wanted {
            for (feed, position) in entry.positions.sorted(by: { $0.key < $1.key }) {
                try await open(feed: feed, position: position, source: entry.source, sourceID: sourceID, now: now)
            }
        }
    }

    /// A channel row as stored.
    struct Row: Sendable {
        var id: UUID
        var sourceID: UUID
        var userID: UUID
        var workspaceID: UUID
        var platform: Platform
        var feed: String
        var channel: PushChannel?
        var expiresAt: Date?
    }

    func rows() async throws -> [Row] {
        try await store.sql.raw("SELECT id, source_id, user_id, workspace_id, platform, feed, channel_id, resource_id, expires_at FROM push_channels").all()
            .compactMap { row in
                guard let platform = Platform(rawValue: try row.decode(column: "platform", as: String.self)) else { return nil }
                let channelID = try row.decode(column: "channel_id", as: String?.self)
                let resourceID = try row.decode(column: "resource_id", as: String?.self)
                let expires = try row.decode(column: "expires_at", as: Date?.self)
                return Row(
                    id: try row.decode(column: "id", as: UUID.self), sourceID: try row.decode(column: "source_id", as: UUID.self),
                    userID: try row.decode(column: "user_id", as: UUID.self), workspaceID: try row.decode(column: "workspace_id", as: UUID.self),
                    platform: platform,
                    feed: try row.decode(column: "feed", as: String.self),
                    channel: channelID.flatMap { id in resourceID.map { PushChannel(id: id, resourceID: $0, expiration: expires ?? .distantPast) } },
                    expiresAt: expires)
            }
    }

    /// Opens a channel for one feed, replacing the row's current one, if this process claims the row.
    private func open(feed: String, position: String, source: SyncedSource, sourceID: UUID, now: Date) async throws {
        let sql = store.sql
        try await sql.raw(
            """
            INSERT INTO push_channels (id, source_id, user_id, workspace_id, platform, feed, created_at)
            VALUES (\(bind: UUID()), \(bind: sourceID), \(bind: source.$user.id), \(bind: source.$workspace.id), \(bind: source.platform.rawValue),
                \(bind: feed), \(bind: now))
            ON CONFLICT (source_id, feed) DO NOTHING
            """
        ).run()
        let claimed = try await sql.raw(
            """
            UPDATE push_channels SET claimed_at = \(bind: now)
            WHERE source_id = \(bind: sourceID) AND feed = \(bind: feed)
                AND (claimed_at IS NULL OR claimed_at < \(bind: now.addingTimeInterval(-lease)))
                AND (expires_at IS NULL OR expires_at < \(bind: now.addingTimeInterval(renewBefore)))
            RETURNING id, channel_id, resource_id
            """
        ).all()
        guard let row = claimed.first else { return }
        let rowID = try row.decode(column: "id", as: UUID.self)
        let previous = try row.decode(column: "channel_id", as: String?.self).flatMap { id in
            try? row.decode(column: "resource_id", as: String?.self).map { PushChannel(id: id, resourceID: $0, expiration: now) }
        }
        guard let connector = try connectors.connector(source.platform) as? any PushChannelConnector, let url = address.url(for: source.platform)
        else { return }
        let access = ProviderAccess(source.platform, userID: source.$user.id, workspaceID: source.$workspace.id, connector: connector, tokens: tokens)
        if let previous, try await extend(previous, rowID: rowID, connector: connector, access: access, now: now) { return }
        let token = SecureToken.make()
        let request = PushChannelRequest(id: UUID().uuidString.lowercased(), address: url, token: token, expiration: now.addingTimeInterval(lifetime))
        let channel: PushChannel
        do {
            channel = try await access { _, session in try await connector.watch(feed: feed, position: position, channel: request, session: session) }
        } catch is IntegrationError {
            return  // not connected now: the source is paused, and so is its channel
        } catch {
            // The claim stays until it lapses: the next try is a lease away, not a rescan.
            logger.notice("a push channel could not be opened; the source is polled", metadata: ["source": "\(sourceID)", "error": "\(type(of: error))"])
            metrics.recordPush(platform: source.platform, outcome: "channel_refused")
            return
        }
        try await sql.raw(
            """
            UPDATE push_channels SET channel_id = \(bind: channel.id), resource_id = \(bind: channel.resourceID),
                token_digest = \(bind: SecureToken.hash(token)), expires_at = \(bind: channel.expiration), claimed_at = NULL
            WHERE id = \(bind: rowID)
            """
        ).run()
        metrics.recordPush(platform: source.platform, outcome: "channel_opened")
        // The old channel overlapped the new one until now; notifications on it are refused from here.
        if let previous { await stop(previous, access: access) }
    }

    /// Moves an open channel's end where the provider allows it; whether it did (the channel
    /// keeps its id and secret).
    private func extend(_ channel: PushChannel, rowID: UUID, connector: any PushChannelConnector, access: ProviderAccess, now: Date) async throws -> Bool {
        let renewed: PushChannel?
        do {
            renewed = try await access { _, session in try await connector.renew(channel, until: now.addingTimeInterval(lifetime), session: session) }
        } catch {
            logger.debug("a push channel could not be renewed; a new one is opened", metadata: ["error": "\(type(of: error))"])
            return false
        }
        guard let renewed else { return false }
        try await store.sql.raw(
            "UPDATE push_channels SET expires_at = \(bind: renewed.expiration), claimed_at = NULL WHERE id = \(bind: rowID)"
        ).run()
        metrics.recordPush(platform: access.platform, outcome: "channel_renewed")
        return true
    }

    /// Stops a row's channel (when its connection still has tokens) and forgets it.
    private func retire(_ row: Row) async throws {
        if let channel = row.channel, let connector = try? connectors.connector(row.platform) as? any PushChannelConnector {
            await stop(channel, access: ProviderAccess(row.platform, userID: row.userID, workspaceID: row.workspaceID, connector: connector, tokens: tokens))
        }
        try await store.sql.raw("DELETE FROM push_channels WHERE id = \(bind: row.id)").run()
    }

    private func stop(_ channel: PushChannel, access: ProviderAccess) async {
        guard let connector = access.connector as? any PushChannelConnector else { return }
        do {
            try await access { _, session in try await connector.stop(channel, session: session) }
        } catch {
            // It ends by itself at its expiry; until then its notifications are refused.
            logger.debug("a push channel could not be stopped", metadata: ["error": "\(type(of: error))"])
        }
    }
}
