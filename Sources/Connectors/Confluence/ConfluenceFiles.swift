import CirrusCore
import Foundation

/// Confluence browsing on the connection's chosen site: spaces, then each space's page tree.
/// Every page is both a folder (its child pages and attachments) and a document (its body in
/// storage format). Ids: `space:ID`, `page:ID`, `folder:ID`, `att:PAGE:ID`.
extension ConfluenceConnector {
    static let top = Breadcrumb(id: "root", name: "Spaces")
    static let spaceType = "application/vnd.atlassian.confluence.space"
    static let pageType = "application/vnd.atlassian.confluence.storage+xml"

    private func wiki(_ session: ProviderSession) throws -> String {
        guard let site = session.siteID else { throw ConnectorError.provider(status: 400, message: "Choose a Confluence site first.") }
        return configuration.hosts.base("api.atlassian.com") + "/ex/confluence/\(site)/wiki"
    }

    /// Ids go into URL paths: only the shapes this connector hands out are accepted.
    static func validate(_ id: String) throws {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: ":_-"))
        guard id == "root" || (id.contains(":") && id.unicodeScalars.allSatisfy { allowed.contains($0) && $0.isASCII }) else {
            throw ConnectorError.notFound
        }
    }

    /// Attachments redirect from the API gateway to Atlassian's media host (which wants no token).
    var links: LinkPolicy {
        LinkPolicy(hosts: configuration.hosts, apiHosts: ["api.atlassian.com"], downloadHosts: ["api.atlassian.com", "api.media.atlassian.com"])
    }

    public func list(folderID: String, pageToken: String?, query: String?, session: ProviderSession) async throws -> FilePage {
        try Self.validate(folderID)
        let base = try wiki(session)
        if let pageToken {
            // Confluence's next link is relative to the site's /wiki; only that path is accepted.
            guard pageToken.hasPrefix("/wiki/api/v2/") || pageToken.hasPrefix("/api/v2/") || pageToken.hasPrefix("/wiki/rest/api/"), !pageToken.contains("..")
            else {
                throw ConnectorError.provider(status: 400, message: "That page token is not valid.")
            }
            let path = pageToken.hasPrefix("/wiki") ? String(pageToken.dropFirst(5)) : pageToken
            var result = try await page(base + path, folderID: folderID, session: session)
            if folderID.hasPrefix("page:"), result.nextPageToken == nil {
                result.files += try await attachments(of: String(folderID.dropFirst(5)), base: base, session: session)
            }
            return result
        }
        if let query, !query.isEmpty {
            let escaped = query.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            var cql = "type = page and title ~ \"\(escaped)*\""
            if folderID.hasPrefix("space:") { cql += " and space.id = \(folderID.dropFirst(6))" }
            let found = try await http.get(
                ConfluenceWire.Results<ConfluenceWire.Content>.self,
                base + "/rest/api/content/search?" + ProviderHTTP.query([("cql", cql), ("limit", "50"), ("expand", "version,space")]),
                bearer: session.accessToken, what: "Confluence's search results")
            let files = found.results.map { result in
                CloudFile(
                    id: "page:\(result.id.value)", name: result.title ?? result.id.value, mimeType: Self.pageType,
                    webViewLink: result.links?.webui.map { (session.siteURL ?? "") + "/wiki" + $0 },
                    isFolder: true, revision: result.version?.number.map(String.init), isAlsoDocument: true)
            }
            return FilePage(files: files, nextPageToken: nil)
        }
        switch folderID {
        case "root": return try await page(base + "/api/v2/spaces?limit=100&sort=name", folderID: folderID, session: session)
        case let id where id.hasPrefix("space:"):
            return try await page(base + "/api/v2/spaces/\(id.dropFirst(6))/pages?depth=root&limit=100&sort=title", folderID: folderID, session: session)
        case let id where id.hasPrefix("page:"):
            let pageID = id.dropFirst(5)
            var result = try await page(base + "/api/v2/pages/\(pageID)/direct-children?limit=100", folderID: folderID, session: session)
            if result.nextPageToken == nil {
                result.files += try await attachments(of: String(pageID), base: base, session: session)
            }
            return result
        case let id where id.hasPrefix("folder:"):
            return try await page(base + "/api/v2/folders/\(id.dropFirst(7))/direct-children?limit=100", folderID: folderID, session: session)
        default: throw ConnectorError.notFound
        }
    }

    /// A page's attachments, listed after its last page of children (up to 250).
    private func attachments(of pageID: String, base: String, session: ProviderSession) async throws -> [CloudFile] {
        let list = try await http.get(
            ConfluenceWire.Results<ConfluenceWire.Attachment>.self, base + "/api/v2/pages/\(pageID)/attachments?limit=250", bearer: session.accessToken,
            what: "a page's attachments")
        return list.results.map { Self.attachment($0, page: pageID, siteURL: session.siteURL) }
    }

    private func page(_ url: String, folderID: String, session: ProviderSession) async throws -> FilePage {
        if folderID == "root" {
            let spaces = try await http.get(ConfluenceWire.Results<ConfluenceWire.Space>.self, url, bearer: session.accessToken, what: "Confluence's spaces")
            return FilePage(
                files: spaces.results.map { space in
                    CloudFile(
                        id: "space:\(space.id.value)", name: space.name ?? space.id.value, mimeType: Self.spaceType,
                        webViewLink: space.links?.webui.map { (session.siteURL ?? "") + "/wiki" + $0 }, isFolder: true, parentId: "root")
                }, nextPageToken: spaces.links?.next)
        }
        let children = try await http.get(ConfluenceWire.Results<ConfluenceWire.Content>.self, url, bearer: session.accessToken, what: "a page tree")
        // `direct-children` names pages without their version: one `pages?id=` call adds it, so
        // an edited page has a new revision in every listing (what sync compares).
        let unversioned = children.results.filter { ($0.type ?? "page") == "page" && $0.version == nil }.map(\.id.value)
        var details: [String: ConfluenceWire.Content] = [:]
        if !unversioned.isEmpty {
            let found = try await http.get(
                ConfluenceWire.Results<ConfluenceWire.Content>.self,
                try wiki(session) + "/api/v2/pages?" + ProviderHTTP.query([("id", unversioned.joined(separator: ",")), ("limit", "250")]),
                bearer: session.accessToken, what: "the versions of a page's children")
            for page in found.results { details[page.id.value] = page }
        }
        let files = children.results.map { entry in
            Self.page(details[entry.id.value].map { Self.withType(entry.type, $0) } ?? entry, parent: folderID, siteURL: session.siteURL)
        }
        return FilePage(files: files, nextPageToken: children.links?.next)
    }

    /// A page's full record, keeping the type its listing gave it (`pages` answers leave it out).
    private static func withType(_ type: String?, _ page: ConfluenceWire.Content) -> ConfluenceWire.Content {
        ConfluenceWire.Content(
            id: page.id, type: page.type ?? type, title: page.title, spaceId: page.spaceId, parentId: page.parentId, version: page.version, body: page.body,
            links: page.links)
    }

    public func breadcrumbs(folderID: String, session: ProviderSession) async throws -> [Breadcrumb] {
        try Self.validate(folderID)
        let base = try wiki(session)
        if folderID == "root" { return [Self.top] }
        if folderID.hasPrefix("space:") {
            let space = try await http.get(
                ConfluenceWire.Space.self, base + "/api/v2/spaces/\(folderID.dropFirst(6))", bearer: session.accessToken, what: "a space")
            return [Self.top, Breadcrumb(id: folderID, name: space.name ?? folderID)]
        }
        if folderID.hasPrefix("folder:") {
            let folder = try await http.get(
                ConfluenceWire.Content.self, base + "/api/v2/folders/\(folderID.dropFirst(7))", bearer: session.accessToken, what: "a folder")
            let crumb = Breadcrumb(id: folderID, name: folder.title ?? folderID)
            if let parent = folder.parentId?.value {
                return try await breadcrumbs(folderID: "page:\(parent)", session: session) + [crumb]
            }
            return [Self.top, crumb]
        }
        guard folderID.hasPrefix("page:") else { throw ConnectorError.notFound }
        let pageID = String(folderID.dropFirst(5))
        let page = try await http.get(ConfluenceWire.Content.self, base + "/api/v2/pages/\(pageID)", bearer: session.accessToken, what: "a page")
        let ancestors = try await http.get(
            ConfluenceWire.Results<ConfluenceWire.Ancestor>.self, base + "/api/v2/pages/\(pageID)/ancestors?limit=50", bearer: session.accessToken,
            what: "a page's ancestors")
        var trail: [Breadcrumb] = []
        for ancestor in ancestors.results {
            let id = ancestor.id.value
            let kind = ancestor.type ?? "page"
            guard kind == "page" || kind == "folder" else { continue }
            let detail = try await http.get(ConfluenceWire.Content.self, base + "/api/v2/\(kind)s/\(id)", bearer: session.accessToken, what: "an ancestor")
            trail.append(Breadcrumb(id: "\(kind):\(id)", name: detail.title ?? id))
        }
        trail.append(Breadcrumb(id: folderID, name: page.title ?? pageID))
        var head = [Self.top]
        if let spaceID = page.spaceId?.value {
            let space = try await http.get(ConfluenceWire.Space.self, base + "/api/v2/spaces/\(spaceID)", bearer: session.accessToken, what: "a space")
            head.append(Breadcrumb(id: "space:\(spaceID)", name: space.name ?? spaceID))
        }
        return head + trail
    }

    public func file(id: String, session: ProviderSession) async throws -> CloudFile {
        try Self.validate(id)
        let base = try wiki(session)
        if id.hasPrefix("page:") {
            let page = try await http.get(ConfluenceWire.Content.self, base + "/api/v2/pages/\(id.dropFirst(5))", bearer: session.accessToken, what: "a page")
            return Self.page(page, parent: nil, siteURL: session.siteURL)
        }
        if id.hasPrefix("att:") {
            let parts = id.split(separator: ":").map(String.init)
            guard parts.count == 3 else { throw ConnectorError.notFound }
            let attachment = try await http.get(
                ConfluenceWire.Attachment.self, base + "/api/v2/attachments/\(parts[2])", bearer: session.accessToken, what: "an attachment")
            return Self.attachment(attachment, page: parts[1], siteURL: session.siteURL)
        }
        if id.hasPrefix("folder:") {
            let folder = try await http.get(
                ConfluenceWire.Content.self, base + "/api/v2/folders/\(id.dropFirst(7))", bearer: session.accessToken, what: "a folder")
            return CloudFile(id: id, name: folder.title ?? id, mimeType: "application/vnd.atlassian.confluence.folder", isFolder: true)
        }
        if id.hasPrefix("space:") {
            let space = try await http.get(ConfluenceWire.Space.self, base + "/api/v2/spaces/\(id.dropFirst(6))", bearer: session.accessToken, what: "a space")
            return CloudFile(id: id, name: space.name ?? id, mimeType: Self.spaceType, isFolder: true, parentId: "root")
        }
        throw ConnectorError.notFound
    }

    public func download(_ file: CloudFile, session: ProviderSession, to destination: URL, maxBytes: Int64) async throws -> DownloadedFile {
        try Self.validate(file.id)
        let base = try wiki(session)
        let auth = [("Authorization", "Bearer \(session.accessToken)")]
        if file.id.hasPrefix("page:") {
            // The page body in storage format is the document; it arrives inside the page's JSON.
            let page = try await http.get(
                ConfluenceWire.Content.self, base + "/api/v2/pages/\(file.id.dropFirst(5))?body-format=storage", bearer: session.accessToken,
                what: "a page's body")
            let body = page.body?.storage?.value ?? ""
            let title = page.title ?? file.name
            let document = "<h1>\(Self.escapeXML(title))</h1>" + body
            guard document.utf8.count <= maxBytes else { throw ConnectorError.fileTooLarge(limit: maxBytes) }
            try Data(document.utf8).write(to: destination)
            return DownloadedFile(url: destination, bytes: Int64(document.utf8.count), mimeType: Self.pageType, fileName: title)
        }
        let parts = file.id.split(separator: ":").map(String.init)
        guard parts.count == 3 else { throw ConnectorError.notFound }
        // The v1 download answers with a redirect to Atlassian's media host, fetched without the bearer token.
        let result = try await http.download(
            base + "/rest/api/content/\(parts[1])/child/attachment/\(parts[2])/download", headers: auth, links: links, to: destination, maxBytes: maxBytes)
        return DownloadedFile(url: destination, bytes: result.bytes, mimeType: file.mimeType, fileName: file.name)
    }

    static func page(_ entry: ConfluenceWire.Content, parent: String?, siteURL: String?) -> CloudFile {
        let id = entry.id.value
        let type = entry.type ?? "page"
        if type == "folder" {
            return CloudFile(
                id: "folder:\(id)", name: entry.title ?? id, mimeType: "application/vnd.atlassian.confluence.folder", isFolder: true, parentId: parent)
        }
        return CloudFile(
            id: type == "page" ? "page:\(id)" : "\(type):\(id)", name: entry.title ?? id,
            mimeType: type == "page" ? pageType : "application/vnd.atlassian.confluence.\(type)",
            modifiedTime: ProviderDate.parse(entry.version?.createdAt),
            webViewLink: entry.links?.webui.map { (siteURL ?? "") + "/wiki" + $0 }, isFolder: type == "page", parentId: parent,
            revision: entry.version?.number.map(String.init),
            isAlsoDocument: type == "page", unavailableReason: type == "page" ? nil : "Only pages and attachments can be imported.")
    }

    static func attachment(_ entry: ConfluenceWire.Attachment, page: String, siteURL: String?) -> CloudFile {
        let id = entry.id.value
        return CloudFile(
            id: "att:\(page):\(id)", name: entry.title ?? id, mimeType: entry.mediaType ?? "application/octet-stream",
            size: entry.fileSize, modifiedTime: ProviderDate.parse(entry.version?.createdAt),
            webViewLink: entry.webuiLink.map { (siteURL ?? "") + "/wiki" + $0 }, parentId: "page:\(page)", revision: entry.version?.number.map(String.init))
    }

    static func escapeXML(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
