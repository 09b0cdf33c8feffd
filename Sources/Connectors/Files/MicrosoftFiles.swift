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
        LinkPolicy(hosts: configuration.hosts, apiHosts: ["graph.microsoft.com"], downloadHosts: ["graph.microsoft.com", ".sharepoint.com", ".1drv.com", ".livefilestore.com", ".microsoftpersonalcontent.com"])
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
                return FilePage(files: [Self.oneDrive, Self.sites, Self.teams].map {
                    CloudFile(id: $0.id, name: $0.name, mimeType: Self.folderType, isFolder: true, parentId: "root")
                }, nextPageToken: nil)
            case "root", "me":
                url = graphAPI + (term.map { "/me/drive/root/search(q='\(Self.escape($0))')?$top=200" } ?? "/me/drive/root/children?$top=200")
            case "sites":
                url = graphAPI + "/sites?" + ProviderHTTP.query([("search", query ?? "*"), ("$top", "100")])
            case "s" where parts.count == 2:
                return FilePage(files: try await libraries(site: parts[1], session: session), nextPageToken: nil)
            case "teams":
                let json = try await http.getJSON(graphAPI + "/me/joinedTeams", bearer: session.accessToken)
                return FilePage(files: (json["value"] as? [[String: Any]] ?? []).compactMap { team in
                    guard let id = team["id"] as? String else { return nil }
                    return CloudFile(id: "t:\(id)", name: team["displayName"] as? String ?? id, mimeType: Self.folderType, isFolder: true, parentId: "teams")
                }, nextPageToken: nil)
            case "t" where parts.count == 2:
                let json = try await http.getJSON(graphAPI + "/teams/\(Self.escape(parts[1]))/channels", bearer: session.accessToken)
                return FilePage(files: (json["value"] as? [[String: Any]] ?? []).compactMap { channel in
                    guard let id = channel["id"] as? String else { return nil }
                    return CloudFile(id: "c:\(parts[1]):\(id)", name: channel["displayName"] as? String ?? id, mimeType: Self.folderType, isFolder: true, parentId: folderID)
                }, nextPageToken: nil)
            case "c" where parts.count == 3:
                let folder = try await http.getJSON(graphAPI + "/teams/\(Self.escape(parts[1]))/channels/\(Self.escape(parts[2]))/filesFolder", bearer: session.accessToken)
                guard let id = folder["id"] as? String, let drive = (folder["parentReference"] as? [String: Any])?["driveId"] as? String else {
                    throw ConnectorError.malformedResponse("the channel's files folder has no drive")
                }
                return try await list(folderID: "d:\(drive):\(id)", pageToken: nil, query: query, session: session)
            case "d" where parts.count == 3:
                let item = parts[2] == "root" ? "root" : "items/\(Self.escape(parts[2]))"
                url = graphAPI + "/drives/\(Self.escape(parts[1]))/" + (term.map { "root/search(q='\(Self.escape($0))')?$top=200" } ?? "\(item)/children?$top=200")
            default:
                throw ConnectorError.notFound
            }
        }
        let json = try await http.getJSON(url, bearer: session.accessToken)
        let values = json["value"] as? [[String: Any]] ?? []
        let files: [CloudFile]
        if folderID == "sites", pageToken == nil || url.contains("/sites?") {
            files = values.compactMap { site in
                guard let id = site["id"] as? String else { return nil }
                return CloudFile(id: "s:\(id)", name: site["displayName"] as? String ?? site["name"] as? String ?? id, mimeType: Self.folderType,
                                 webViewLink: site["webUrl"] as? String, isFolder: true, parentId: "sites")
            }
        } else {
            files = values.map { Self.cloudFile($0, fallbackDrive: nil) }
        }
        return FilePage(files: files, nextPageToken: json["@odata.nextLink"] as? String)
    }

    private func libraries(site: String, session: ProviderSession) async throws -> [CloudFile] {
        let json = try await http.getJSON(graphAPI + "/sites/\(Self.escape(site))/drives", bearer: session.accessToken)
        return (json["value"] as? [[String: Any]] ?? []).compactMap { drive in
            guard let id = drive["id"] as? String else { return nil }
            return CloudFile(id: "d:\(id):root", name: drive["name"] as? String ?? id, mimeType: Self.folderType,
                             webViewLink: drive["webUrl"] as? String, isFolder: true, parentId: "s:\(site)")
        }
    }

    public func breadcrumbs(folderID: String, session: ProviderSession) async throws -> [Breadcrumb] {
        let parts = folderID.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch parts[0] {
        case "root": return [Self.top]
        case "me": return [Self.top, Self.oneDrive]
        case "sites", "s": return [Self.top, Self.sites] + (parts[0] == "s" ? [Breadcrumb(id: folderID, name: try await siteName(parts[1], session: session))] : [])
        case "teams", "t", "c": return [Self.top, Self.teams]
        case "d" where parts.count == 3:
            let drive = try await http.getJSON(graphAPI + "/drives/\(Self.escape(parts[1]))", bearer: session.accessToken)
            let personal = (drive["driveType"] as? String) != "documentLibrary"
            var trail: [Breadcrumb] = []
            var current = parts[2]
            for _ in 0..<32 where current != "root" {
                let item = try await http.getJSON(graphAPI + "/drives/\(Self.escape(parts[1]))/items/\(Self.escape(current))", bearer: session.accessToken)
                if item["root"] != nil { break }
                trail.insert(Breadcrumb(id: "d:\(parts[1]):\(current)", name: item["name"] as? String ?? current), at: 0)
                guard let parent = (item["parentReference"] as? [String: Any])?["id"] as? String else { break }
                current = parent
            }
            let head = personal ? [Self.top, Self.oneDrive] : [Self.top, Self.sites, Breadcrumb(id: "d:\(parts[1]):root", name: drive["name"] as? String ?? "Documents")]
            return head + trail
        default: throw ConnectorError.notFound
        }
    }

    private func siteName(_ id: String, session: ProviderSession) async throws -> String {
        let json = try await http.getJSON(graphAPI + "/sites/\(Self.escape(id))", bearer: session.accessToken)
        return json["displayName"] as? String ?? id
    }

    public func file(id: String, session: ProviderSession) async throws -> CloudFile {
        let parts = id.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, parts[0] == "d" else {
            // Containers (sites, teams, channels) are folders only.
            let crumbs = try await breadcrumbs(folderID: id, session: session)
            return CloudFile(id: id, name: crumbs.last?.name ?? id, mimeType: Self.folderType, isFolder: true)
        }
        let path = parts[2] == "root" ? "root" : "items/\(Self.escape(parts[2]))"
        let json = try await http.getJSON(graphAPI + "/drives/\(Self.escape(parts[1]))/\(path)", bearer: session.accessToken)
        return Self.cloudFile(json, fallbackDrive: parts[1])
    }

    public func download(_ file: CloudFile, session: ProviderSession, to destination: URL, maxBytes: Int64) async throws -> DownloadedFile {
        if let reason = file.unavailableReason { throw ConnectorError.notDownloadable(reason) }
        let parts = file.id.split(separator: ":").map(String.init)
        guard parts.count == 3 else { throw ConnectorError.notFound }
        // /content answers 302 to a pre-authenticated URL, which is fetched without the bearer token.
        let result = try await http.download(graphAPI + "/drives/\(Self.escape(parts[1]))/items/\(Self.escape(parts[2]))/content",
                                             headers: [("Authorization", "Bearer \(session.accessToken)")], links: links, to: destination, maxBytes: maxBytes, checksum: file.checksum)
        return DownloadedFile(url: destination, bytes: result.bytes, mimeType: file.mimeType, fileName: file.name)
    }

    static func cloudFile(_ item: [String: Any], fallbackDrive: String?) -> CloudFile {
        let parent = item["parentReference"] as? [String: Any]
        let drive = parent?["driveId"] as? String ?? fallbackDrive ?? ""
        let itemID = item["id"] as? String ?? ""
        let fileFacet = item["file"] as? [String: Any]
        let isFolder = item["folder"] != nil
        var file = CloudFile(
            id: "d:\(drive):\(itemID)", name: item["name"] as? String ?? itemID,
            mimeType: isFolder ? folderType : (fileFacet?["mimeType"] as? String ?? "application/octet-stream"),
            size: (item["size"] as? Int).map(Int64.init) ?? (item["size"] as? Int64), modifiedTime: ProviderDate.parse(item["lastModifiedDateTime"] as? String),
            webViewLink: item["webUrl"] as? String, isFolder: isFolder, parentId: (parent?["id"] as? String).map { "d:\(drive):\($0)" },
            revision: item["cTag"] as? String ?? item["eTag"] as? String,
            checksum: ((fileFacet?["hashes"] as? [String: Any])?["quickXorHash"] as? String).map { .quickXor($0) })
        if (item["package"] as? [String: Any])?["type"] as? String == "oneNote" {
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
