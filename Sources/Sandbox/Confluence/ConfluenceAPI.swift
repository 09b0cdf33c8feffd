import CirrusCore
import Crypto
import Foundation
import Hummingbird

/// Confluence Cloud REST behind the gateway: v2 spaces/pages/children/attachments, v1 CQL
/// search, attachment download by redirect to the media host (providers/confluence.md §5–11).
struct ConfluenceAPI {
    let emulator: ConfluenceEmulator
    var store: SandboxStore { emulator.store }

    struct Context {
        let request: SandboxRequest
        let grant: AccessGrant
        let site: ConfluenceDirectory.Site
        /// `/ex/confluence/{cloudId}` or with `/wiki`, as the client called it.
        let prefix: String
        var query: [String: String] { request.query }
    }

    // MARK: Dispatch

    func handle(_ request: SandboxRequest) async -> SandboxResponse {
        let parts = request.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)  // ex, confluence, cloudId, …
        guard parts.count >= 3 else { return Self.v2Error(404, "NOT_FOUND", "Not Found", operation: "unknown") }
        let cloudID = parts[2]
        var rest = Array(parts.dropFirst(3))
        if rest.first == "wiki" { rest.removeFirst() }
        guard let site = ConfluenceDirectory.site(cloudID), site.confluence else {
            return .json(["code": 404, "message": "Cloud id not found: \(cloudID)"], status: .notFound, operation: "unknown")
        }
        guard let grant = await emulator.grant(request) else { return ConfluenceEmulator.unauthorized() }
        guard await emulator.grants.sites(account: grant.accountID, client: grant.clientID).contains(cloudID) else {
            return ConfluenceEmulator.unauthorized()
        }
        let context = Context(request: request, grant: grant, site: site, prefix: "/ex/confluence/\(cloudID)/wiki")
        if rest.starts(with: ["api", "v2"]) { return await v2(Array(rest.dropFirst(2)), context) }
        if rest.starts(with: ["rest", "api"]) { return await v1(Array(rest.dropFirst(2)), context) }
        if rest.first == "download" {
            return .json(
                ["message": "Unauthorized"], status: .unauthorized, headers: [.wwwAuthenticate: "OAuth realm=\"\(site.url)\""], operation: "download.servlet")
        }
        return Self.v2Error(404, "NOT_FOUND", "Not Found", operation: "unknown")
    }

    static func v2Error(_ status: Int, _ code: String, _ title: String, operation: String) -> SandboxResponse {
        .json(
            ["errors": [["status": status, "code": code, "title": title, "detail": NSNull()]]], status: HTTPResponse.Status(code: status), operation: operation)
    }

    static func v1Error(_ status: Int, _ message: String, reason: String, operation: String) -> SandboxResponse {
        .json(
            [
                "statusCode": status, "data": ["authorized": false, "valid": true, "errors": [Any](), "successful": false], "message": message,
                "reason": reason,
            ],
            status: HTTPResponse.Status(code: status), operation: operation)
    }

    private func has(_ context: Context, _ scopes: Set<String>) -> Bool { !scopes.isDisjoint(with: context.grant.scopes) }

    private func scopeMismatch() -> SandboxResponse { ConfluenceEmulator.unauthorized("Unauthorized; scope does not match", scopeMismatch: true) }

    // MARK: Site content

    private func siteItems(_ context: Context) async -> [SandboxItem] {
        await store.all(.confluence).filter { $0.attributes["cloudId"] == context.site.cloudID }
    }

    private func ordered(_ items: [SandboxItem]) -> [SandboxItem] {
        items.sorted { (Int($0.id.filter(\.isNumber)) ?? 0) < (Int($1.id.filter(\.isNumber)) ?? 0) }
    }

    private func kind(_ item: SandboxItem) -> String { item.attributes["kind"] ?? "page" }

    private func space(of item: SandboxItem) async -> SandboxItem? {
        guard let id = item.containerID else { return nil }
        return await store.item(id, platform: .confluence)
    }

    func pageResource(_ item: SandboxItem, _ context: Context, withBody: Bool) async -> [String: Any] {
        let account = emulator.accounts[0]
        let parent = item.parentID.flatMap { id in id == item.containerID ? nil : id }
        var parentType: Any = NSNull()
        if let parent, let parentItem = await store.item(parent, platform: .confluence) { parentType = kind(parentItem) }
        let spaceKey = (await space(of: item))?.attributes["key"] ?? ""
        var page: [String: Any] = [
            "id": item.id, "status": item.trashed ? "trashed" : "current", "title": item.name, "spaceId": item.containerID ?? "",
            "parentId": (parent as Any?) ?? NSNull(), "parentType": parentType, "position": (Int(item.id.filter(\.isNumber)) ?? 0) % 1000,
            "authorId": account.id, "ownerId": account.id, "lastOwnerId": NSNull(), "createdAt": WireDate.millis(item.createdAt),
            "version": ["createdAt": WireDate.millis(item.modifiedAt), "message": "", "number": item.version, "minorEdit": false, "authorId": account.id],
            "_links": [
                "webui": "/spaces/\(spaceKey)/pages/\(item.id)/\(item.name.replacingOccurrences(of: " ", with: "+"))",
                "editui": "/pages/resumedraft.action?draftId=\(item.id)", "tinyui": "/x/\(item.id.suffix(4))",
            ],
        ]
        if withBody, case .bytes(let bytes) = item.content {
            page["body"] = ["storage": ["representation": "storage", "value": String(decoding: bytes, as: UTF8.self)]]
        } else {
            page["body"] = [String: Any]()
        }
        return page
    }

    func spaceResource(_ item: SandboxItem, _ context: Context) -> [String: Any] {
        var space: [String: Any] = [
            "id": item.id, "key": item.attributes["key"] ?? "", "name": item.name, "type": "global", "status": "current",
            "authorId": emulator.accounts[0].id, "createdAt": WireDate.millis(item.createdAt),
            "homepageId": (item.attributes["homepageId"] as Any?) ?? NSNull(),
            "_links": ["webui": "/spaces/\(item.attributes["key"] ?? "")"],
        ]
        if context.query["description-format"] == "plain" {
            space["description"] = ["plain": ["value": item.attributes["description"] ?? "", "representation": "plain"]]
        }
        return space
    }

    func attachmentResource(_ item: SandboxItem, _ context: Context) -> [String: Any] {
        let page = item.parentID ?? ""
        let download =
            "/download/attachments/\(page)/\(item.name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? item.name)?version=\(item.version)&modificationDate=\(Int(item.modifiedAt.timeIntervalSince1970 * 1000))&cacheVersion=1&api=v2"
        return [
            "id": item.id, "status": item.trashed ? "trashed" : "current", "title": item.name, "createdAt": WireDate.millis(item.createdAt),
            "pageId": page, "mediaType": item.mimeType, "mediaTypeDescription": item.mimeType == "application/pdf" ? "PDF Document" : item.mimeType,
            "comment": "", "fileId": GraphAPI.guid(for: item.id).lowercased(), "fileSize": item.size,
            "webuiLink": "/pages/viewpageattachments.action?pageId=\(page)&preview=\(item.name)", "downloadLink": download,
            "version": ["number": item.version, "createdAt": WireDate.millis(item.modifiedAt), "message": "", "minorEdit": false],
            "_links": ["webui": "/pages/viewpageattachments.action?pageId=\(page)", "download": download],
        ]
    }

    // MARK: Pagination (providers/confluence.md §7.1)

    private func paginate(_ items: [[String: Any]], _ context: Context, path: String, defaultLimit: Int = 25, operation: String) -> SandboxResponse {
        let limit = min(max(Int(context.query["limit"] ?? "") ?? defaultLimit, 1), 250)
        let filters = context.request.queryItems.filter { $0.0 != "cursor" }
        let signature = PageToken.signature(Dictionary(filters, uniquingKeysWith: { a, _ in a }))
        var offset = 0
        if let cursor = context.query["cursor"] {
            guard let decoded = PageToken.decodePageToken("~!!~" + cursor), decoded.signature == signature else {
                return Self.v2Error(400, "INVALID_REQUEST_PARAMETER", "Invalid cursor", operation: operation)
            }
            offset = decoded.offset
        }
        let page = Array(items.dropFirst(offset).prefix(limit))
        var links: [String: Any] = ["base": context.site.url + "/wiki"]
        var headers: HTTPFields = [:]
        if offset + page.count < items.count {
            let cursor = String(PageToken.encodePageToken(offset: offset + page.count, signature: signature).dropFirst(4))
            var query = filters.filter { $0.0 != "limit" }
            query.insert(("limit", String(limit)), at: 0)
            query.append(("cursor", cursor))
            let next = "/wiki/api/v2/\(path)".appendingQuery(query)
            links["next"] = next
            headers[.init("Link")!] = "<\(next)>; rel=\"next\""
        }
        return .json(["results": page, "_links": links], headers: headers, operation: operation)
    }

    // MARK: v2

    private func v2(_ path: [String], _ context: Context) async -> SandboxResponse {
        let resource = path.first ?? ""
        let operation = "v2." + path.enumerated().map { $0.offset % 2 == 1 ? "{id}" : $0.element }.joined(separator: "/")
        if path.count >= 2, ["pages", "spaces", "attachments", "folders"].contains(resource) {
            let id = path[1]
            guard resource == "attachments" ? id.hasPrefix("att") : id.allSatisfy(\.isNumber) else {
                return Self.v2Error(400, "INVALID_REQUEST_PARAMETER", "Invalid id", operation: operation)
            }
        }
        switch resource {
        case "spaces":
            guard has(context, ["read:space:confluence"]) else { return scopeMismatch() }
            let spaces = ordered(await siteItems(context).filter { kind($0) == "space" })
            if path.count == 1 {
                var filtered = spaces
                if let keys = context.query["keys"] {
                    let wanted = Set(keys.split(separator: ",").map(String.init))
                    filtered = filtered.filter { wanted.contains($0.attributes["key"] ?? "") }
                }
                if let ids = context.query["ids"] {
                    let wanted = Set(ids.split(separator: ",").map(String.init))
                    filtered = filtered.filter { wanted.contains($0.id) }
                }
                return paginate(filtered.map { spaceResource($0, context) }, context, path: "spaces", operation: operation)
            }
            guard let space = spaces.first(where: { $0.id == path[1] }) else { return Self.v2Error(404, "NOT_FOUND", "Not Found", operation: operation) }
            if path.count == 2 { return .json(spaceResource(space, context), operation: operation) }
            if path.count == 3, path[2] == "pages" {
                guard has(context, ["read:page:confluence"]) else { return scopeMismatch() }
                var pages = ordered(await siteItems(context).filter { kind($0) == "page" && $0.containerID == space.id })
                if context.query["depth"] == "root" { pages = pages.filter { $0.parentID == space.id } }
                return await pageList(pages, context, path: "spaces/\(space.id)/pages", operation: operation)
            }
        case "pages":
            guard has(context, ["read:page:confluence"]) || (path.count == 3 && path[2] == "ancestors" && has(context, ["read:content.metadata:confluence"]))
            else {
                return scopeMismatch()
            }
            if path.count == 1 {
                var pages = ordered(await siteItems(context).filter { kind($0) == "page" })
                if let spaces = context.query["space-id"] {
                    let wanted = Set(spaces.split(separator: ",").map(String.init))
                    pages = pages.filter { wanted.contains($0.containerID ?? "") }
                }
                if let ids = context.query["id"] {
                    let wanted = Set(ids.split(separator: ",").map(String.init))
                    pages = pages.filter { wanted.contains($0.id) }
                }
                if let title = context.query["title"] { pages = pages.filter { $0.name == title } }
                return await pageList(pages, context, path: "pages", operation: operation)
            }
            guard let page = await store.item(path[1], platform: .confluence), page.attributes["cloudId"] == context.site.cloudID, kind(page) == "page" else {
                return Self.v2Error(404, "NOT_FOUND", "Not Found", operation: operation)
            }
            if path.count == 2 {
                if page.trashed, context.query["status"] != "trashed" { return Self.v2Error(404, "NOT_FOUND", "Not Found", operation: operation) }
                return .json(await pageResource(page, context, withBody: context.query["body-format"] == "storage"), operation: operation)
            }
            switch path[2] {
            case "children":
                let children = ordered(await store.children(of: page.id, platform: .confluence).filter { kind($0) == "page" && !$0.trashed })
                return paginate(
                    children.map {
                        ["id": $0.id, "status": "current", "title": $0.name, "spaceId": $0.containerID ?? "", "childPosition": (Int($0.id) ?? 0) % 1000]
                    },
                    context, path: "pages/\(page.id)/children", operation: operation)
            case "direct-children":
                let children = ordered(await store.children(of: page.id, platform: .confluence).filter { kind($0) != "attachment" && !$0.trashed })
                return paginate(
                    children.map {
                        [
                            "id": $0.id, "status": "current", "title": $0.name, "type": kind($0), "spaceId": $0.containerID ?? "",
                            "childPosition": (Int($0.id) ?? 0) % 1000,
                        ]
                    },
                    context, path: "pages/\(page.id)/direct-children", operation: operation)
            case "ancestors":
                let chain = await store.ancestors(of: page.id, platform: .confluence).filter { ["page", "folder"].contains(kind($0)) }
                return .json(["results": chain.map { ["id": $0.id, "type": kind($0)] }], operation: operation)
            case "attachments":
                guard has(context, ["read:attachment:confluence"]) else { return scopeMismatch() }
                // Trashed attachments are listed only when asked for (`status=trashed`), as v2 does.
                let wanted = Set((context.query["status"] ?? "current,archived").split(separator: ",").map(String.init))
                let attachments = ordered(
                    await store.children(of: page.id, platform: .confluence).filter {
                        kind($0) == "attachment" && wanted.contains($0.trashed ? "trashed" : "current")
                    })
                return paginate(
                    attachments.map { attachmentResource($0, context) }, context, path: "pages/\(page.id)/attachments", defaultLimit: 50, operation: operation)
            default: break
            }
        case "folders" where path.count == 2 || (path.count == 3 && path[2] == "direct-children"):
            guard let folder = await store.item(path[1], platform: .confluence), kind(folder) == "folder", folder.attributes["cloudId"] == context.site.cloudID
            else {
                return Self.v2Error(404, "NOT_FOUND", "Not Found", operation: operation)
            }
            if path.count == 3 {
                let children = ordered(await store.children(of: folder.id, platform: .confluence).filter { kind($0) != "attachment" && !$0.trashed })
                return paginate(
                    children.map {
                        [
                            "id": $0.id, "status": "current", "title": $0.name, "type": kind($0), "spaceId": $0.containerID ?? "",
                            "childPosition": (Int($0.id) ?? 0) % 1000,
                        ]
                    },
                    context, path: "folders/\(folder.id)/direct-children", operation: operation)
            }
            return .json(
                [
                    "id": folder.id, "type": "folder", "status": "current", "title": folder.name, "parentId": (folder.parentID as Any?) ?? NSNull(),
                    "parentType": "page", "spaceId": folder.containerID ?? "", "createdAt": WireDate.millis(folder.createdAt),
                ], operation: operation)
        case "attachments" where path.count == 2:
            guard has(context, ["read:attachment:confluence"]) else { return scopeMismatch() }
            guard let attachment = await store.item(path[1], platform: .confluence), kind(attachment) == "attachment",
                attachment.attributes["cloudId"] == context.site.cloudID
            else {
                return Self.v2Error(404, "NOT_FOUND", "Not Found", operation: operation)
            }
            return .json(attachmentResource(attachment, context), operation: operation)
        default: break
        }
        return Self.v2Error(404, "NOT_FOUND", "Not Found", operation: operation)
    }

    private func pageList(_ pages: [SandboxItem], _ context: Context, path: String, operation: String) async -> SandboxResponse {
        let status = context.query["status"] ?? "current"
        let wanted = Set(status.split(separator: ",").map(String.init))
        var filtered = pages.filter { wanted.contains($0.trashed ? "trashed" : "current") }
        switch context.query["sort"] {
        case "-modified-date": filtered.sort { $0.modifiedAt > $1.modifiedAt }
        case "modified-date": filtered.sort { $0.modifiedAt < $1.modifiedAt }
        case "title": filtered.sort { $0.name < $1.name }
        case "-title": filtered.sort { $0.name > $1.name }
        case "-id": filtered.reverse()
        default: break
        }
        let withBody = context.query["body-format"] == "storage"
        var resources: [[String: Any]] = []
        for page in filtered { resources.append(await pageResource(page, context, withBody: withBody)) }
        return paginate(resources, context, path: path, operation: operation)
    }

    // MARK: v1

    private func v1(_ path: [String], _ context: Context) async -> SandboxResponse {
        let operation = "v1." + path.joined(separator: "/")
        if path == ["search"] || path == ["content", "search"] {
            guard has(context, ["search:confluence", "read:content-details:confluence"]) else { return scopeMismatch() }
            return await search(context, contentSearch: path.count == 2)
        }
        if path.count == 6, path[0] == "content", path[2] == "child", path[3] == "attachment", path[5] == "download" {
            guard has(context, ["readonly:content.attachment:confluence", "read:attachment:confluence"]) else { return scopeMismatch() }
            return await download(pageID: path[1], attachmentID: path[4], context)
        }
        if path.first == "space" || path.first == "content" {
            return Self.v1Error(
                410, "com.atlassian.confluence.api.service.exceptions.GoneException: This deprecated endpoint has been removed.", reason: "Gone",
                operation: operation)
        }
        return Self.v1Error(404, "No route found", reason: "Not Found", operation: operation)
    }

    private func search(_ context: Context, contentSearch: Bool) async -> SandboxResponse {
        let operation = contentSearch ? "v1.content/search" : "v1.search"
        guard let cql = context.query["cql"], !cql.isEmpty else {
            return Self.v1Error(400, "CQL query parameter is required", reason: "Bad Request", operation: operation)
        }
        let query: CQL
        do { query = try CQL.parse(cql) } catch {
            return Self.v1Error(400, "Could not parse cql : \(cql)", reason: "Bad Request", operation: operation)
        }
        var matches: [SandboxItem] = []
        let now = store.clock.now()
        for item in await siteItems(context) where ["page", "attachment"].contains(kind(item)) && !item.trashed {
            let space = await space(of: item)
            let ancestors = await store.ancestors(of: item.id, platform: .confluence).map(\.id)
            var text = item.name
            if case .bytes(let bytes) = item.content, kind(item) == "page" { text += " " + String(decoding: bytes, as: UTF8.self) }
            let subject = CQL.Subject(
                type: kind(item), space: space?.attributes["key"] ?? "", title: item.name, text: text, id: item.id,
                parent: item.parentID ?? "", ancestors: ancestors, created: item.createdAt, lastModified: item.modifiedAt, now: now)
            if query.matches(subject) { matches.append(item) }
        }
        matches = query.sort(matches)
        let limit = min(max(Int(context.query["limit"] ?? "") ?? 25, 1), contentSearch && (context.query["expand"] ?? "").contains("body") ? 100 : 250)
        let signature = PageToken.signature(["cql": cql])
        var offset = 0
        if let cursor = context.query["cursor"] {
            guard let decoded = PageToken.decodePageToken("~!!~" + cursor), decoded.signature == signature else {
                return Self.v1Error(400, "Invalid cursor", reason: "Bad Request", operation: operation)
            }
            offset = decoded.offset
        }
        let page = Array(matches.dropFirst(offset).prefix(limit))
        var results: [[String: Any]] = []
        for item in page {
            let content = await v1Content(item, context, expand: Set((context.query["expand"] ?? "").split(separator: ",").map(String.init)))
            if contentSearch {
                results.append(content)
            } else {
                let space = await space(of: item)
                results.append([
                    "content": content, "title": item.name, "excerpt": String(item.name.prefix(120)),
                    "url": (content["_links"] as? [String: Any])?["webui"] ?? "",
                    "resultGlobalContainer": ["title": space?.name ?? "", "displayUrl": "/spaces/\(space?.attributes["key"] ?? "")"],
                    "breadcrumbs": [Any](), "entityType": "content", "iconCssClass": "aui-icon content-type-\(kind(item))",
                    "lastModified": WireDate.millis(item.modifiedAt), "friendlyLastModified": "recently", "score": 1.0,
                ])
            }
        }
        var links: [String: Any] = ["base": context.site.url + "/wiki", "context": "/wiki"]
        if offset + page.count < matches.count {
            let cursor = String(PageToken.encodePageToken(offset: offset + page.count, signature: signature).dropFirst(4))
            links["next"] = (contentSearch ? "/rest/api/content/search" : "/rest/api/search").appendingQuery(
                [
                    ("next", "true"), ("cursor", cursor), ("limit", String(limit)), ("start", String(offset + page.count)), ("cql", cql),
                ] + (context.query["expand"].map { [("expand", $0)] } ?? []))
        }
        return .json(
            [
                "results": results, "start": offset, "limit": limit, "size": results.count, "totalSize": matches.count, "cqlQuery": cql,
                "searchDuration": 12, "_links": links,
            ], operation: operation)
    }

    private func v1Content(_ item: SandboxItem, _ context: Context, expand: Set<String>) async -> [String: Any] {
        let space = await space(of: item)
        var content: [String: Any] = [
            "id": item.id, "type": kind(item), "status": "current", "title": item.name,
            "_links": [
                "webui": "/spaces/\(space?.attributes["key"] ?? "")/pages/\(item.id)", "tinyui": "/x/\(item.id.suffix(4))",
                "self": context.site.url + "/wiki/rest/api/content/\(item.id)",
            ],
            "_expandable": ["body": "", "version": "", "ancestors": "", "space": ""],
        ]
        if expand.contains("version") {
            content["version"] = [
                "number": item.version, "when": WireDate.millis(item.modifiedAt),
                "by": ["accountId": emulator.accounts[0].id, "displayName": emulator.accounts[0].displayName],
            ]
        }
        if expand.contains("body.storage"), case .bytes(let bytes) = item.content, kind(item) == "page" {
            content["body"] = ["storage": ["value": String(decoding: bytes, as: UTF8.self), "representation": "storage"]]
        }
        if expand.contains("ancestors") {
            content["ancestors"] = await store.ancestors(of: item.id, platform: .confluence).filter { ["page", "folder"].contains(kind($0)) }.map {
                ["id": $0.id, "type": kind($0), "title": $0.name]
            }
        }
        if expand.contains("space"), let space {
            content["space"] = ["id": Int(space.id) ?? 0, "key": space.attributes["key"] ?? "", "name": space.name, "type": "global"]
        }
        return content
    }

    // MARK: Attachment download

    private func download(pageID: String, attachmentID: String, _ context: Context) async -> SandboxResponse {
        let operation = "v1.download"
        guard let attachment = await store.item(attachmentID, platform: .confluence), attachment.parentID == pageID,
            attachment.attributes["cloudId"] == context.site.cloudID
        else { return Self.v1Error(404, "No attachment found with id \(attachmentID)", reason: "Not Found", operation: operation) }
        if let version = context.query["version"].flatMap(Int.init), version > attachment.version {
            return Self.v1Error(400, "Version \(version) does not exist", reason: "Bad Request", operation: operation)
        }
        let expires = Int(store.clock.now().timeIntervalSince1970) + 300
        let payload = "\(attachment.id)|\(expires)"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(payload.utf8), using: SymmetricKey(data: Data(emulator.mediaKey.utf8)))
        let token =
            (Data(payload.utf8).base64EncodedString() + "." + Data(mac).base64EncodedString()).addingPercentEncoding(withAllowedCharacters: .alphanumerics)
            ?? ""
        let location =
            "\(context.request.origin)/\(ProviderHost.atlassianMedia.rawValue)/file/\(GraphAPI.guid(for: attachment.id).lowercased())/binary?token=\(token)&client=cirrus-sandbox&dl=true&name=\(attachment.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        return .redirect(location, operation: operation)
    }

    /// The media host: a signed, short-lived URL that wants no Atlassian Authorization header.
    func media(_ request: SandboxRequest) async -> SandboxResponse {
        let operation = "media.download"
        if request.bearerToken != nil {
            return .json(
                ["error": "Unauthorized", "message": "This URL is pre-signed; do not send an Authorization header."], status: .unauthorized,
                operation: operation)
        }
        guard let token = request.query["token"], let dot = token.lastIndex(of: "."),
            let payloadData = Data(base64Encoded: String(token[..<dot])), let macData = Data(base64Encoded: String(token[token.index(after: dot)...])),
            HMAC<SHA256>.isValidAuthenticationCode(macData, authenticating: payloadData, using: SymmetricKey(data: Data(emulator.mediaKey.utf8))),
            let payload = String(data: payloadData, encoding: .utf8)
        else { return .json(["error": "Forbidden", "message": "Invalid token"], status: .forbidden, operation: operation) }
        let parts = payload.split(separator: "|").map(String.init)
        guard parts.count == 2, let expires = Int(parts[1]), expires > Int(store.clock.now().timeIntervalSince1970) else {
            return .json(["error": "Forbidden", "message": "Token expired"], status: .forbidden, operation: operation)
        }
        guard let attachment = await store.item(parts[0], platform: .confluence) else {
            return .json(["error": "Not Found"], status: .notFound, operation: operation)
        }
        var response = ContentResponder.response(attachment.content, mimeType: attachment.mimeType, range: request.headers[.range], operation: operation)
        response.headers[.contentDisposition] = "attachment; filename=\"\(attachment.name)\""
        return response
    }
}
