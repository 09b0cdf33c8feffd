import CirrusCore
import Foundation

/// Drive's push channels on the change feed (`providers/sync.md` §A.1): `changes.watch` with the
/// feed's page token and the same shared-drive flags as `changes.list`, a random token Drive
/// echoes on every message, at most a week; `channels.stop` to end one.
extension GoogleDriveConnector: PushChannelConnector {
    /// Drive's longest channel on changes.
    public static let maximumChannelLifetime: TimeInterval = 604_800

    public func watch(feed: String, position: String, channel: PushChannelRequest, session: ProviderSession) async throws -> PushChannel {
        var query = [("pageToken", position), ("supportsAllDrives", "true"), ("includeItemsFromAllDrives", "true")]
        if feed.hasPrefix(Self.sharedDrivePrefix) { query.append(("driveId", String(feed.dropFirst(Self.sharedDrivePrefix.count)))) }
        let expiration = min(channel.expiration, Date().addingTimeInterval(Self.maximumChannelLifetime))
        let body = GoogleWire.WatchRequest(
            id: channel.id, type: "web_hook", address: channel.address, token: channel.token,
            expiration: String(Int64(expiration.timeIntervalSince1970 * 1000)))
        let reply = try await http.postJSON(
            configuration.hosts.base("www.googleapis.com") + "/drive/v3/changes/watch?" + ProviderHTTP.query(query), body,
            headers: [("Authorization", "Bearer \(session.accessToken)")])
        if reply.status == 400 || reply.status == 410 { throw ConnectorError.feedReset }
        guard (200..<300).contains(reply.status) else { throw ProviderHTTP.apiError(reply) }
        let opened = try reply.decode(GoogleWire.Channel.self, "Drive's watch channel")
        let ends = opened.expiration.flatMap { Int64($0) }.map { Date(timeIntervalSince1970: TimeInterval($0) / 1000) } ?? expiration
        return PushChannel(id: opened.id, resourceID: opened.resourceId, expiration: ends)
    }

    public func stop(_ channel: PushChannel, session: ProviderSession) async throws {
        let reply = try await http.postJSON(
            configuration.hosts.base("www.googleapis.com") + "/drive/v3/channels/stop", GoogleWire.StopRequest(id: channel.id, resourceId: channel.resourceID),
            headers: [("Authorization", "Bearer \(session.accessToken)")])
        // A channel that expired or was stopped already is what was wanted.
        guard (200..<300).contains(reply.status) || reply.status == 404 else { throw ProviderHTTP.apiError(reply) }
    }
}

extension GoogleWire {
    /// `changes.watch`'s body: `expiration` is Unix milliseconds as a string (int64).
    struct WatchRequest: Encodable {
        let id: String
        let type: String
        let address: String
        let token: String
        let expiration: String
    }

    /// An `api#channel`.
    struct Channel: Decodable {
        let id: String
        let resourceId: String
        let expiration: String?
    }

    struct StopRequest: Encodable {
        let id: String
        let resourceId: String
    }
}
