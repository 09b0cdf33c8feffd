import CirrusCore
import Foundation

/// Dropbox browsing: folders from the root (`""`), paged with cursors, searched with
/// `search_v2`; Paper documents exported as Markdown; downloads checked against `content_hash`.
extension DropboxConnector {
    static let top = Breadcrumb(id: "root", name: "Dropbox")
    static let folderType = "application/vnd.dropbox.folder"
    static let paperExport = CloudFile.Export(mimeType: "text/markdown", fileExtension: "md")

    /// Dropbox serves every download from its content host.
    var links: LinkPolicy {
        LinkPolicy(hosts: configuration.hosts, apiHosts: ["api.dropboxapi.com", "content.dropboxapi.com"], downloadHosts: ["content.dropboxapi.com"])
    }

    private var filesAPI: String { configuration.hosts.base("api.dropboxapi.com") + "/2" }
    private var contentAPI: String { configuration.hosts.base("content.dropboxapi.com") + "/2" }

    public func list(folderID: String, pageToken: String?, query: String?, session: ProviderSession) async throws -> FilePage {
        let json: [String: Any]
        if let query, !query.isEmpty {
            var body: [String: Any] = ["query": query, "options": ["max_results": 100, "file_status": "active"]]
            if folderID != "root" { body["options"] = ["max_results": 100, "file_status": "active", "path": folderID] }
            json = try await rpc(pageToken == nil ? "/files/search_v2" : "/files/search/continue_v2", pageToken.map { ["cursor": $0] } ?? body, session: session)
            let files = (json["matches"] as? [[String: Any]] ?? []).compactMap { match -> CloudFile? in
                guard let metadata = (match["metadata"] as? [String: Any])?["metadata"] as? [String: Any] else { return nil }
                return Self.cloudFile(metadata)
            }
            return FilePage(files: files, nextPageToken: json["has_more"] as? Bool == true ? json["cursor"] as? String : nil)
        }
        if let pageToken {
            json = try await rpc("/files/list_folder/continue", ["cursor": pageToken], session: session)
        } else {
            json = try await rpc("/files/list_folder", ["path": folderID == "root" ? "" : folderID, "limit": 200, "include_deleted": false], session: session)
        }
        let files = (json["entries"] as? [[String: Any]] ?? []).compactMap { entry -> CloudFile? in
            (entry[".tag"] as? String) == "deleted" ? nil : Self.cloudFile(entry)
        }.sorted { ($0.isFolder ? 0 : 1, $0.name.lowercased()) < ($1.isFolder ? 0 : 1, $1.name.lowercased()) }
        return FilePage(files: files, nextPageToken: json["has_more"] as? Bool == true ? json["cursor"] as? String : nil)
    }

    public func breadcrumbs(folderID: String, session: ProviderSession) async throws -> [Breadcrumb] {
        guard folderID != "root" else { return [Self.top] }
        let metadata = try await rpc("/files/get_metadata", ["path": folderID], session: session)
        let display = metadata["path_display"] as? String ?? ""
        var trail: [Breadcrumb] = []
        var path = ""
        for segment in display.split(separator: "/") {
            path += "/" + segment
            trail.append(Breadcrumb(id: path, name: String(segment)))
        }
        if let id = metadata["id"] as? String, !trail.isEmpty { trail[trail.count - 1].id = id }
        return [Self.top] + trail
    }

    public func file(id: String, session: ProviderSession) async throws -> CloudFile {
        Self.cloudFile(try await rpc("/files/get_metadata", ["path": id], session: session))
    }

    public func download(_ file: CloudFile, session: ProviderSession, to destination: URL, maxBytes: Int64) async throws -> DownloadedFile {
        if let reason = file.unavailableReason { throw ConnectorError.notDownloadable(reason) }
        let export = file.export != nil
        var argument: [String: Any] = ["path": file.id]
        if export { argument["export_format"] = "markdown" }
        let headers = [
            ("Authorization", "Bearer \(session.accessToken)"),
            // Dropbox requires the argument header in ASCII: anything else is \u-escaped.
            ("Dropbox-API-Arg", Self.asciiJSON(argument)),
        ]
        let result = try await http.download(contentAPI + (export ? "/files/export" : "/files/download"), method: .POST, headers: headers,
                                             links: links, to: destination, maxBytes: maxBytes, checksum: export ? nil : file.checksum)
        return DownloadedFile(url: destination, bytes: result.bytes, mimeType: file.contentType, fileName: file.contentName)
    }

    private func rpc(_ route: String, _ body: [String: Any], session: ProviderSession) async throws -> [String: Any] {
        let reply = try await http.postJSON(filesAPI + route, body, headers: [("Authorization", "Bearer \(session.accessToken)")])
        if reply.status == 409, (reply.json?["error_summary"] as? String)?.contains("not_found") == true { throw ConnectorError.notFound }
        guard reply.status == 200, let json = reply.json else { throw ProviderHTTP.apiError(reply) }
        return json
    }

    static func cloudFile(_ entry: [String: Any]) -> CloudFile {
        let name = entry["name"] as? String ?? ""
        let id = entry["id"] as? String ?? entry["path_lower"] as? String ?? ""
        let isFolder = (entry[".tag"] as? String) == "folder"
        let parentPath = (entry["path_display"] as? String).map { path in String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]) }
        var file = CloudFile(
            id: id, name: name, mimeType: isFolder ? folderType : (MediaType.forFileName(name) ?? "application/octet-stream"), size: (entry["size"] as? Int).map(Int64.init),
            modifiedTime: ProviderDate.parse(entry["server_modified"] as? String),
            webViewLink: (entry["path_display"] as? String).map { "https://www.dropbox.com/home" + ($0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? $0) },
            isFolder: isFolder, parentId: parentPath.map { $0.isEmpty ? "root" : $0 }, revision: entry["rev"] as? String,
            checksum: (entry["content_hash"] as? String).map { .dropbox($0) })
        if entry["is_downloadable"] as? Bool == false {
            let formats = (entry["export_info"] as? [String: Any])?["export_options"] as? [String] ?? []
            if formats.contains("markdown") { file.export = paperExport } else { file.unavailableReason = "Dropbox does not allow downloading this file." }
        }
        return file
    }

    static func asciiJSON(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        var result = ""
        for scalar in String(decoding: data, as: UTF8.self).unicodeScalars {
            if scalar.value < 0x7F { result.unicodeScalars.append(scalar) } else {
                for unit in String(scalar).utf16 { result += String(format: "\\u%04x", unit) }
            }
        }
        return result
    }
}
