import CirrusCore
import Foundation

/// Microsoft 365 browsing: OneDrive, SharePoint sites → document libraries → folders, and Teams →
/// channels → their files. Ids are the connector's own: `d:DRIVE:ITEM` for drive items,
/// `s:SITE`, `t:TEAM`, `c:TEAM:CHANNEL` for the containers above them.
extension MicrosoftConnector {
    static let top = Breadcrumb(id: "root", name: "Microsoft 365")
    static let oneDrive = Breadcrumb(id: "me", name: "OneDrive")
    static let sites = Breadcrumb(id: "sites", name: "SharePoint sites")
    static let teams = Breadcrumb(id: "teams", name: "Teams")
    static let folderType = "application/vnd.microsoft.folder"

    /// Graph's `/content` redirects to pre-authenticated URLs on SharePoint (work) or OneDrive's content hosts (personal).
    var links: LinkPolicy {
        LinkPolicy(
            hosts: configuration.hosts, apiHosts: ["graph.microsoft.com"],
            downloadHosts: ["graph.microsoft.com", ".sharepoint.com", ".1drv.com", ".livefilestore.com", ".microsoftpersonalcontent.com"])
    }

    private var graphAPI: String { configuration.hosts.base("graph.microsoft.com") + "/v1.0" }

    public func list(folderID: String, pageToken: String?, query: String?, session: ProviderSession) async throws -> FilePage {
        let url: String
        if let pageToken {
            // Graph's nextLink is the page token; it must lead back to Graph, never elsewhere.
            guard pageToken.hasPrefix(graphAPI + "/") else { throw ConnectorError.provider(status: 400, message: "That page token is not valid.") }
            url = pageToken
        } else {
            let parts = folderID.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            let term = query.map { $0.replacingOccurrences(of: "'", with: "''") }
            switch parts[0] {
            case "root" where term == nil:
                return FilePage(
                    files: [Self.oneDrive, Self.sites, Self.teams].map {
                        CloudFile(id: $0.id, name: $0.name, mimeType: Self.folderType, isFolder: true, parentId: "root")
                    }, nextPageToken: nil)
            case "root", "me":
                url = graphAPI + (term.map { "/me/drive/root/search(q='\(Self.escape($0))')?$top=200" } ?? "/me/drive/root/children?$top=200")
            case "sites":
                url = graphAPI + "/sites?" + ProviderHTTP.query([("search", query ?? "*"), ("$top", "100")])
            case "s" where parts.count == 2:
                return FilePage(files: try await libraries(site: parts[1], session: session), nextPageToken: nil)
            case "teams":
                let teams = try await http.get(
                    GraphWire.Collection<GraphWire.Container>.self, graphAPI + "/me/joinedTeams", bearer: session.accessToken, what: "Graph's joined teams")
                return FilePage(
                    files: teams.value.map { team in
                        CloudFile(id: "t:\(team.id)", name: team.displayName ?? team.id, mimeType: Self.folderType, isFolder: true, parentId: "teams")
                    }, nextPageToken: nil)
            case "t" where parts.count == 2:
                let channels = try await http.get(
                    GraphWire.Collection<GraphWire.Container>.self, graphAPI + "/teams/\(Self.escape(parts[1]))/channels", bearer: session.accessToken,
                    what: "a team's channels")
                return FilePage(
                    files: channels.value.map { channel in
                        CloudFile(
                            id: "c:\(parts[1]):\(channel.id)", name: channel.displayName ?? channel.id, mimeType: Self.folderType, isFolder: true,
                            parentId: folderID)
                    }, nextPageToken: nil)
            case "c" where parts.count == 3:
                let folder = try await http.get(
                    GraphWire.DriveItem.self, graphAPI + "/teams/\(Self.escape(parts[1]))/channels/\(Self.escape(parts[2]))/filesFolder",
                    bearer: session.accessToken, what: "a channel's files folder")
                guard let drive = folder.parentReference?.driveId else {
                    throw ConnectorError.malformedResponse("the channel's files folder has no drive")
                }
                return try await list(folderID: "d:\(drive):\(folder.id)", pageToken: nil, query: query, session: session)
            case "d" where parts.count == 3:
                let item = parts[2] == "root" ? "root" : "items/\(Self.escape(parts[2]))"
                url =
                    graphAPI + "/drives/\(Self.escape(parts[1]))/"
                    + (term.map { "root/search(q='\(Self.escape($0))')?$top=200" } ?? "\(item)/children?$top=200")
            default:
                throw ConnectorError.notFound
            }
        }
        if folderID == "sites", pageToken == nil || url.contains("/sites?") {
            let sites = try await http.get(GraphWire.Collection<GraphWire.Container>.self, url, bearer: session.accessToken, what: "Graph's sites")
            return FilePage(
                files: sites.value.map { site in
                    CloudFile(
                        id: "s:\(site.id)", name: site.displayName ?? site.name ?? site.id, mimeType: Self.folderType,
                        webViewLink: site.webUrl, isFolder: true, parentId: "sites")
                }, nextPageToken: sites.nextLink)
        }
        let items = try await http.get(GraphWire.Collection<GraphWire.DriveItem>.self, url, bearer: session.accessToken, what: "a drive folder's children")
        return FilePage(files: items.value.map { Self.cloudFile($0, fallbackDrive: nil) }, nextPageToken: items.nextLink)
    }

    private func libraries(site: String, session: ProviderSession) async throws -> [CloudFile] {
        let drives = try await http.get(
            GraphWire.Collection<GraphWire.Drive>.self, graphAPI + "/sites/\(Self.escape(site))/drives", bearer: session.accessToken,
            what: "a site's document libraries")
        return drives.value.map { drive in
            CloudFile(
                id: "d:\(drive.id):root", name: drive.name ?? drive.id, mimeType: Self.folderType,
                webViewLink: drive.webUrl, isFolder: true, parentId: "s:\(site)")
        }
    }

    public func breadcrumbs(folderID: String, session: ProviderSession) async throws -> [Breadcrumb] {
        let parts = folderID.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch parts[0] {
        case "root": return [Self.top]
        case "me": return [Self.top, Self.oneDrive]
        case "sites", "s":
            return [Self.top, Self.sites] + (parts[0] == "s" ? [Breadcrumb(id: folderID, name: try await siteName(parts[1], session: session))] : [])
        case "teams", "t", "c": return [Self.top, Self.teams]
        case "d" where parts.count == 3:
            let drive = try await http.get(GraphWire.Drive.self, graphAPI + "/drives/\(Self.escape(parts[1]))", bearer: session.accessToken, what: "a drive")
            let personal = drive.driveType != "documentLibrary"
            var trail: [Breadcrumb] = []
            var current = parts[2]
            for _ in 0..<32 where current != "root" {
                let item = try await http.get(
                    GraphWire.DriveItem.self, graphAPI + "/drives/\(Self.escape(parts[1]))/items/\(Self.escape(current))", bearer: session.accessToken,
                    what: "a drive item")
                if item.root != nil { break }
                trail.insert(Breadcrumb(id: "d:\(parts[1]):\(current)", name: item.name ?? current), at: 0)
                guard let parent = item.parentReference?.id else { break }
                current = parent
            }
            let head = personal ? [Self.top, Self.oneDrive] : [Self.top, Self.sites, Breadcrumb(id: "d:\(parts[1]):root", name: drive.name ?? "Documents")]
            return head + trail
        default: throw ConnectorError.notFound
        }
    }

    private func siteName(_ id: String, session: ProviderSession) async throws -> String {
        let site = try await http.get(GraphWire.Container.self, graphAPI + "/sites/\(Self.escape(id))", bearer: session.accessToken, what: "a site")
        return site.displayName ?? id
    }

    public func file(id: String, session: ProviderSession) async throws -> CloudFile {
        let parts = id.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, parts[0] == "d" else {
            // Containers (sites, teams, channels) are folders only.
            let crumbs = try await breadcrumbs(folderID: id, session: session)
            return CloudFile(id: id, name: crumbs.last?.name ?? id, mimeType: Self.folderType, isFolder: true)
        }
        let path = parts[2] == "root" ? "root" : "items/\(Self.escape(parts[2]))"
        let item = try await http.get(
            GraphWire.DriveItem.self, graphAPI + "/drives/\(Self.escape(parts[1]))/\(path)", bearer: session.accessToken, what: "a drive item")
        return Self.cloudFile(item, fallbackDrive: parts[1])
    }

    public func download(_ file: CloudFile, session: ProviderSession, to destination: URL, maxBytes: Int64) async throws -> DownloadedFile {
        if let reason = file.unavailableReason { throw ConnectorError.notDownloadable(reason) }
        let parts = file.id.split(separator: ":").map(String.init)
        guard parts.count == 3 else { throw ConnectorError.notFound }
        // /content answers 302 to a pre-authenticated URL, which is fetched without the bearer token.
        let result = try await http.download(
            graphAPI + "/drives/\(Self.escape(parts[1]))/items/\(Self.escape(parts[2]))/content",
            headers: [("Authorization", "Bearer \(session.accessToken)")], links: links, to: destination, maxBytes: maxBytes, checksum: file.checksum)
        return DownloadedFile(url: destination, bytes: result.bytes, mimeType: file.mimeType, fileName: file.name)
    }

    static func cloudFile(_ item: GraphWire.DriveItem, fallbackDrive: String?) -> CloudFile {
        let drive = item.parentReference?.driveId ?? fallbackDrive ?? ""
        let isFolder = item.folder != nil
        var file = CloudFile(
            id: "d:\(drive):\(item.id)", name: item.name ?? item.id,
            mimeType: isFolder ? folderType : (item.file?.mimeType ?? "application/octet-stream"),
            size: item.size, modifiedTime: ProviderDate.parse(item.lastModifiedDateTime),
            webViewLink: item.webUrl, isFolder: isFolder, parentId: item.parentReference?.id.map { "d:\(drive):\($0)" },
            revision: item.cTag ?? item.eTag, checksum: item.file?.hashes?.quickXorHash.map { .quickXor($0) })
        if item.package?.type == "oneNote" {
            file.isFolder = false
            file.unavailableReason = "OneNote notebooks cannot be downloaded as files."
        }
        return file
    }

    static func escape(_ text: String) -> String {
        // "." and ".." would be read as path steps: spell them out.
        if text == "." || text == ".." { return String(repeating: "%2E", count: text.count) }
        return text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~,!'()*"))) ?? text
    }
}
