import CirrusCore
import Foundation

/// Google Drive browsing: My Drive at the top with "Shared with me" and "Shared drives" as
/// virtual folders; every call carries the shared-drive flags; shortcuts resolve to their
/// targets; Docs, Sheets and Slides export to docx, xlsx and pptx.
extension GoogleDriveConnector {
    static let sharedWithMe = Breadcrumb(id: "shared-with-me", name: "Shared with me")
    static let sharedDrives = Breadcrumb(id: "shared-drives", name: "Shared drives")
    static let myDrive = Breadcrumb(id: "root", name: "My Drive")
    static let folderType = "application/vnd.google-apps.folder"
    static let shortcutType = "application/vnd.google-apps.shortcut"
    static let fileFields = "id,name,mimeType,size,modifiedTime,webViewLink,parents,md5Checksum,version,driveId,shortcutDetails,exportLinks,capabilities"

    /// Google-native types and the Office format each is exported to; `nil` marks types with no text export.
    static let exports: [String: CloudFile.Export?] = [
        "application/vnd.google-apps.document": .init(
            mimeType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", fileExtension: "docx"),
        "application/vnd.google-apps.spreadsheet": .init(mimeType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", fileExtension: "xlsx"),
        "application/vnd.google-apps.presentation": .init(
            mimeType: "application/vnd.openxmlformats-officedocument.presentationml.presentation", fileExtension: "pptx"),
        "application/vnd.google-apps.drawing": nil, "application/vnd.google-apps.form": nil, "application/vnd.google-apps.site": nil,
        "application/vnd.google-apps.map": nil, "application/vnd.google-apps.jam": nil,
    ]

    /// Drive serves files from its API host and exports from docs.google.com (both take the token); content may redirect to googleusercontent.com.
    var links: LinkPolicy {
        LinkPolicy(
            hosts: configuration.hosts, apiHosts: ["www.googleapis.com", "docs.google.com"],
            downloadHosts: ["www.googleapis.com", "docs.google.com", ".googleusercontent.com"])
    }

    private var drive: String { configuration.hosts.base("www.googleapis.com") + "/drive/v3" }

    public func list(folderID: String, pageToken: String?, query: String?, session: ProviderSession) async throws -> FilePage {
        if folderID == Self.sharedDrives.id, query == nil {
            var items = [("pageSize", "100"), ("fields", "nextPageToken,drives(id,name)")]
            if let pageToken { items.append(("pageToken", pageToken)) }
            let list = try await http.get(
                GoogleWire.DriveList.self, drive + "/drives?" + ProviderHTTP.query(items), bearer: session.accessToken, what: "Drive's shared drives")
            let drives = (list.drives ?? []).map { entry in
                CloudFile(id: entry.id, name: entry.name ?? entry.id, mimeType: Self.folderType, isFolder: true, parentId: Self.sharedDrives.id)
            }
            return FilePage(files: drives, nextPageToken: list.nextPageToken)
        }
        var q: String
        if let query, !query.isEmpty {
            q = "name contains '\(Self.escape(query))' and trashed = false"
        } else if folderID == Self.sharedWithMe.id {
            q = "sharedWithMe = true and trashed = false"
        } else {
            q = "'\(Self.escape(folderID))' in parents and trashed = false"
        }
        var items = [
            ("q", q), ("pageSize", "100"), ("orderBy", "folder,name"), ("fields", "nextPageToken,files(\(Self.fileFields))"),
            ("supportsAllDrives", "true"), ("includeItemsFromAllDrives", "true"), ("corpora", query == nil ? "user" : "allDrives"),
        ]
        if query == nil, folderID != "root", folderID != Self.sharedWithMe.id { items[6] = ("corpora", "allDrives") }
        if let pageToken { items.append(("pageToken", pageToken)) }
        let list = try await http.get(
            GoogleWire.FileList.self, drive + "/files?" + ProviderHTTP.query(items), bearer: session.accessToken, what: "Drive's file list")
        var files: [CloudFile] = []
        for entry in list.files ?? [] {
            files.append(try await resolved(entry, session: session))
        }
        if folderID == "root", pageToken == nil, query == nil {
            // The virtual folders lead the top level, as in Drive's own sidebar.
            files.insert(
                contentsOf: [Self.sharedWithMe, Self.sharedDrives].map {
                    CloudFile(id: $0.id, name: $0.name, mimeType: Self.folderType, isFolder: true, parentId: "root")
                }, at: 0)
        }
        return FilePage(files: files, nextPageToken: list.nextPageToken)
    }

    public func breadcrumbs(folderID: String, session: ProviderSession) async throws -> [Breadcrumb] {
        if folderID == "root" { return [Self.myDrive] }
        if folderID == Self.sharedWithMe.id || folderID == Self.sharedDrives.id {
            return [Self.myDrive, folderID == Self.sharedWithMe.id ? Self.sharedWithMe : Self.sharedDrives]
        }
        let rootID = try await http.get(GoogleWire.File.self, drive + "/files/root?fields=id", bearer: session.accessToken, what: "Drive's root folder").id
        var trail: [Breadcrumb] = []
        var current = folderID
        for _ in 0..<32 {
            if current == rootID { return [Self.myDrive] + trail }
            let reply = try await http.get(
                drive + "/files/\(Self.pathEscape(current))?"
                    + ProviderHTTP.query([
                        ("fields", "id,name,parents,driveId"), ("supportsAllDrives", "true"),
                    ]), bearer: session.accessToken)
            let folder = reply.status == 200 ? try reply.decode(GoogleWire.File.self, "a Drive folder") : nil
            guard let folder, folder.driveId != current else {
                // A shared drive's root: its name comes from the drives collection.
                let shared = try await http.get(
                    GoogleWire.Drive.self, drive + "/drives/\(Self.pathEscape(current))", bearer: session.accessToken, what: "a shared drive")
                return [Self.myDrive, Self.sharedDrives, Breadcrumb(id: current, name: shared.name ?? current)] + trail
            }
            let crumb = Breadcrumb(id: current, name: folder.name ?? current)
            guard let parent = folder.parents?.first else {
                // No parent this account can see: the folder was shared with it.
                return [Self.myDrive, Self.sharedWithMe, crumb] + trail
            }
            trail.insert(crumb, at: 0)
            current = parent
        }
        return [Self.myDrive] + trail
    }

    public func file(id: String, session: ProviderSession) async throws -> CloudFile {
        let reply = try await http.get(
            drive + "/files/\(Self.pathEscape(id))?" + ProviderHTTP.query([("fields", Self.fileFields), ("supportsAllDrives", "true")]),
            bearer: session.accessToken)
        if reply.status == 404 { throw ConnectorError.notFound }
        guard reply.status == 200 else { throw ProviderHTTP.apiError(reply) }
        return try await resolved(try reply.decode(GoogleWire.File.self, "a Drive file"), session: session)
    }

    public func download(_ file: CloudFile, session: ProviderSession, to destination: URL, maxBytes: Int64) async throws -> DownloadedFile {
        if let reason = file.unavailableReason { throw ConnectorError.notDownloadable(reason) }
        let auth = [("Authorization", "Bearer \(session.accessToken)")]
        let id = Self.pathEscape(file.id)
        if let export = file.export {
            do {
                let result = try await http.download(
                    drive + "/files/\(id)/export?" + ProviderHTTP.query([("mimeType", export.mimeType)]),
                    headers: auth, links: links, to: destination, maxBytes: maxBytes)
                return DownloadedFile(url: destination, bytes: result.bytes, mimeType: export.mimeType, fileName: file.contentName)
            } catch ConnectorError.provider(let status, let message) where status == 403 && message.contains("exportSizeLimitExceeded") {
                // Over 10 MB the export endpoint refuses; the file's exportLinks serve any size.
                let link = try await exportLink(file.id, mimeType: export.mimeType, session: session)
                let result = try await http.download(link, headers: auth, links: links, to: destination, maxBytes: maxBytes)
                return DownloadedFile(url: destination, bytes: result.bytes, mimeType: export.mimeType, fileName: file.contentName)
            }
        }
        let result = try await http.download(
            drive + "/files/\(id)?" + ProviderHTTP.query([("alt", "media"), ("supportsAllDrives", "true")]),
            headers: auth, links: links, to: destination, maxBytes: maxBytes, checksum: file.checksum)
        return DownloadedFile(url: destination, bytes: result.bytes, mimeType: file.mimeType, fileName: file.name)
    }

    private func exportLink(_ id: String, mimeType: String, session: ProviderSession) async throws -> String {
        let file = try await http.get(
            GoogleWire.File.self, drive + "/files/\(Self.pathEscape(id))?" + ProviderHTTP.query([("fields", "id,exportLinks"), ("supportsAllDrives", "true")]),
            bearer: session.accessToken, what: "a Drive file's export links")
        guard let link = file.exportLinks?[mimeType] else {
            throw ConnectorError.notDownloadable("Google offers no export of this file as \(mimeType).")
        }
        return link
    }

    /// A Drive file resource as a ``CloudFile``; a shortcut becomes its target under the shortcut's name.
    private func resolved(_ entry: GoogleWire.File, session: ProviderSession) async throws -> CloudFile {
        var file = Self.cloudFile(entry)
        if file.mimeType == Self.shortcutType, let target = entry.shortcutDetails?.targetId {
            let reply = try await http.get(
                drive + "/files/\(Self.pathEscape(target))?" + ProviderHTTP.query([("fields", Self.fileFields), ("supportsAllDrives", "true")]),
                bearer: session.accessToken)
            if reply.status == 200 {
                var targetFile = Self.cloudFile(try reply.decode(GoogleWire.File.self, "a shortcut's target"))
                targetFile.name = file.name
                targetFile.parentId = file.parentId
                return targetFile
            }
            file.unavailableReason = "The shortcut points to a file that is gone or not shared with you."
        }
        return file
    }

    static func cloudFile(_ entry: GoogleWire.File) -> CloudFile {
        let mimeType = entry.mimeType ?? "application/octet-stream"
        var file = CloudFile(
            id: entry.id, name: entry.name ?? entry.id, mimeType: mimeType,
            size: entry.size?.value, modifiedTime: ProviderDate.parse(entry.modifiedTime),
            webViewLink: entry.webViewLink, isFolder: mimeType == folderType, parentId: entry.parents?.first,
            revision: entry.version.map { String($0.value) }, checksum: entry.md5Checksum.map { .md5($0) })
        if let export = exports[mimeType] {
            if let export { file.export = export } else { file.unavailableReason = "Google offers no text export for this kind of file." }
        } else if mimeType.hasPrefix("application/vnd.google-apps."), mimeType != folderType, mimeType != shortcutType {
            file.unavailableReason = "Google offers no export for this kind of file."
        }
        if entry.capabilities?.canDownload == false {
            file.unavailableReason = "The owner has disabled downloading this file."
        }
        return file
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
    }

    static func pathEscape(_ text: String) -> String {
        // "." and ".." would be read as path steps: spell them out.
        if text == "." || text == ".." { return String(repeating: "%2E", count: text.count) }
        return text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}
