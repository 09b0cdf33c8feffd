import CirrusCore
import Crypto
import Foundation
import Hummingbird

/// Microsoft Graph v1.0: `/me`, drives and driveItems (children, paths, content, delta),
/// SharePoint sites and Teams (providers/microsoft-graph.md §2–6).
struct GraphAPI {
    let emulator: MicrosoftEmulator
    var store: SandboxStore { emulator.store }
    static let odataType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

    // MARK: Errors

    static func error(
        _ status: Int, _ code: String, _ message: String, request: SandboxRequest, operation: String, inner: [String: String] = [:]
    ) -> SandboxResponse {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        let requestID = UUID().uuidString.lowercased()
        var innerError: [String: Any] = [
            "date": formatter.string(from: Date()), "request-id": requestID, "client-request-id": request.headers[.init("client-request-id")!] ?? requestID,
        ]
        for (key, value) in inner { innerError[key] = value }
        return .json(
            ["error": ["code": code, "message": message, "innerError": innerError]], status: HTTPResponse.Status(code: status),
            contentType: odataType, headers: headers(request, requestID: requestID), operation: operation)
    }

    static func headers(_ request: SandboxRequest, requestID: String = UUID().uuidString.lowercased()) -> HTTPFields {
        [
            .init("request-id")!: requestID, .init("client-request-id")!: request.headers[.init("client-request-id")!] ?? requestID,
            .init("OData-Version")!: "4.0",
        ]
    }

    func ok(_ object: [String: Any], _ request: SandboxRequest, operation: String) -> SandboxResponse {
        .json(object, contentType: Self.odataType, headers: Self.headers(request), operation: operation)
    }

    // MARK: Dispatch

    func handle(_ request: SandboxRequest) async -> SandboxResponse {
        guard request.path.hasPrefix("/v1.0/") || request.path == "/v1.0" else {
            return Self.error(400, "BadRequest", "Invalid version.", request: request, operation: "unknown")
        }
        let raw = String(request.rawPath.dropFirst("/v1.0".count))
        guard let token = request.bearerToken else {
            return unauthorized(request, message: "Access token is empty.")
        }
        guard let grant = await emulator.authority.validate(token, platform: .microsoft) else {
            return unauthorized(request, message: "Access token has expired or is not yet valid.")
        }
        let scopes = Set(grant.scopes.map { $0.replacingOccurrences(of: "https://graph.microsoft.com/", with: "") })
        let context = Context(request: request, grant: grant, scopes: scopes)
        let segments = raw.split(separator: "/", omittingEmptySubsequences: true).map(String.init)

        // Users, Teams and sites.
        if segments == ["me"] { return me(context) }
        if segments == ["me", "joinedTeams"] { return teams(context) }
        if segments.count == 3, segments[0] == "teams", segments[2] == "channels" { return channels(segments[1], context) }
        if segments.count == 5, segments[0] == "teams", segments[2] == "channels", segments[4] == "filesFolder" {
            return await filesFolder(team: segments[1], channel: segments[3].removingPercentEncoding ?? segments[3], context)
        }
        if segments.first == "subscriptions", segments.count <= 2 {
            return await GraphSubscriptions(api: self, webhooks: emulator.webhooks).handle(segments, context)
        }
        if segments == ["sites"] { return sites(context) }
        if segments == ["me", "drives"] { return drives([GraphDirectory.oneDrive], context) }
        if segments.first == "sites", segments.count >= 2, !(segments.count >= 3 && ["drive", "drives"].contains(segments[2])) {
            return site(raw, context)
        }
        if segments.count == 3, segments[0] == "sites", segments[2] == "drives" {
            guard requireScope(context, ["Sites.Read.All", "Files.Read.All", "Sites.ReadWrite.All"]) else { return accessDenied(context) }
            guard let site = GraphDirectory.site(segments[1].removingPercentEncoding ?? segments[1]) else { return notFound(context, "sites.drives") }
            return drives(site.driveIDs.compactMap(GraphDirectory.drive), context)
        }
        if segments.count == 3, segments[0] == "groups", segments[2] == "drives" {
            return drives(GraphDirectory.drives.filter { $0.groupID == segments[1] }, context)
        }
        // Drive item addressing: resolve the drive, then the rest of the path.
        guard let (drive, rest) = resolveDrive(raw) else {
            return Self.error(400, "invalidRequest", "Invalid request", request: request, operation: "unknown")
        }
        guard drive.id == GraphDirectory.oneDrive.id || requireScope(context, ["Files.Read.All", "Sites.Read.All", "Files.ReadWrite.All"]) else {
            return accessDenied(context)
        }
        guard requireScope(context, ["Files.Read", "Files.Read.All", "Files.ReadWrite", "Files.ReadWrite.All", "Sites.Read.All"]) else {
            return accessDenied(context)
        }
        return await driveRequest(drive, rest, context)
    }

    struct Context {
        let request: SandboxRequest
        let grant: AccessGrant
        let scopes: Set<String>
        var query: [String: String] { request.query }
        /// An OData option, with or without its `$`.
        func option(_ name: String) -> String? { query["$" + name] ?? query[name] }
    }

    private func requireScope(_ context: Context, _ any: Set<String>) -> Bool { !context.scopes.isDisjoint(with: any) }

    private func unauthorized(_ request: SandboxRequest, message: String) -> SandboxResponse {
        var response = Self.error(401, "InvalidAuthenticationToken", message, request: request, operation: "unauthorized")
        response.headers[.wwwAuthenticate] =
            "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\""
        return response
    }

    private func accessDenied(_ context: Context) -> SandboxResponse {
        Self.error(403, "accessDenied", "Access denied", request: context.request, operation: "accessDenied")
    }

    private func notFound(_ context: Context, _ operation: String) -> SandboxResponse {
        Self.error(404, "itemNotFound", "The resource could not be found.", request: context.request, operation: operation)
    }

    // MARK: /me, Teams, sites

    private func me(_ context: Context) -> SandboxResponse {
        let account = emulator.accounts.first { $0.id == context.grant.accountID } ?? emulator.accounts[0]
        var body: [String: Any] = [
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity", "id": account.id, "businessPhones": [String](),
            "displayName": account.displayName, "givenName": account.givenName, "surname": account.familyName, "jobTitle": "Head of Support",
            "mail": account.email.replacingOccurrences(of: ".onmicrosoft.com", with: ".com"), "mobilePhone": NSNull(), "officeLocation": "Dublin",
            "preferredLanguage": "en-GB", "userPrincipalName": account.email,
        ]
        if let select = context.option("select") {
            let keys = Set(select.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) })
            body = body.filter { keys.contains($0.key) || $0.key == "@odata.context" }
        }
        return ok(body, context.request, operation: "me")
    }

    private func teams(_ context: Context) -> SandboxResponse {
        guard requireScope(context, ["Team.ReadBasic.All", "TeamSettings.Read.All", "Group.Read.All"]) else { return accessDenied(context) }
        return ok(
            [
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#teams",
                "value": GraphDirectory.teams.map { ["id": $0.id, "displayName": $0.displayName, "description": $0.description] },
            ], context.request, operation: "joinedTeams")
    }

    private func channels(_ teamID: String, _ context: Context) -> SandboxResponse {
        guard requireScope(context, ["Channel.ReadBasic.All", "ChannelSettings.Read.All"]) else { return accessDenied(context) }
        guard let team = GraphDirectory.teams.first(where: { $0.id == teamID }) else { return notFound(context, "channels") }
        return ok(
            [
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#teams('\(teamID)')/channels",
                "value": team.channels.map { ["id": $0.id, "displayName": $0.displayName, "membershipType": "standard", "description": NSNull()] },
            ], context.request, operation: "channels")
    }

    private func filesFolder(team teamID: String, channel channelID: String, _ context: Context) async -> SandboxResponse {
        guard let team = GraphDirectory.teams.first(where: { $0.id == teamID }),
            let channel = team.channels.first(where: { $0.id == channelID }), let drive = GraphDirectory.drive(team.driveID),
            let folder = await store.item(channel.folderID, platform: .microsoft)
        else { return Self.error(404, "ItemNotFound", "Sharepoint folder not found.", request: context.request, operation: "filesFolder") }
        return ok(await driveItem(folder, drive: drive, context: context, includePath: true), context.request, operation: "filesFolder")
    }

    private func siteResource(_ site: GraphDirectory.Site) -> [String: Any] {
        [
            "id": site.id, "name": site.name, "displayName": site.displayName, "description": site.description, "webUrl": site.webURL,
            "createdDateTime": "2023-04-12T09:30:00Z", "lastModifiedDateTime": "2025-06-30T16:05:11Z",
            "siteCollection": ["hostname": GraphDirectory.hostname],
        ]
    }

    private func sites(_ context: Context) -> SandboxResponse {
        guard requireScope(context, ["Sites.Read.All", "Sites.ReadWrite.All"]) else { return accessDenied(context) }
        guard let search = context.query["search"] else {
            return Self.error(400, "invalidRequest", "Either search or filter must be specified.", request: context.request, operation: "sites.search")
        }
        let term = search.trimmingCharacters(in: CharacterSet(charactersIn: "\"'* ")).lowercased()
        let matches = GraphDirectory.sites.filter {
            term.isEmpty || $0.displayName.lowercased().contains(term) || $0.name.lowercased().contains(term) || $0.description.lowercased().contains(term)
        }
        // One site per page, so clients must follow @odata.nextLink to see them all.
        let offset = Int(context.option("skiptoken").flatMap { Data(base64Encoded: $0) }.flatMap { String(data: $0, encoding: .utf8) } ?? "0") ?? 0
        let pageSize = min(Int(context.option("top") ?? "") ?? 1, 1)
        let page = Array(matches.dropFirst(offset).prefix(pageSize))
        var body: [String: Any] = ["@odata.context": "https://graph.microsoft.com/v1.0/$metadata#sites", "value": page.map(siteResource)]
        if offset + page.count < matches.count {
            body["@odata.nextLink"] =
                context.request.base(.microsoftGraph)
                + "/v1.0/sites?search=\(search.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&$skiptoken=\(Data(String(offset + page.count).utf8).base64EncodedString())"
        }
        return ok(body, context.request, operation: "sites.search")
    }

    private func site(_ raw: String, _ context: Context) -> SandboxResponse {
        guard requireScope(context, ["Sites.Read.All", "Sites.ReadWrite.All"]) else { return accessDenied(context) }
        let reference = String(raw.dropFirst("/sites/".count)).removingPercentEncoding ?? ""
        let site: GraphDirectory.Site?
        if reference == "root" || reference == GraphDirectory.hostname {
            return ok(
                [
                    "id": "\(GraphDirectory.hostname),0a0a0a0a-0000-4000-8000-000000000000,0b0b0b0b-0000-4000-8000-000000000000", "name": "",
                    "displayName": "Communication site", "webUrl": "https://\(GraphDirectory.hostname)", "root": [String: Any](),
                    "siteCollection": ["hostname": GraphDirectory.hostname],
                ], context.request, operation: "sites.get")
        } else if reference.hasPrefix(GraphDirectory.hostname + ":") {
            let path = String(reference.dropFirst(GraphDirectory.hostname.count + 1)).trimmingCharacters(in: CharacterSet(charactersIn: ":"))
            site = GraphDirectory.sites.first { $0.serverRelativePath.lowercased() == path.lowercased() }
        } else {
            site = GraphDirectory.site(reference)
        }
        guard let site else { return notFound(context, "sites.get") }
        return ok(siteResource(site), context.request, operation: "sites.get")
    }

    private func drives(_ list: [GraphDirectory.Drive], _ context: Context) -> SandboxResponse {
        ok(
            ["@odata.context": "https://graph.microsoft.com/v1.0/$metadata#drives", "value": list.map(driveResource)], context.request, operation: "drives.list"
        )
    }

    func driveResource(_ drive: GraphDirectory.Drive) -> [String: Any] {
        let account = emulator.accounts[0]
        let owner: [String: Any]
        if drive.groupID == nil && drive.siteID == nil {
            owner = ["user": ["id": account.id, "displayName": account.displayName, "email": account.email]]
        } else {
            owner = ["group": ["id": drive.groupID ?? drive.siteID ?? "", "displayName": drive.name]]
        }
        let total: Int64 = 1_099_511_627_776
        let used: Int64 = 734_003_200
        let quota: [String: Any] = ["deleted": 0, "remaining": total - used, "state": "normal", "total": total, "used": used]
        return [
            "id": drive.id, "driveType": drive.driveType, "name": drive.name, "webUrl": drive.webURL,
            "createdDateTime": "2023-04-12T09:30:00Z", "owner": owner, "quota": quota,
        ]
    }

    // MARK: Drive addressing

    /// Splits `/me/drive/…`, `/drives/{id}/…`, `/sites/{id}/drive/…`, `/groups/{id}/drive/…`, `/users/{id}/drive/…`.
    private func resolveDrive(_ raw: String) -> (GraphDirectory.Drive, String)? {
        let segments = raw.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: true).map(String.init)
        func rest(after count: Int) -> String {
            let parts = raw.split(separator: "/", maxSplits: count, omittingEmptySubsequences: true)
            return parts.count > count ? "/" + parts[count] : ""
        }
        guard let first = segments.first else { return nil }
        switch first {
        case "me" where segments.count >= 2 && segments[1] == "drive":
            return (GraphDirectory.oneDrive, rest(after: 2))
        case "drives" where segments.count >= 2:
            return GraphDirectory.drive(segments[1].removingPercentEncoding ?? segments[1]).map { ($0, rest(after: 2)) }
        case "users" where segments.count >= 3 && segments[2] == "drive":
            return (GraphDirectory.oneDrive, rest(after: 3))
        case "sites" where segments.count >= 3 && segments[2] == "drive":
            let id = segments[1].removingPercentEncoding ?? segments[1]
            guard let site = GraphDirectory.site(id), let driveID = site.driveIDs.first, let drive = GraphDirectory.drive(driveID) else { return nil }
            return (drive, rest(after: 3))
        case "groups" where segments.count >= 3 && segments[2] == "drive":
            guard let drive = GraphDirectory.drives.first(where: { $0.groupID == segments[1] }) else { return nil }
            return (drive, rest(after: 3))
        default:
            return nil
        }
    }

    private func driveRequest(_ drive: GraphDirectory.Drive, _ rest: String, _ context: Context) async -> SandboxResponse {
        if rest.isEmpty {
            return ok(
                driveResource(drive).merging(["@odata.context": "https://graph.microsoft.com/v1.0/$metadata#drives/$entity"]) { a, _ in a }, context.request,
                operation: "drive.get")
        }
        if rest == "/items" {
            return Self.error(400, "invalidRequest", "The request is malformed or incorrect.", request: context.request, operation: "items.list")
        }
        // root, root:/path:, items/{id}, followed by /children, /content or /delta.
        var itemID: String?
        var action = ""
        if rest.hasPrefix("/root:") {
            let afterRoot = String(rest.dropFirst("/root:".count))
            let pathPart: String
            if let colon = afterRoot.lastIndex(of: ":"),
                afterRoot[afterRoot.index(after: colon)...].hasPrefix("/") || afterRoot[afterRoot.index(after: colon)...].isEmpty
            {
                pathPart = String(afterRoot[..<colon])
                action = String(afterRoot[afterRoot.index(after: colon)...])
            } else {
                pathPart = afterRoot
            }
            let names = pathPart.split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
            guard let found = await resolvePath(names, in: drive) else { return notFound(context, "items.byPath") }
            itemID = found.id
        } else if rest == "/root" || rest.hasPrefix("/root/") {
            itemID = drive.rootID
            action = String(rest.dropFirst("/root".count))
        } else if rest.hasPrefix("/items/") {
            let parts = rest.dropFirst("/items/".count).split(separator: "/", maxSplits: 1)
            itemID = parts.first.map { $0.removingPercentEncoding ?? String($0) }
            action = parts.count > 1 ? "/" + parts[1] : ""
        }
        // An item in the recycle bin (or under a folder that is) is gone for every route but delta.
        guard let itemID, let item = await store.item(itemID, platform: .microsoft), item.containerID == drive.id,
            !(await store.isEffectivelyTrashed(item.id, platform: .microsoft))
        else {
            return notFound(context, "items.get")
        }
        switch action {
        case "": return await getItem(item, drive: drive, context)
        case "/children": return await children(item, drive: drive, context)
        case "/content": return await content(item, drive: drive, context)
        case "/delta", "/delta()": return await delta(drive, context)
        default:
            if action.hasPrefix("/delta(token=") {
                return await delta(
                    drive, context,
                    functionToken: String(action.dropFirst("/delta(token=".count).dropLast()).trimmingCharacters(in: CharacterSet(charactersIn: "'")))
            }
            if action.hasPrefix("/search(q=") {
                let term = String(action.dropFirst("/search(q=".count).dropLast()).removingPercentEncoding ?? ""
                return await search(
                    term.trimmingCharacters(in: CharacterSet(charactersIn: "'")).replacingOccurrences(of: "''", with: "'"), under: item, drive: drive, context)
            }
            return Self.error(400, "invalidRequest", "Invalid request", request: context.request, operation: "items.unknown")
        }
    }

    private func resolvePath(_ names: [String], in drive: GraphDirectory.Drive) async -> SandboxItem? {
        var current = await store.item(drive.rootID, platform: .microsoft)
        for name in names {
            guard let parent = current else { return nil }
            current = await store.children(of: parent.id, platform: .microsoft).first { $0.name.lowercased() == name.lowercased() }
        }
        return current
    }

    // MARK: Items

    func driveItem(
        _ item: SandboxItem, drive: GraphDirectory.Drive, context: Context, includePath: Bool, parentPath: [String]? = nil
    ) async -> [String: Any] {
        let account = emulator.accounts[0]
        let path: [String]
        if let parentPath { path = parentPath + [item.name] } else { path = await pathComponents(item, drive: drive) }
        let person: [String: Any] = ["user": ["id": account.id, "displayName": account.displayName, "email": account.email]]
        let guid = Self.guid(for: item.id)
        var body: [String: Any] = [
            "id": item.id, "name": item.name, "createdDateTime": WireDate.seconds(item.createdAt),
            "lastModifiedDateTime": WireDate.millis(item.modifiedAt), "eTag": "\"{\(guid)},\(item.version)\"",
            "webUrl": drive.webURL + "/" + path.map { $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? $0 }.joined(separator: "/"),
            "createdBy": person, "lastModifiedBy": person,
            "fileSystemInfo": ["createdDateTime": WireDate.seconds(item.createdAt), "lastModifiedDateTime": WireDate.seconds(item.modifiedAt)],
        ]
        if item.id == drive.rootID {
            body["root"] = [String: Any]()
            body["name"] = "root"
            body["parentReference"] = ["driveId": drive.id, "driveType": drive.driveType]
        } else if let parentID = item.parentID {
            var parent: [String: Any] = ["driveId": drive.id, "driveType": drive.driveType, "id": parentID]
            if let site = drive.siteID { parent["siteId"] = site }
            parent["name"] = path.count >= 2 ? path[path.count - 2] : "root"
            if includePath {
                let ancestors = path.dropLast()
                parent["path"] = "/drives/\(drive.id)/root:" + (ancestors.isEmpty ? "" : "/" + ancestors.joined(separator: "/"))
            }
            body["parentReference"] = parent
        }
        if item.attributes["package"] == "oneNote" {
            body["package"] = ["type": "oneNote"]
            body["size"] = 0
        } else if item.isFolder {
            body["folder"] = ["childCount": await store.children(of: item.id, platform: .microsoft).count]
            body["size"] = await folderSize(item)
        } else {
            var hashes: [String: Any] = [:]
            if case .bytes(let bytes) = item.content { hashes["quickXorHash"] = QuickXorHash.hash(bytes) }
            body["file"] = ["mimeType": item.mimeType, "hashes": hashes]
            body["size"] = item.size
            body["cTag"] = "\"c:{\(guid)},\(item.version)\""
            body["@microsoft.graph.downloadUrl"] = downloadURL(item, origin: context.request.origin)
        }
        return body
    }

    static func guid(for id: String) -> String {
        let digits = Array("0123456789ABCDEF")
        var c: [Character] = []
        for byte in SHA256.hash(data: Data(id.utf8)).prefix(16) {
            c.append(digits[Int(byte >> 4)])
            c.append(digits[Int(byte & 0xF)])
        }
        return "\(String(c[0..<8]))-\(String(c[8..<12]))-\(String(c[12..<16]))-\(String(c[16..<20]))-\(String(c[20..<32]))"
    }

    private func pathComponents(_ item: SandboxItem, drive: GraphDirectory.Drive) async -> [String] {
        guard item.id != drive.rootID else { return [] }
        let ancestors = await store.ancestors(of: item.id, platform: .microsoft).filter { $0.id != drive.rootID }
        return ancestors.map(\.name) + [item.name]
    }

    private func folderSize(_ folder: SandboxItem) async -> Int64 {
        var total: Int64 = 0
        for child in await store.children(of: folder.id, platform: .microsoft) {
            total += child.isFolder ? await folderSize(child) : child.size
        }
        return total
    }

    /// Keeps `$select`ed properties (ids always stay, as Graph's do).
    private func select(_ body: [String: Any], _ context: Context) -> [String: Any] {
        guard let select = context.option("select") else { return body }
        let keys = Set(select.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }).union(["id"])
        return body.filter { keys.contains($0.key) || $0.key.hasPrefix("@odata") }
    }

    private func getItem(_ item: SandboxItem, drive: GraphDirectory.Drive, _ context: Context) async -> SandboxResponse {
        let body = await driveItem(item, drive: drive, context: context, includePath: true)
        if let match = context.request.headers[.ifNoneMatch], match == body["eTag"] as? String || match == body["cTag"] as? String {
            return SandboxResponse(status: .notModified, headers: Self.headers(context.request), operation: "items.get")
        }
        var selected = select(body, context)
        selected["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#drives('\(drive.id)')/items/$entity"
        return ok(selected, context.request, operation: "items.get")
    }

    /// `search(q='…')`: items under a folder whose name contains the words (Graph also matches
    /// content and metadata; names are what the corpus needs).
    private func search(_ term: String, under folder: SandboxItem, drive: GraphDirectory.Drive, _ context: Context) async -> SandboxResponse {
        let needle = term.lowercased()
        var matches: [SandboxItem] = []
        var pending = [folder.id]
        while let next = pending.popLast(), matches.count < 200 {
            for child in await store.children(of: next, platform: .microsoft) where !child.trashed {
                if child.isFolder { pending.append(child.id) }
                if needle.isEmpty || child.name.lowercased().contains(needle) { matches.append(child) }
            }
        }
        let top = min(max(Int(context.option("top") ?? "") ?? 200, 1), 999)
        var values: [[String: Any]] = []
        for item in matches.prefix(top) { values.append(select(await driveItem(item, drive: drive, context: context, includePath: true), context)) }
        return ok(
            ["@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(driveItem)", "value": values], context.request, operation: "items.search")
    }

    private func children(_ folder: SandboxItem, drive: GraphDirectory.Drive, _ context: Context) async -> SandboxResponse {
        guard folder.isFolder else { return notFound(context, "items.children") }
        let all = await store.children(of: folder.id, platform: .microsoft).filter { !$0.trashed }
        let top = min(max(Int(context.option("top") ?? "") ?? 200, 1), 999)
        var offset = 0
        if let skip = context.option("skiptoken") {
            guard let decoded = Data(base64Encoded: skip.removingPercentEncoding ?? skip).flatMap({ String(data: $0, encoding: .utf8) }),
                decoded.hasPrefix("Paged=TRUE&p_ID="), let value = Int(decoded.dropFirst("Paged=TRUE&p_ID=".count))
            else { return Self.error(400, "invalidRequest", "Invalid skip token.", request: context.request, operation: "items.children") }
            offset = value
        }
        var ordered = all
        if let orderBy = context.option("orderby"), orderBy.hasPrefix("name") {
            ordered.sort { $0.name.localizedStandardCompare($1.name) == .orderedAscending }
            if orderBy.hasSuffix("desc") { ordered.reverse() }
        }
        let page = ordered.dropFirst(offset).prefix(top)
        let folderPath = await pathComponents(folder, drive: drive)
        var values: [[String: Any]] = []
        for item in page {
            values.append(select(await driveItem(item, drive: drive, context: context, includePath: true, parentPath: folderPath), context))
        }
        var body: [String: Any] = [
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#drives('\(drive.id)')/items('\(folder.id)')/children", "value": values,
        ]
        if offset + page.count < ordered.count {
            var items = context.request.queryItems.filter { $0.0 != "$skiptoken" && $0.0 != "skiptoken" }
            items.append(("$skiptoken", Data("Paged=TRUE&p_ID=\(offset + page.count)".utf8).base64EncodedString()))
            body["@odata.nextLink"] = context.request.base(.microsoftGraph) + "/v1.0/drives/\(drive.id)/items/\(folder.id)/children".appendingQuery(items)
        }
        return ok(body, context.request, operation: "items.children")
    }

    // MARK: Content

    private func downloadURL(_ item: SandboxItem, origin: String) -> String {
        let expires = Int(store.clock.now().timeIntervalSince1970) + 3600
        let payload = "\(item.id)|\(item.version)|\(expires)"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(payload.utf8), using: SymmetricKey(data: Data(emulator.downloadKey.utf8)))
        let token = Data(payload.utf8).base64EncodedString() + "." + Data(mac).base64EncodedString()
        let encoded = token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? token
        return "\(origin)/\(ProviderHost.sharePoint.rawValue)/_layouts/15/download.aspx?UniqueId=\(Self.guid(for: item.id))&tempauth=\(encoded)&ApiVersion=2.0"
    }

    private func content(_ item: SandboxItem, drive: GraphDirectory.Drive, _ context: Context) async -> SandboxResponse {
        if item.isFolder || item.attributes["package"] != nil {
            return Self.error(404, "itemNotFound", "The item does not have content.", request: context.request, operation: "items.content")
        }
        if context.option("format") == "pdf" {
            guard ["docx", "doc", "pptx", "xlsx", "odt", "rtf", "csv"].contains((item.name as NSString).pathExtension.lowercased()) else {
                return Self.error(
                    406, "notSupported", "Conversion to pdf is not supported for this item.", request: context.request, operation: "items.content")
            }
        }
        if let match = context.request.headers[.ifNoneMatch], match == "\"c:{\(Self.guid(for: item.id))},\(item.version)\"" {
            return SandboxResponse(status: .notModified, headers: Self.headers(context.request), operation: "items.content")
        }
        var response = SandboxResponse.redirect(downloadURL(item, origin: context.request.origin), operation: "items.content")
        response.headers[.init("request-id")!] = UUID().uuidString.lowercased()
        return response
    }

    /// The pre-authenticated URL: no Authorization header wanted (sending one fails, as on SharePoint).
    func preauthenticatedDownload(_ request: SandboxRequest) async -> SandboxResponse {
        let operation = "download"
        func deny(_ status: HTTPResponse.Status, _ message: String) -> SandboxResponse {
            .json(["error": ["code": "unauthenticated", "message": message]], status: status, operation: operation)
        }
        guard request.path == "/_layouts/15/download.aspx" else { return deny(.notFound, "Not found") }
        if request.headers[.authorization] != nil { return deny(.unauthorized, "Unsupported authorization header for a pre-authenticated URL.") }
        guard let token = request.query["tempauth"], let dot = token.lastIndex(of: "."),
            let payloadData = Data(base64Encoded: String(token[..<dot])), let payload = String(data: payloadData, encoding: .utf8),
            let macData = Data(base64Encoded: String(token[token.index(after: dot)...]))
        else { return deny(.unauthorized, "Invalid token.") }
        guard HMAC<SHA256>.isValidAuthenticationCode(macData, authenticating: payloadData, using: SymmetricKey(data: Data(emulator.downloadKey.utf8))) else {
            return deny(.unauthorized, "Invalid token.")
        }
        let parts = payload.split(separator: "|").map(String.init)
        guard parts.count == 3, let expires = Int(parts[2]), expires > Int(store.clock.now().timeIntervalSince1970) else {
            return deny(.unauthorized, "Token expired.")
        }
        guard let item = await store.item(parts[0], platform: .microsoft) else { return deny(.notFound, "File not found.") }
        return ContentResponder.response(item.content, mimeType: item.mimeType, range: request.headers[.range], operation: operation)
    }

    // MARK: Delta

    private func encodeDelta(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(
            of: "=", with: "")
    }

    private func decodeDelta(_ token: String) -> String? {
        var base = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base.count % 4 != 0 { base += "=" }
        return Data(base64Encoded: base).flatMap { String(data: $0, encoding: .utf8) }
    }

    private func delta(_ drive: GraphDirectory.Drive, _ context: Context, functionToken: String? = nil) async -> SandboxResponse {
        let operation = "delta"
        let token = functionToken ?? context.query["token"]
        let base = context.request.base(.microsoftGraph) + "/v1.0/drives/\(drive.id)/root/delta"
        let top = min(max(Int(context.option("top") ?? "") ?? 200, 1), 999)
        let current = await store.currentSequence
        func link(_ state: String) -> String {
            var items = context.request.queryItems.filter { !["token", "$skiptoken", "$top", "top"].contains($0.0) }
            if let top = context.option("top") { items.append(("$top", top)) }
            items.append(("token", encodeDelta(state)))
            return base.appendingQuery(items)
        }
        var offset = 0
        var since = 0
        var full = false
        switch token {
        case nil:
            full = true
        case "latest":
            return ok(
                [
                    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(driveItem)", "value": [Any](),
                    "@odata.deltaLink": link("d|\(drive.id)|\(current)"),
                ], context.request, operation: operation)
        case let token?:
            if let date = WireDate.parse(token.removingPercentEncoding ?? token) {
                since = await sequence(atOrAfter: date)
            } else if await store.takeFeedReset(.microsoft) {
                return resync(drive, context)
            } else if let decoded = decodeDelta(token) {
                let parts = decoded.split(separator: "|").map(String.init)
                guard parts.count >= 3, parts[1] == drive.id, let sequence = Int(parts[2]), sequence <= current else {
                    return resync(drive, context)
                }
                if parts[0] == "f", parts.count == 4, let page = Int(parts[3]) {
                    full = true
                    since = sequence
                    offset = page
                } else if parts[0] == "c", parts.count == 4, let page = Int(parts[3]) {
                    since = sequence
                    offset = page
                } else if parts[0] == "d" {
                    since = sequence
                } else {
                    return resync(drive, context)
                }
            } else {
                return resync(drive, context)
            }
        }
        var ordered: [(item: SandboxItem?, change: SandboxChange?)] = []
        if full {
            // Whole drive, parents before children.
            var queue = [drive.rootID]
            while !queue.isEmpty {
                let id = queue.removeFirst()
                guard let item = await store.item(id, platform: .microsoft) else { continue }
                ordered.append((item, nil))
                for child in await store.children(of: id, platform: .microsoft) where !child.trashed { queue.append(child.id) }
            }
            if since == 0 { since = current }
        } else {
            // Latest state per changed item, with its parent folder; deletions as `deleted` facets,
            // and items the account lost access to only when the client asks for them so.
            let showsLostAccess = context.request.headers[values: .init("Prefer")!].contains { preference in
                preference.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "deltashowremovedasdeleted" }
            }
            var seen = Set<String>()
            for change in await store.changes(after: since, platform: .microsoft).reversed() where !seen.contains(change.itemID) {
                seen.insert(change.itemID)
                let item = await store.item(change.itemID, platform: .microsoft)
                guard (item?.containerID ?? change.snapshot?.containerID) == drive.id else { continue }
                // Moved to the recycle bin: delta reports it deleted.
                if let item, change.kind == .upsert, await store.isEffectivelyTrashed(item.id, platform: .microsoft) {
                    ordered.append((nil, SandboxChange(sequence: change.sequence, itemID: item.id, kind: .delete, time: change.time, snapshot: item)))
                } else if let item, change.kind == .upsert {
                    if let parentID = item.parentID, !seen.contains(parentID), let parent = await store.item(parentID, platform: .microsoft) {
                        seen.insert(parentID)
                        ordered.append((parent, nil))
                    }
                    ordered.append((item, nil))
                } else if !change.accessLost || showsLostAccess {
                    ordered.append((nil, change))
                }
            }
            ordered.reverse()
        }
        let page = ordered.dropFirst(offset).prefix(top)
        var values: [[String: Any]] = []
        for entry in page {
            if let item = entry.item {
                values.append(select(await driveItem(item, drive: drive, context: context, includePath: false), context))
            } else if let change = entry.change {
                var removed: [String: Any] = [
                    "id": change.itemID, "deleted": ["state": "deleted"], "parentReference": ["driveId": drive.id, "driveType": drive.driveType],
                ]
                if let snapshot = change.snapshot {
                    if snapshot.isFolder { removed["folder"] = ["childCount": 0] } else { removed["file"] = [String: Any]() }
                }
                values.append(removed)
            }
        }
        var body: [String: Any] = ["@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(driveItem)", "value": values]
        if offset + page.count < ordered.count {
            body["@odata.nextLink"] = link("\(full ? "f" : "c")|\(drive.id)|\(since)|\(offset + page.count)")
        } else {
            body["@odata.deltaLink"] = link("d|\(drive.id)|\(full ? since : current)")
        }
        return ok(body, context.request, operation: operation)
    }

    private func sequence(atOrAfter date: Date) async -> Int {
        let changes = await store.changes(after: 0, platform: .microsoft)
        return (changes.last { $0.time < date })?.sequence ?? 0
    }

    private func resync(_ drive: GraphDirectory.Drive, _ context: Context) -> SandboxResponse {
        var response = Self.error(
            410, "resyncRequired",
            "Resync required. Replace any local items with the server's version (including deletes) if you're sure that the service was up to date with your local changes when you last sync'd. Upload any local changes that the server doesn't know about.",
            request: context.request, operation: "delta.resync")
        response.headers[.location] = context.request.base(.microsoftGraph) + "/v1.0/drives/\(drive.id)/root/delta"
        return response
    }
}
