import CirrusCore
import Foundation

/// Graph's change feed (`providers/sync.md` §A.2): `delta` per drive, its `@odata.deltaLink`
/// stored and called back verbatim; `410 Gone` means the drive must be compared in full again.
/// SharePoint libraries and Teams channel folders are drives like OneDrive.
extension MicrosoftConnector: ChangeFeedConnector {
    private var graph: String { configuration.hosts.base("graph.microsoft.com") + "/v1.0" }

    public func feedCursor(roots: [String], session: ProviderSession) async throws -> FeedCursor? {
        var drives = Set<String>()
        for root in roots {
            let parts = root.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            switch parts[0] {
            case "d" where parts.count == 3: drives.insert(parts[1])
            case "me":
                drives.insert(try await http.get(GraphWire.Drive.self, graph + "/me/drive", bearer: session.accessToken, what: "the user's drive").id)
            // Sites, teams and the virtual top levels span drives that come and go: compared in full each time.
            default: return nil
            }
        }
        var positions: [String: String] = [:]
        for drive in drives {
            let latest = try await http.get(
                GraphWire.DeltaPage.self, graph + "/drives/\(Self.escape(drive))/root/delta?token=latest", bearer: session.accessToken,
                what: "a drive's delta link")
            guard let link = latest.deltaLink else { throw ConnectorError.malformedResponse("a delta with token=latest had no @odata.deltaLink") }
            positions[drive] = link
        }
        return FeedCursor(positions: positions)
    }

    public func changes(since cursor: FeedCursor, session: ProviderSession) async throws -> FeedChanges {
        var items: [FeedChanges.Item] = []
        var next = cursor
        for (drive, link) in cursor.positions.sorted(by: { $0.key < $1.key }) {
            var url = link
            while true {
                // Links are called verbatim, and only when they lead back to Graph.
                guard url.hasPrefix(graph + "/") else { throw ConnectorError.unsafeLink(URL(string: url)?.host ?? "an unknown host") }
                // Without the preference, an item the account lost access to is simply absent from
                // delta and lingers until the next full comparison.
                let reply = try await http.get(url, bearer: session.accessToken, headers: [("Prefer", "deltashowremovedasdeleted")])
                if reply.status == 410 { throw ConnectorError.feedReset }
                guard (200..<300).contains(reply.status) else { throw ProviderHTTP.apiError(reply) }
                let page = try reply.decode(GraphWire.DeltaPage.self, "a drive's delta")
                for item in page.value {
                    let itemDrive = item.parentReference?.driveId ?? drive
                    let parent = item.parentReference?.id.map { "d:\(itemDrive):\($0)" }
                    items.append(FeedChanges.Item(id: "d:\(itemDrive):\(item.id)", parentIDs: item.deleted == nil ? parent.map { [$0] } ?? [] : []))
                }
                if let more = page.nextLink {
                    url = more
                } else if let done = page.deltaLink {
                    next.positions[drive] = done
                    break
                } else {
                    throw ConnectorError.malformedResponse("a delta page had neither @odata.nextLink nor @odata.deltaLink")
                }
            }
        }
        return FeedChanges(items: items, scoped: false, cursor: next)
    }
}

extension GraphWire {
    /// A page of `delta`: items, then either more (`nextLink`) or the bookmark (`deltaLink`).
    struct DeltaPage: Decodable {
        let value: [DriveItem]
        let nextLink: String?
        let deltaLink: String?
        enum CodingKeys: String, CodingKey {
            case value
            case nextLink = "@odata.nextLink"
            case deltaLink = "@odata.deltaLink"
        }
    }
}
