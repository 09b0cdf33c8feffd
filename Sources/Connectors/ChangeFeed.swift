import CirrusCore
import Foundation

/// Where a connection's change feed was read up to, per feed it is made of (Drive: the user's
/// corpus and each shared drive; Graph: each drive; Dropbox: each selected folder). Opaque to
/// the app, which stores it as text and hands it back.
public struct FeedCursor: Sendable, Codable, Equatable {
    /// Each feed's own bookmark (a page token, a `deltaLink`, a `list_folder` cursor), by feed.
    public var positions: [String: String]

    public init(positions: [String: String]) {
        self.positions = positions
    }

    public var encoded: String {
        String(decoding: (try? JSONEncoder().encode(positions.sorted { $0.key < $1.key }.map { [$0.key, $0.value] })) ?? Data("[]".utf8), as: UTF8.self)
    }

    public init?(encoded: String) {
        guard let pairs = try? JSONDecoder().decode([[String]].self, from: Data(encoded.utf8)), pairs.allSatisfy({ $0.count == 2 }) else { return nil }
        positions = Dictionary(pairs.map { ($0[0], $0[1]) }, uniquingKeysWith: { _, last in last })
    }
}

/// What a change feed reported after a cursor. A feed says *that* an item changed, never what
/// it now holds (Drive: "a change does not provide a delta"): the caller lists what it needs.
public struct FeedChanges: Sendable {
    /// One changed item, in the ids the connector's listings use.
    public struct Item: Sendable, Equatable {
        /// `nil` when the provider names no id (a Dropbox deletion is a path).
        public var id: String?
        /// Its parents as the provider states them now (none for removals).
        public var parentIDs: [String]

        public init(id: String?, parentIDs: [String]) {
            self.id = id
            self.parentIDs = parentIDs
        }
    }

    public var items: [Item]
    /// Whether the feed covers only the selected folders (Dropbox's cursors do), so every item
    /// concerns them; otherwise the feed covers the whole account or drive.
    public var scoped: Bool
    /// Where to read from next time.
    public var cursor: FeedCursor

    public init(items: [Item], scoped: Bool, cursor: FeedCursor) {
        self.items = items
        self.scoped = scoped
        self.cursor = cursor
    }
}

/// A connector whose provider keeps a change feed: Drive's `changes`, Graph's `delta`,
/// Dropbox's `list_folder` cursors (`providers/sync.md` §A).
public protocol ChangeFeedConnector: CloudConnector {
    /// A bookmark of the feeds that cover `roots`, taken now: reading from it later returns what
    /// changed after this moment. `nil` when no feed covers them all (a SharePoint site, say).
    func feedCursor(roots: [String], session: ProviderSession) async throws -> FeedCursor?
    /// Everything the feeds hold after `cursor`. Throws ``ConnectorError/feedReset`` when the
    /// provider no longer knows the bookmark (Graph 410, Dropbox `reset`, a refused Drive token).
    func changes(since cursor: FeedCursor, session: ProviderSession) async throws -> FeedChanges
}

/// A connector that can wait for a change without a public URL (Dropbox's `longpoll`).
public protocol LongpollConnector: ChangeFeedConnector {
    /// Waits up to about `seconds` for a change after one of the cursor's positions; returns
    /// whether there was one, and how long the provider asks to wait before the next call.
    func waitForChange(after position: String, seconds: Int) async throws -> (changed: Bool, backoff: Int?)
}

/// What the app asks for when it opens a push channel.
public struct PushChannelRequest: Sendable {
    /// The channel's id (a UUID), echoed on every notification.
    public var id: String
    /// The public https URL notifications are posted to.
    public var address: String
    /// A random secret echoed on every notification, by which the receiver knows it is ours.
    public var token: String
    /// When the app would like the channel to end (the provider may end it sooner).
    public var expiration: Date

    public init(id: String, address: String, token: String, expiration: Date) {
        self.id = id
        self.address = address
        self.token = token
        self.expiration = expiration
    }
}

/// A push channel the provider opened.
public struct PushChannel: Sendable, Equatable {
    public var id: String
    /// The provider's id of what the channel watches (needed to stop it).
    public var resourceID: String
    /// When the provider ends it.
    public var expiration: Date

    public init(id: String, resourceID: String, expiration: Date) {
        self.id = id
        self.resourceID = resourceID
        self.expiration = expiration
    }
}

/// A connector whose provider can notify a public URL when one of its change feeds moves
/// (Drive's `changes.watch`, Graph's subscriptions). A notification only says "look again": the
/// feed says what changed.
public protocol PushChannelConnector: ChangeFeedConnector {
    /// Whether push is on for this connector's configuration (Graph's needs a write scope, so
    /// it is opt-in).
    var pushes: Bool { get }
    /// Opens a channel for one feed of a cursor (a key of ``FeedCursor/positions``), reporting
    /// the changes after `position`.
    func watch(feed: String, position: String, channel: PushChannelRequest, session: ProviderSession) async throws -> PushChannel
    /// Moves an open channel's end to `expiration`, where the provider can (Graph's `PATCH`);
    /// `nil` when it cannot, or the channel is gone: then a new one is opened.
    func renew(_ channel: PushChannel, until expiration: Date, session: ProviderSession) async throws -> PushChannel?
    /// Ends a channel before its expiry (a channel already gone is not an error).
    func stop(_ channel: PushChannel, session: ProviderSession) async throws
}

extension PushChannelConnector {
    public var pushes: Bool { true }
    /// Drive's channels cannot be extended: a new one replaces an ending one.
    public func renew(_ channel: PushChannel, until expiration: Date, session: ProviderSession) async throws -> PushChannel? { nil }
}
