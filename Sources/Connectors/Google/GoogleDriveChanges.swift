import CirrusCore
import Foundation

/// Drive's change feed (`providers/sync.md` §A.1): one page-token cursor for the user's corpus
/// and one per shared drive that holds a selected item, every call with the shared-drive flags
/// (without `includeItemsFromAllDrives` shared-drive changes are dropped).
extension GoogleDriveConnector: ChangeFeedConnector {
    private var changesAPI: String { configuration.hosts.base("www.googleapis.com") + "/drive/v3/changes" }
    static let userCorpus = "user"
    static let sharedDrivePrefix = "drive:"

    public func feedCursor(roots: [String], session: ProviderSession) async throws -> FeedCursor? {
        var drives = Set<String>()
        for root in roots where ![Self.myDrive.id, Self.sharedWithMe.id, Self.sharedDrives.id].contains(root) {
            let url =
                configuration.hosts.base("www.googleapis.com") + "/drive/v3/files/\(Self.pathEscape(root))?"
                + ProviderHTTP.query([("fields", "id,driveId"), ("supportsAllDrives", "true")])
            do {
                if let drive = try await http.get(GoogleWire.DriveOfFile.self, url, bearer: session.accessToken, what: "a Drive file's drive").driveId {
                    drives.insert(drive)
                }
            } catch ConnectorError.notFound {
                continue  // gone already: the comparison removes what it held
            }
        }
        // "Shared drives" as a root follows every shared drive through the user's feed.
        var positions = [Self.userCorpus: try await startPageToken(drive: nil, session: session)]
        for drive in drives { positions[Self.sharedDrivePrefix + drive] = try await startPageToken(drive: drive, session: session) }
        return FeedCursor(positions: positions)
    }

    public func changes(since cursor: FeedCursor, session: ProviderSession) async throws -> FeedChanges {
        var items: [FeedChanges.Item] = []
        var next = cursor
        for (feed, token) in cursor.positions.sorted(by: { $0.key < $1.key }) {
            let drive = feed.hasPrefix(Self.sharedDrivePrefix) ? String(feed.dropFirst(Self.sharedDrivePrefix.count)) : nil
            var pageToken = token
            while true {
                var query = [
                    ("pageToken", pageToken), ("pageSize", "1000"), ("includeRemoved", "true"), ("supportsAllDrives", "true"),
                    ("includeItemsFromAllDrives", "true"), ("fields", "nextPageToken,newStartPageToken,changes(fileId,removed,file(parents,trashed))"),
                ]
                if let drive { query.append(("driveId", drive)) }
                let reply = try await http.get(changesAPI + "?" + ProviderHTTP.query(query), bearer: session.accessToken)
                // A token Drive no longer accepts is refused as an invalid parameter.
                if reply.status == 400 || reply.status == 410 { throw ConnectorError.feedReset }
                guard (200..<300).contains(reply.status) else { throw ProviderHTTP.apiError(reply) }
                let page = try reply.decode(GoogleWire.ChangeList.self, "Drive's change list")
                for change in page.changes ?? [] {
                    items.append(FeedChanges.Item(id: change.fileId, parentIDs: change.removed == true ? [] : change.file?.parents ?? []))
                }
                if let more = page.nextPageToken {
                    pageToken = more
                } else if let start = page.newStartPageToken {
                    next.positions[feed] = start
                    break
                } else {
                    throw ConnectorError.malformedResponse("Drive's change list had neither nextPageToken nor newStartPageToken")
                }
            }
        }
        return FeedChanges(items: items, scoped: false, cursor: next)
    }

    private func startPageToken(drive: String?, session: ProviderSession) async throws -> String {
        var query = [("supportsAllDrives", "true")]
        if let drive { query.append(("driveId", drive)) }
        return try await http.get(
            GoogleWire.StartPageToken.self, changesAPI + "/startPageToken?" + ProviderHTTP.query(query), bearer: session.accessToken,
            what: "Drive's start page token"
        ).startPageToken
    }
}

extension GoogleWire {
    struct DriveOfFile: Decodable { let driveId: String? }

    struct StartPageToken: Decodable { let startPageToken: String }

    /// `changes.list`: changes oldest first, and exactly one of the two tokens.
    struct ChangeList: Decodable {
        struct Change: Decodable {
            struct File: Decodable {
                let parents: [String]?
                let trashed: Bool?
            }
            let fileId: String?
            let removed: Bool?
            let file: File?
        }
        let changes: [Change]?
        let nextPageToken: String?
        let newStartPageToken: String?
    }
}
