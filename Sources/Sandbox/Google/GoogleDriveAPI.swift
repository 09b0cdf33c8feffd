import CirrusCore
import Foundation
import Hummingbird
import NIOCore
import SampleDocuments

/// Drive API v3: files.list/get/export, drives.list/get, about.get, changes (providers/google-drive.md §2–6).
struct GoogleDriveAPI {
    let emulator: GoogleEmulator
    var store: SandboxStore { emulator.store }

    static let folderType = "application/vnd.google-apps.folder"
    static let shortcutType = "application/vnd.google-apps.shortcut"
    static let documentType = "application/vnd.google-apps.document"
    static let spreadsheetType = "application/vnd.google-apps.spreadsheet"
    static let presentationType = "application/vnd.google-apps.presentation"

    static let readScopes: Set<String> = [
        "https://www.googleapis.com/auth/drive", "https://www.googleapis.com/auth/drive.readonly",
        "https://www.googleapis.com/auth/drive.metadata.readonly", "https://www.googleapis.com/auth/drive.metadata",
    ]
    static let contentScopes: Set<String> = ["https://www.googleapis.com/auth/drive", "https://www.googleapis.com/auth/drive.readonly"]

    /// Export targets per Google type that the sandbox can produce (providers/google-drive.md §3.4).
    static let exportTargets: [String: [String: String]] = [
        documentType: [
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx", "application/pdf": "pdf",
            "text/plain": "txt", "text/html": "html", "text/markdown": "md",
        ],
        spreadsheetType: [
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx", "application/pdf": "pdf",
            "text/csv": "csv", "text/tab-separated-values": "tsv",
        ],
        presentationType: [
            "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx", "application/pdf": "pdf",
            "text/plain": "txt",
        ],
    ]

    // MARK: Dispatch

    func handle(_ request: SandboxRequest) async -> SandboxResponse {
        let parts = request.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst(3).map(String.init)  // after /drive/v3/
        let operation = Self.operation(parts)
        guard let token = request.bearerToken ?? request.query["access_token"] ?? request.query["oauth_token"] else {
            return GoogleErrors.unregistered(operation: operation)
        }
        guard let grant = await emulator.authority.validate(token, platform: .googleDrive) else {
            return GoogleErrors.unauthenticated(operation: operation)
        }
        guard !Self.readScopes.isDisjoint(with: grant.scopes) else { return GoogleErrors.insufficientScopes(operation: operation) }
        let context = Context(request: request, grant: grant, canReadContent: !Self.contentScopes.isDisjoint(with: grant.scopes))

        switch (request.method, parts.first, parts.count) {
        case (.get, "about", 1): return await about(context)
        case (.get, "files", 1): return await listFiles(context)
        case (.get, "files", 2): return await getFile(parts[1], context)
        case (.get, "files", 3) where parts[2] == "export": return await export(parts[1], context, viaLink: false)
        case (.get, "drives", 1): return await listDrives(context)
        case (.get, "drives", 2): return await getDrive(parts[1], context)
        case (.get, "changes", 2) where parts[1] == "startPageToken": return await startPageToken(context)
        case (.get, "changes", 1): return await listChanges(context)
        case (.post, "changes", 2) where parts[1] == "watch": return await watchChanges(context)
        case (.post, "channels", 2) where parts[1] == "stop": return await stopChannel(context)
        default: return GoogleErrors.envelope(404, reason: "notFound", message: "Not Found", operation: operation)
        }
    }

    static func operation(_ parts: [String]) -> String {
        switch (parts.first, parts.count) {
        case ("files", 1): "files.list"
        case ("files", 2): "files.get"
        case ("files", 3): "files.\(parts[2])"
        case ("changes", 2) where parts[1] == "watch": "changes.watch"
        case ("channels", 2): "channels.stop"
        case ("changes", 2): "changes.getStartPageToken"
        case ("changes", 1): "changes.list"
        case (let resource?, 1): "\(resource).list"
        case (let resource?, _): "\(resource).get"
        default: "unknown"
        }
    }

    struct Context {
        let request: SandboxRequest
        let grant: AccessGrant
        let canReadContent: Bool
        var query: [String: String] { request.query }
        func flag(_ name: String) -> Bool { query[name]?.lowercased() == "true" }
    }

    // MARK: about

    private func about(_ context: Context) async -> SandboxResponse {
        guard let fields = context.query["fields"], !fields.isEmpty else {
            return GoogleErrors.envelope(
                400, reason: "required", message: "The 'fields' parameter is required for this method.", location: "fields",
                locationType: "parameter", operation: "about.get")
        }
        let account = emulator.accounts.first { $0.id == context.grant.accountID } ?? emulator.accounts[0]
        var exportFormats: [String: [String]] = [:]
        for (source, targets) in Self.exportTargets { exportFormats[source] = targets.keys.sorted() }
        let body: [String: Any] = [
            "kind": "drive#about",
            "user": [
                "kind": "drive#user", "displayName": account.displayName, "me": true, "permissionId": Self.permissionID(account), "emailAddress": account.email,
            ],
            "storageQuota": ["limit": "16106127360", "usage": "734003200", "usageInDrive": "524288000", "usageInDriveTrash": "0"],
            "exportFormats": exportFormats,
            "maxUploadSize": "5242880000000",
            "canCreateDrives": false,
        ]
        guard let mask = FieldMask.parse(fields) else { return invalidFields("about.get") }
        return .json(mask.apply(body), pretty: context.query["prettyPrint"] != "false", operation: "about.get")
    }

    static func permissionID(_ account: SandboxAccount) -> String { String(account.id.suffix(20)) }

    private func invalidFields(_ operation: String) -> SandboxResponse {
        GoogleErrors.envelope(
            400, reason: "invalidParameter", message: "Invalid field selection", location: "fields", locationType: "parameter", operation: operation)
    }

    // MARK: files.list

    private func listFiles(_ context: Context) async -> SandboxResponse {
        let operation = "files.list"
        let query = context.query
        let supportsAllDrives = context.flag("supportsAllDrives") || context.flag("supportsTeamDrives")
        let includeAllDrives = context.flag("includeItemsFromAllDrives") || context.flag("includeTeamDriveItems")
        let corpora = query["corpora"] ?? "user"
        let driveID = query["driveId"] ?? query["teamDriveId"]
        guard ["user", "domain", "drive", "allDrives"].contains(corpora) else { return GoogleErrors.invalid("corpora", operation: operation) }
        if (corpora == "drive") != (driveID != nil) {
            return GoogleErrors.envelope(
                400, reason: "teamDriveIdRequiresTeamDriveCorpora",
                message: "The driveId parameter must be specified if and only if corpora is set to drive.", operation: operation)
        }
        if includeAllDrives && !supportsAllDrives {
            return GoogleErrors.envelope(
                403, reason: "supportsTeamDrivesRequired",
                message: "The includeItemsFromAllDrives parameter can only be set to true if supportsAllDrives is also set to true.",
                operation: operation)
        }
        let pageSize: Int
        if let text = query["pageSize"] {
            guard let value = Int(text), (1...1000).contains(value) else { return GoogleErrors.invalid("pageSize", operation: operation) }
            pageSize = value
        } else {
            pageSize = 100
        }
        var filter: DriveQuery?
        if let q = query["q"], !q.trimmingCharacters(in: .whitespaces).isEmpty {
            do { filter = try DriveQuery.parse(q) } catch { return GoogleErrors.invalid("q", operation: operation) }
        }
        if query["orderBy"] != nil, let q = query["q"], q.contains("fullText") {
            return GoogleErrors.envelope(
                400, reason: "badRequest",
                message: "Sorting is not supported for queries with fullText terms. Results are always in descending relevance order.", operation: operation)
        }
        var mask: FieldMask?
        if let fields = query["fields"] {
            guard let parsed = FieldMask.parse(fields) else { return invalidFields(operation) }
            mask = parsed
        }

        let rootID = Corpus.rootID(for: .googleDrive)
        // A query pinned to one folder (`'X' in parents and …`) only needs that folder's children.
        let pool: [SandboxItem]
        if let filter, let parent = filter.requiredParent {
            pool = await store.children(of: Corpus.resolveAlias(parent, platform: .googleDrive), platform: .googleDrive)
        } else {
            pool = await store.all(.googleDrive)
        }
        let needsText = query["q"]?.contains("fullText") == true
        var candidates: [SandboxItem] = []
        for item in pool where item.id != rootID && !Corpus.isSharedDriveRoot(item) {
            if let container = item.containerID {
                guard includeAllDrives && supportsAllDrives else { continue }
                if corpora == "drive", container != driveID { continue }
            } else if corpora == "drive" {
                continue
            }
            if let filter {
                guard filter.matches(await subject(item, withText: needsText)) else { continue }
            }
            candidates.append(item)
        }
        candidates = Self.sorted(candidates, orderBy: query["orderBy"])

        // Page tokens are opaque; they encode the offset and a digest of the query they belong to.
        let signature = PageToken.signature(query)
        var offset = 0
        if let pageToken = query["pageToken"] {
            guard let decoded = PageToken.decodePageToken(pageToken), decoded.signature == signature else {
                return GoogleErrors.invalid("pageToken", operation: operation)
            }
            offset = decoded.offset
        }
        let page = Array(candidates.dropFirst(offset).prefix(pageSize))
        var files: [[String: Any]] = []
        for item in page { files.append(await fileResource(item, context: context)) }
        var body: [String: Any] = ["kind": "drive#fileList", "incompleteSearch": false]
        if offset + page.count < candidates.count {
            body["nextPageToken"] = PageToken.encodePageToken(offset: offset + page.count, signature: signature)
        }
        if let mask {
            body["files"] = files
            body = mask.apply(body)
        } else {
            body["files"] = files.map { Self.defaultFields($0) }
        }
        return .json(body, pretty: query["prettyPrint"] != "false", operation: operation)
    }

    static func defaultFields(_ file: [String: Any]) -> [String: Any] {
        file.filter { ["kind", "id", "name", "mimeType"].contains($0.key) }
    }

    static func sorted(_ items: [SandboxItem], orderBy: String?) -> [SandboxItem] {
        guard let orderBy, !orderBy.isEmpty else { return items }
        let keys = orderBy.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).split(separator: " ") }
        return items.sorted { lhs, rhs in
            for key in keys {
                guard let name = key.first else { continue }
                let descending = key.count > 1 && key[1].lowercased() == "desc"
                let order: ComparisonResult
                switch name {
                case "folder": order = lhs.isFolder == rhs.isFolder ? .orderedSame : (lhs.isFolder ? .orderedAscending : .orderedDescending)
                case "name", "name_natural": order = lhs.name.localizedStandardCompare(rhs.name)
                case "modifiedTime", "recency":
                    order = lhs.modifiedAt == rhs.modifiedAt ? .orderedSame : (lhs.modifiedAt < rhs.modifiedAt ? .orderedAscending : .orderedDescending)
                case "createdTime":
                    order = lhs.createdAt == rhs.createdAt ? .orderedSame : (lhs.createdAt < rhs.createdAt ? .orderedAscending : .orderedDescending)
                case "quotaBytesUsed": order = lhs.size == rhs.size ? .orderedSame : (lhs.size < rhs.size ? .orderedAscending : .orderedDescending)
                default: order = .orderedSame
                }
                if order != .orderedSame { return descending ? order == .orderedDescending : order == .orderedAscending }
            }
            return false
        }
    }

    private func subject(_ item: SandboxItem, withText: Bool) async -> DriveQuery.Subject {
        var text = item.name
        if withText, case .native(let document) = item.content { text += "\n" + document.plainText }
        if withText, case .bytes(let bytes) = item.content, item.mimeType.hasPrefix("text/") { text += "\n" + String(decoding: bytes, as: UTF8.self) }
        let root = Corpus.rootID(for: .googleDrive)
        let parents = item.parentID.map { $0 == root ? [$0, "root"] : [$0] } ?? []
        return DriveQuery.Subject(
            name: item.name, mimeType: item.mimeType, parents: parents,
            trashed: await store.isEffectivelyTrashed(item.id, platform: .googleDrive), starred: item.attributes["starred"] == "true",
            sharedWithMe: item.attributes["sharedWithMe"] == "true", modifiedTime: item.modifiedAt, createdTime: item.createdAt,
            fullText: text, owners: [], shortcutTarget: item.attributes["shortcutTarget"])
    }

    // MARK: File resources

    /// The full `File` resource (every field the sandbox knows); masks select from it.
    func fileResource(_ item: SandboxItem, context: Context) async -> [String: Any] {
        let origin = context.request.origin
        var file: [String: Any] = [
            "kind": "drive#file", "id": item.id, "name": item.name, "mimeType": item.mimeType,
            "createdTime": WireDate.millis(item.createdAt), "modifiedTime": WireDate.millis(item.modifiedAt),
            "version": String(item.version), "trashed": await store.isEffectivelyTrashed(item.id, platform: .googleDrive),
            "explicitlyTrashed": item.trashed, "starred": item.attributes["starred"] == "true", "spaces": ["drive"],
            "shared": item.containerID != nil || item.attributes["sharedWithMe"] == "true",
            "webViewLink": Self.webViewLink(item),
            "iconLink": "https://drive-thirdparty.googleusercontent.com/16/type/\(item.mimeType)",
            "quotaBytesUsed": String(item.isFolder ? 0 : item.size),
        ]
        if let parent = item.parentID, item.attributes["sharedWithMe"] != "true" { file["parents"] = [parent] }
        if let container = item.containerID {
            file["driveId"] = container
        } else {
            let account = emulator.accounts[0]
            file["owners"] = [
                [
                    "kind": "drive#user", "displayName": account.displayName, "emailAddress": account.email, "me": true,
                    "permissionId": Self.permissionID(account),
                ]
            ]
            file["ownedByMe"] = item.attributes["sharedWithMe"] != "true"
        }
        let isGoogleType = item.mimeType.hasPrefix("application/vnd.google-apps.")
        var capabilities: [String: Any] = [
            "canDownload": item.attributes["downloadBlocked"] != "true", "canListChildren": item.isFolder, "canCopy": !item.isFolder,
            "canEdit": false, "canReadRevisions": !isGoogleType, "canComment": false, "canShare": false,
        ]
        if item.containerID != nil { capabilities["canListChildren"] = item.isFolder }
        file["capabilities"] = capabilities
        if !isGoogleType {
            file["size"] = String(item.size)
            if let md5 = item.md5Hex { file["md5Checksum"] = md5 }
            file["headRevisionId"] = "0B" + String(item.id.prefix(10)) + "v\(item.version)"
            file["webContentLink"] = "https://drive.google.com/uc?id=\(item.id)&export=download"
            if let dot = item.name.lastIndex(of: "."), dot != item.name.startIndex {
                let ext = String(item.name[item.name.index(after: dot)...])
                file["fileExtension"] = ext
                file["fullFileExtension"] = ext
            }
            file["originalFilename"] = item.name
        }
        if let targets = Self.exportTargets[item.mimeType] {
            var links: [String: String] = [:]
            for (mime, format) in targets {
                links[mime] = "\(origin)/docs.google.com/feeds/download/\(Self.exportFamily(item.mimeType))/export/Export?id=\(item.id)&exportFormat=\(format)"
            }
            file["exportLinks"] = links
        }
        if item.mimeType == Self.shortcutType, let target = item.attributes["shortcutTarget"] {
            file["shortcutDetails"] = ["targetId": target, "targetMimeType": item.attributes["shortcutTargetMimeType"] ?? "application/octet-stream"]
        }
        return file
    }

    static func exportFamily(_ mimeType: String) -> String {
        switch mimeType {
        case spreadsheetType: "spreadsheets"
        case presentationType: "presentations"
        default: "documents"
        }
    }

    static func webViewLink(_ item: SandboxItem) -> String {
        switch item.mimeType {
        case folderType: "https://drive.google.com/drive/folders/\(item.id)"
        case documentType: "https://docs.google.com/document/d/\(item.id)/edit?usp=drivesdk"
        case spreadsheetType: "https://docs.google.com/spreadsheets/d/\(item.id)/edit?usp=drivesdk"
        case presentationType: "https://docs.google.com/presentation/d/\(item.id)/edit?usp=drivesdk"
        default: "https://drive.google.com/file/d/\(item.id)/view?usp=drivesdk"
        }
    }

    /// The item behind an id as the caller may see it: `root` resolves; shared-drive items need `supportsAllDrives`.
    private func visibleItem(_ id: String, context: Context) async -> SandboxItem? {
        guard let item = await store.item(Corpus.resolveAlias(id, platform: .googleDrive), platform: .googleDrive) else { return nil }
        if item.containerID != nil, !(context.flag("supportsAllDrives") || context.flag("supportsTeamDrives")) { return nil }
        return item
    }

    // MARK: files.get and download

    private func getFile(_ id: String, _ context: Context) async -> SandboxResponse {
        let media = context.query["alt"] == "media"
        let operation = media ? "files.download" : "files.get"
        guard let item = await visibleItem(id, context: context) else { return GoogleErrors.notFound(id, operation: operation) }
        if context.flag("acknowledgeAbuse") && !media {
            return GoogleErrors.envelope(
                403, reason: "invalidAbuseAcknowledgment", message: "acknowledgeAbuse can only be set to true when downloading file content.",
                operation: operation)
        }
        guard media else {
            let resource = await fileResource(item, context: context)
            if let fields = context.query["fields"] {
                guard let mask = FieldMask.parse(fields) else { return invalidFields(operation) }
                return .json(mask.apply(resource), pretty: context.query["prettyPrint"] != "false", operation: operation)
            }
            return .json(Self.defaultFields(resource), pretty: context.query["prettyPrint"] != "false", operation: operation)
        }
        guard context.canReadContent else { return GoogleErrors.insufficientScopes(operation: operation) }
        if item.isFolder || item.mimeType.hasPrefix("application/vnd.google-apps.") {
            return GoogleErrors.envelope(
                403, reason: "fileNotDownloadable", message: "Only files with binary content can be downloaded. Use Export with Docs Editors files.",
                location: "alt", locationType: "parameter", operation: operation)
        }
        if item.attributes["abusive"] == "true", !context.flag("acknowledgeAbuse") {
            return GoogleErrors.envelope(
                403, reason: "cannotDownloadAbusiveFile", message: "This file has been identified as malware or spam and cannot be downloaded.",
                operation: operation)
        }
        return ContentResponder.response(item.content, mimeType: item.mimeType, range: context.request.headers[.range], operation: operation)
    }

    // MARK: export

    private func export(_ id: String, _ context: Context, viaLink: Bool) async -> SandboxResponse {
        let operation = viaLink ? "files.exportLink" : "files.export"
        guard let item = await store.item(Corpus.resolveAlias(id, platform: .googleDrive), platform: .googleDrive) else {
            return GoogleErrors.notFound(id, operation: operation)
        }
        guard context.canReadContent else { return GoogleErrors.insufficientScopes(operation: operation) }
        guard let target = context.query["mimeType"], !target.isEmpty else {
            return GoogleErrors.envelope(
                400, reason: "required", message: "Required parameter: mimeType", location: "mimeType", locationType: "parameter", operation: operation)
        }
        guard let targets = Self.exportTargets[item.mimeType], case .native(let document) = item.content else {
            return GoogleErrors.envelope(403, reason: "fileNotExportable", message: "Export only supports Docs Editors files.", operation: operation)
        }
        guard let format = targets[target] else {
            return GoogleErrors.envelope(
                400, reason: "badRequest", message: "The requested conversion is not supported.", location: "convertTo", locationType: "parameter",
                operation: operation)
        }
        let bytes = DocumentFormats.render(document, format: format, limitPadding: item.attributes["exportPaddingBytes"].flatMap(Int.init) ?? 0)
        if !viaLink, bytes.count > emulator.exportLimitBytes {
            return GoogleErrors.envelope(403, reason: "exportSizeLimitExceeded", message: "This file is too large to be exported.", operation: operation)
        }
        return .bytes(bytes, contentType: target, operation: operation)
    }

    /// `exportLinks` URLs (docs.google.com), which have no 10 MB cap but need the bearer token.
    func exportLink(_ request: SandboxRequest) async -> SandboxResponse {
        guard let token = request.bearerToken, let grant = await emulator.authority.validate(token, platform: .googleDrive) else {
            return .html(
                ConsentPage.error(providerName: "Google", title: "Sign in", detail: "You need access."), status: .unauthorized, operation: "files.exportLink")
        }
        let format = request.query["exportFormat"] ?? ""
        guard let id = request.query["id"], let item = await store.item(id, platform: .googleDrive),
            let mime = Self.exportTargets[item.mimeType]?.first(where: { $0.value == format })?.key
        else {
            return .html(
                ConsentPage.error(providerName: "Google", title: "Not found", detail: "Sorry, the file you have requested does not exist."), status: .notFound,
                operation: "files.exportLink")
        }
        var query = request.query
        query["mimeType"] = mime
        var forwarded = request
        forwarded.query = query
        return await export(id, Context(request: forwarded, grant: grant, canReadContent: !Self.contentScopes.isDisjoint(with: grant.scopes)), viaLink: true)
    }

    // MARK: Shared drives

    private func listDrives(_ context: Context) async -> SandboxResponse {
        let operation = "drives.list"
        guard !Self.contentScopes.isDisjoint(with: context.grant.scopes) else { return GoogleErrors.insufficientScopes(operation: operation) }
        let pageSize: Int
        if let text = context.query["pageSize"] {
            guard let value = Int(text), (1...100).contains(value) else { return GoogleErrors.invalid("pageSize", operation: operation) }
            pageSize = value
        } else {
            pageSize = 10
        }
        var drives = await store.all(.googleDrive).filter(Corpus.isSharedDriveRoot).sorted { $0.name < $1.name }
        if let q = context.query["q"], let range = q.range(of: "name contains '") {
            let needle = q[range.upperBound...].prefix { $0 != "'" }.lowercased()
            drives = drives.filter { $0.name.lowercased().contains(needle) }
        }
        let signature = PageToken.signature(context.query)
        var offset = 0
        if let token = context.query["pageToken"] {
            guard let decoded = PageToken.decodePageToken(token), decoded.signature == signature else {
                return GoogleErrors.invalid("pageToken", operation: operation)
            }
            offset = decoded.offset
        }
        let page = drives.dropFirst(offset).prefix(pageSize)
        var body: [String: Any] = ["kind": "drive#driveList", "drives": page.map(Self.driveResource)]
        if offset + page.count < drives.count { body["nextPageToken"] = PageToken.encodePageToken(offset: offset + page.count, signature: signature) }
        if let fields = context.query["fields"], let mask = FieldMask.parse(fields) { body = mask.apply(body) }
        return .json(body, pretty: context.query["prettyPrint"] != "false", operation: operation)
    }

    private func getDrive(_ id: String, _ context: Context) async -> SandboxResponse {
        guard let item = await store.item(id, platform: .googleDrive), Corpus.isSharedDriveRoot(item) else {
            return GoogleErrors.envelope(
                404, reason: "notFound", message: "Shared drive not found: \(id)", location: "driveId", locationType: "parameter", operation: "drives.get")
        }
        return .json(Self.driveResource(item), pretty: true, operation: "drives.get")
    }

    static func driveResource(_ item: SandboxItem) -> [String: Any] {
        [
            "kind": "drive#drive", "id": item.id, "name": item.name, "createdTime": WireDate.millis(item.createdAt), "hidden": false,
            "capabilities": ["canListChildren": true, "canDownload": true, "canEdit": false],
            "restrictions": ["copyRequiresWriterPermission": false, "domainUsersOnly": false, "driveMembersOnly": false],
        ]
    }

    // MARK: Changes

    private func startPageToken(_ context: Context) async -> SandboxResponse {
        let token = await store.currentSequence + 1
        return .json(["kind": "drive#startPageToken", "startPageToken": String(token)], pretty: true, operation: "changes.getStartPageToken")
    }

    /// `changes.watch` (providers/sync.md §A.1): a `web_hook` channel on the change log after
    /// `pageToken`, to an https address (the sandbox also takes http on loopback, where the app
    /// under test listens), for at most a week (an hour when no expiration is asked for).
    private func watchChanges(_ context: Context) async -> SandboxResponse {
        let operation = "changes.watch"
        guard let tokenText = context.query["pageToken"] else {
            return GoogleErrors.envelope(
                400, reason: "required", message: "Required parameter: pageToken", location: "pageToken", locationType: "parameter", operation: operation)
        }
        guard let token = Int(tokenText), token >= 1, token <= (await store.currentSequence) + 1 else {
            return GoogleErrors.invalid("pageToken", operation: operation)
        }
        guard let body = try? JSONSerialization.jsonObject(with: Data(context.request.body)) as? [String: Any] else {
            return GoogleErrors.envelope(400, reason: "parseError", message: "Parse Error", operation: operation)
        }
        guard let id = body["id"] as? String, !id.isEmpty, id.count <= 64 else {
            return GoogleErrors.envelope(400, reason: "required", message: "Required: id", location: "id", locationType: "parameter", operation: operation)
        }
        guard body["type"] as? String == "web_hook" || body["type"] as? String == "webhook" else {
            return GoogleErrors.invalid("type", message: "Invalid value for: type", operation: operation)
        }
        guard let address = body["address"] as? String, Webhooks.acceptsAddress(address) else {
            return GoogleErrors.envelope(
                400, reason: "push.webhookUrlNotHttps", message: "WebHook callback must be HTTPS: \(body["address"] as? String ?? "")", operation: operation)
        }
        let secret = body["token"] as? String
        if let secret, secret.count > 256 { return GoogleErrors.invalid("token", operation: operation) }
        let now = store.clock.now()
        // An expiration not in the future gets the default hour; none lasts beyond a week.
        let asked = ((body["expiration"] as? String).flatMap(Double.init) ?? (body["expiration"] as? Double)).map { Date(timeIntervalSince1970: $0 / 1000) }
        let expiration = min(asked.flatMap { $0 > now ? $0 : nil } ?? now.addingTimeInterval(3600), now.addingTimeInterval(604_800))
        let channel = Webhooks.DriveChannel(
            id: id, resourceID: "res-" + UUID().uuidString.prefix(18).lowercased(), address: address, token: secret, expiration: expiration,
            driveID: context.query["driveId"])
        guard let opened = await emulator.webhooks.openDriveChannel(channel) else {
            return GoogleErrors.envelope(400, reason: "channelIdNotUnique", message: "Channel id \(id) not unique", operation: operation)
        }
        var reply: [String: Any] = [
            "kind": "api#channel", "id": opened.id, "resourceId": opened.resourceID,
            "resourceUri": "https://www.googleapis.com/drive/v3/changes?alt=json&pageToken=\(token)",
            "expiration": String(Int64(opened.expiration.timeIntervalSince1970 * 1000)),
        ]
        if let secret { reply["token"] = secret }
        return .json(reply, pretty: true, operation: operation)
    }

    /// `channels.stop`: 204, or 404 for a channel that is not open.
    private func stopChannel(_ context: Context) async -> SandboxResponse {
        let operation = "channels.stop"
        guard let body = try? JSONSerialization.jsonObject(with: Data(context.request.body)) as? [String: Any],
            let id = body["id"] as? String, let resourceID = body["resourceId"] as? String
        else {
            return GoogleErrors.envelope(400, reason: "required", message: "Required: id and resourceId", operation: operation)
        }
        guard await emulator.webhooks.stopDriveChannel(id: id, resourceID: resourceID) else {
            return GoogleErrors.envelope(404, reason: "notFound", message: "Channel '\(id)' not found for project", operation: operation)
        }
        return SandboxResponse(status: .noContent, operation: operation)
    }

    private func listChanges(_ context: Context) async -> SandboxResponse {
        let operation = "changes.list"
        guard let tokenText = context.query["pageToken"] else {
            return GoogleErrors.envelope(
                400, reason: "required", message: "Required parameter: pageToken", location: "pageToken", locationType: "parameter", operation: operation)
        }
        guard let token = Int(tokenText), token >= 1, !(await store.takeFeedReset(.googleDrive)) else {
            return GoogleErrors.invalid("pageToken", operation: operation)
        }
        let pageSize = min(max(Int(context.query["pageSize"] ?? "100") ?? 100, 1), 1000)
        let includeRemoved = context.query["includeRemoved"]?.lowercased() != "false"
        let allDrives = context.flag("includeItemsFromAllDrives") && context.flag("supportsAllDrives")
        let driveFilter = context.query["driveId"]
        let pending = await store.changes(after: token - 1, platform: .googleDrive)
        var changes: [[String: Any]] = []
        var lastSequence = token - 1
        var consumed = 0
        for change in pending {
            if changes.count == pageSize { break }
            consumed += 1
            lastSequence = change.sequence
            let current = await store.item(change.itemID, platform: .googleDrive)
            let container = current?.containerID ?? change.snapshot?.containerID
            if let container {
                guard allDrives || driveFilter == container else { continue }
            } else if driveFilter != nil {
                continue
            }
            var entry: [String: Any] = ["kind": "drive#change", "changeType": "file", "time": WireDate.millis(change.time), "fileId": change.itemID]
            if let container { entry["driveId"] = container }
            if let current, change.kind == .upsert {
                entry["removed"] = false
                entry["file"] = await fileResource(current, context: context)
            } else {
                guard includeRemoved else { continue }
                entry["removed"] = true
            }
            changes.append(entry)
        }
        var body: [String: Any] = ["kind": "drive#changeList", "changes": changes]
        if consumed < pending.count {
            body["nextPageToken"] = String(lastSequence + 1)
        } else {
            body["newStartPageToken"] = String(await store.currentSequence + 1)
        }
        if let fields = context.query["fields"] {
            guard let mask = FieldMask.parse(fields) else { return invalidFields(operation) }
            body = mask.apply(body)
        }
        return .json(body, pretty: context.query["prettyPrint"] != "false", operation: operation)
    }
}
