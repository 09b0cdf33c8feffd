import CirrusCore
import Foundation
import NIOCore

/// Dropbox's change feed (`providers/sync.md` §A.3): a `list_folder` cursor per selected
/// folder (recursive, so it covers exactly the selection), read with `continue` until
/// `has_more` is false; `reset` means the folder must be compared in full again. `longpoll` on
/// the notify host waits for a change with no public URL and no token.
extension DropboxConnector: LongpollConnector {
    private var api: String { configuration.hosts.base("api.dropboxapi.com") + "/2" }
    private var notify: String { configuration.hosts.base("notify.dropboxapi.com") + "/2" }

    public func feedCursor(roots: [String], session: ProviderSession) async throws -> FeedCursor? {
        var positions: [String: String] = [:]
        for root in roots {
            let latest: DropboxWire.LatestCursor
            do {
                latest = try await rpc(
                    "/files/list_folder/get_latest_cursor",
                    DropboxWire.ListFolderFeed(path: root == Self.top.id ? "" : root, recursive: true, includeDeleted: false),
                    session: session, what: "a Dropbox cursor")
            } catch ConnectorError.notFound {
                continue  // a file, or gone: the comparison covers it
            } catch ConnectorError.provider(409, _) {
                // Files have no folder cursor: a selected file is covered by the comparison alone.
                return nil
            }
            positions[root] = latest.cursor
        }
        return FeedCursor(positions: positions)
    }

    public func changes(since cursor: FeedCursor, session: ProviderSession) async throws -> FeedChanges {
        var items: [FeedChanges.Item] = []
        var next = cursor
        for (root, position) in cursor.positions.sorted(by: { $0.key < $1.key }) {
            var current = position
            while true {
                let reply = try await http.postJSON(
                    api + "/files/list_folder/continue", DropboxWire.Cursor(cursor: current), headers: [("Authorization", "Bearer \(session.accessToken)")])
                if reply.status == 409, (try? reply.decode(WireErrors.Dropbox.self, "the error"))?.errorSummary.hasPrefix("reset") == true {
                    throw ConnectorError.feedReset
                }
                guard reply.status == 200 else { throw ProviderHTTP.apiError(reply) }
                let page = try reply.decode(DropboxWire.ListFolderResult.self, "Dropbox's changes")
                // Deletions carry no id, only the path they were at.
                items += page.entries.map { FeedChanges.Item(id: $0.id, parentIDs: []) }
                guard let cursor = page.cursor else { throw ConnectorError.malformedResponse("Dropbox's changes had no cursor") }
                current = cursor
                if !page.hasMore { break }
            }
            next.positions[root] = current
        }
        return FeedChanges(items: items, scoped: true, cursor: next)
    }

    public func waitForChange(after position: String, seconds: Int) async throws -> (changed: Bool, backoff: Int?) {
        let timeout = min(max(seconds, 30), 480)
        // Dropbox holds the call up to the timeout plus up to 90 s of jitter; the route takes no token.
        let reply = try await http.postJSON(
            notify + "/files/list_folder/longpoll", DropboxWire.Longpoll(cursor: position, timeout: timeout), timeout: .seconds(Int64(timeout + 100)))
        if reply.status == 409 { throw ConnectorError.feedReset }
        guard reply.status == 200 else { throw ProviderHTTP.apiError(reply) }
        let result = try reply.decode(DropboxWire.LongpollResult.self, "Dropbox's longpoll")
        return (result.changes, result.backoff)
    }
}

extension DropboxWire {
    struct ListFolderFeed: Encodable {
        let path: String
        let recursive: Bool
        let includeDeleted: Bool
        enum CodingKeys: String, CodingKey { case path, recursive, includeDeleted = "include_deleted" }
    }

    struct LatestCursor: Decodable { let cursor: String }

    struct Longpoll: Encodable {
        let cursor: String
        let timeout: Int
    }

    struct LongpollResult: Decodable {
        let changes: Bool
        let backoff: Int?
    }
}
