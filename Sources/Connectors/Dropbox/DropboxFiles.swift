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
        if let query, !query.isEmpty {
            let search = DropboxWire.Search(
                query: query, options: .init(maxResults: 100, fileStatus: "active", path: folderID == "root" ? nil : folderID))
            let result: DropboxWire.SearchResult =
                if let pageToken {
                    try await rpc("/files/search/continue_v2", DropboxWire.Cursor(cursor: pageToken), session: session, what: "Dropbox's search results")
                } else {
                    try await rpc("/files/search_v2", search, session: session, what: "Dropbox's search results")
                }
            let files = result.matches.compactMap { $0.metadata?.metadata }.map(Self.cloudFile)
            return FilePage(files: files, nextPageToken: result.hasMore ? result.cursor : nil)
        }
        let result: DropboxWire.ListFolderResult =
            if let pageToken {
                try await rpc("/files/list_folder/continue", DropboxWire.Cursor(cursor: pageToken), session: session, what: "a Dropbox folder listing")
            } else {
                try await rpc(
                    "/files/list_folder", DropboxWire.ListFolder(path: folderID == "root" ? "" : folderID, limit: 200, includeDeleted: false),
                    session: session, what: "a Dropbox folder listing")
            }
        let files = result.entries.filter { $0.tag != "deleted" }.map(Self.cloudFile)
            .sorted { ($0.isFolder ? 0 : 1, $0.name.lowercased()) < ($1.isFolder ? 0 : 1, $1.name.lowercased()) }
        return FilePage(files: files, nextPageToken: result.hasMore ? result.cursor : nil)
    }

    public func breadcrumbs(folderID: String, session: ProviderSession) async throws -> [Breadcrumb] {
        guard folderID != "root" else { return [Self.top] }
        let metadata: DropboxWire.Metadata = try await rpc(
            "/files/get_metadata", DropboxWire.Path(path: folderID), session: session, what: "a Dropbox folder")
        var trail: [Breadcrumb] = []
        var path = ""
        for segment in (metadata.pathDisplay ?? "").split(separator: "/") {
            path += "/" + segment
            trail.append(Breadcrumb(id: path, name: String(segment)))
        }
        if let id = metadata.id, !trail.isEmpty { trail[trail.count - 1].id = id }
        return [Self.top] + trail
    }

    public func file(id: String, session: ProviderSession) async throws -> CloudFile {
        Self.cloudFile(try await rpc("/files/get_metadata", DropboxWire.Path(path: id), session: session, what: "a Dropbox file"))
    }

    public func download(_ file: CloudFile, session: ProviderSession, to destination: URL, maxBytes: Int64) async throws -> DownloadedFile {
        if let reason = file.unavailableReason { throw ConnectorError.notDownloadable(reason) }
        let export = file.export != nil
        let argument = DropboxWire.DownloadArgument(path: file.id, exportFormat: export ? "markdown" : nil)
        let headers = [
            ("Authorization", "Bearer \(session.accessToken)"),
            // Dropbox requires the argument header in ASCII: anything else is \u-escaped.
            ("Dropbox-API-Arg", Self.asciiJSON(argument)),
        ]
        let result = try await http.download(
            contentAPI + (export ? "/files/export" : "/files/download"), method: .POST, headers: headers,
            links: links, to: destination, maxBytes: maxBytes, checksum: export ? nil : file.checksum)
        return DownloadedFile(url: destination, bytes: result.bytes, mimeType: file.contentType, fileName: file.contentName)
    }

    func rpc<Result: Decodable>(_ route: String, _ body: some Encodable, session: ProviderSession, what: String) async throws -> Result {
        let reply = try await http.postJSON(filesAPI + route, body, headers: [("Authorization", "Bearer \(session.accessToken)")])
        if reply.status == 409, (try? reply.decode(WireErrors.Dropbox.self, "the error"))?.errorSummary.contains("not_found") == true {
            throw ConnectorError.notFound
        }
        guard reply.status == 200 else { throw ProviderHTTP.apiError(reply) }
        return try reply.decode(Result.self, what)
    }

    static func cloudFile(_ entry: DropboxWire.Metadata) -> CloudFile {
        let name = entry.name
        let id = entry.id ?? entry.pathLower ?? ""
        let isFolder = entry.tag == "folder"
        let parentPath = entry.pathDisplay.map { path in String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]) }
        var file = CloudFile(
            id: id, name: name, mimeType: isFolder ? folderType : (MediaType.forFileName(name) ?? "application/octet-stream"), size: entry.size,
            modifiedTime: ProviderDate.parse(entry.serverModified),
            webViewLink: entry.pathDisplay.map { "https://www.dropbox.com/home" + ($0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? $0) },
            isFolder: isFolder, parentId: parentPath.map { $0.isEmpty ? "root" : $0 }, revision: entry.rev,
            checksum: entry.contentHash.map { .dropbox($0) })
        if entry.isDownloadable == false {
            if entry.exportInfo?.exportOptions?.contains("markdown") == true {
                file.export = paperExport
            } else {
                file.unavailableReason = "Dropbox does not allow downloading this file."
            }
        }
        return file
    }

    static func asciiJSON(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        var result = ""
        for scalar in String(decoding: data, as: UTF8.self).unicodeScalars {
            if scalar.value < 0x7F {
                result.unicodeScalars.append(scalar)
            } else {
                for unit in String(scalar).utf16 { result += String(format: "\\u%04x", unit) }
            }
        }
        return result
    }
}
