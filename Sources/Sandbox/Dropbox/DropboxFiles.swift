import CirrusCore
import Crypto
import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle

/// `files/*` routes: listing with cursors, metadata, download, export and longpoll (providers/dropbox.md §7–10).
struct DropboxFiles {
    let emulator: DropboxEmulator
    var store: SandboxStore { emulator.store }
    static let paperMime = "application/vnd.dropbox.paper"

    // MARK: Paths

    enum Resolution {
        case item(SandboxItem)
        case failure(SandboxResponse)
    }

    /// Resolves `""`, `/a/b` (case-insensitively), `id:…` and `rev:…`, with Dropbox's validation errors.
    func resolve(_ path: String?, route: String, allowRoot: Bool, rootMustBeEmpty: Bool = true) async -> Resolution {
        guard let path else { return .failure(DropboxEmulator.badInput(route: route, "request body: missing required field 'path'")) }
        let rootID = Corpus.rootID(for: .dropbox)
        if path.isEmpty {
            guard allowRoot, let root = await store.item(rootID, platform: .dropbox) else {
                return .failure(DropboxEmulator.badInput(route: route, "request body: path: The root folder is unsupported."))
            }
            return .item(root)
        }
        if path == "/", rootMustBeEmpty {
            return .failure(DropboxEmulator.badInput(route: route, "request body: path: Specify the root folder as an empty string rather than as \"/\"."))
        }
        if path.hasPrefix("id:") {
            guard let item = await store.item(path, platform: .dropbox), !(await store.isEffectivelyTrashed(item.id, platform: .dropbox)) else {
                return .failure(notFound(route))
            }
            return .item(item)
        }
        if path.hasPrefix("rev:") {
            let rev = String(path.dropFirst(4))
            for item in await store.all(.dropbox) where Self.rev(item) == rev { return .item(item) }
            return .failure(notFound(route))
        }
        guard path.hasPrefix("/") else {
            return .failure(
                DropboxEmulator.badInput(
                    route: route, "request body: path: '\(path)' did not match pattern '(/(.|[\\r\\n])*)?|id:.*|(ns:[0-9]+(/(.|[\\r\\n])*)?)'"))
        }
        if path.hasSuffix("/") || path.last?.isWhitespace == true {
            return .failure(DropboxEmulator.routeError("path/malformed_path/..", [".tag": "path", "path": [".tag": "malformed_path"]], operation: route))
        }
        var current = await store.item(rootID, platform: .dropbox)
        for name in path.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let wanted = String(name).precomposedStringWithCanonicalMapping.lowercased()
            guard let parent = current else { break }
            current = await store.children(of: parent.id, platform: .dropbox).first {
                !$0.trashed && $0.name.precomposedStringWithCanonicalMapping.lowercased() == wanted
            }
        }
        guard let current else { return .failure(notFound(route)) }
        return .item(current)
    }

    func notFound(_ route: String) -> SandboxResponse {
        DropboxEmulator.routeError("path/not_found/..", [".tag": "path", "path": [".tag": "not_found"]], operation: route)
    }

    static func rev(_ item: SandboxItem) -> String {
        let digest = SHA256.hash(data: Data(item.id.utf8)).prefix(4).map { String(format: "%02x", $0) }.joined()
        return String(format: "%07x", item.version) + digest
    }

    func displayPath(_ item: SandboxItem) async -> String {
        "/" + (await store.namePath(of: item.id, platform: .dropbox)).joined(separator: "/")
    }

    func metadata(_ item: SandboxItem) async -> [String: Any] {
        let display = await displayPath(item)
        var entry: [String: Any] = ["name": item.name, "id": item.id, "path_display": display, "path_lower": display.lowercased()]
        if item.isFolder {
            entry[".tag"] = "folder"
            return entry
        }
        entry[".tag"] = "file"
        entry["client_modified"] = WireDate.seconds(item.createdAt)
        entry["server_modified"] = WireDate.seconds(item.modifiedAt)
        entry["rev"] = Self.rev(item)
        entry["size"] = item.size
        entry["content_hash"] = item.dropboxContentHash
        if item.mimeType == Self.paperMime {
            entry["is_downloadable"] = false
            entry["export_info"] = ["export_as": "html", "export_options": ["html", "markdown"]]
        } else {
            entry["is_downloadable"] = true
        }
        return entry
    }

    // MARK: Cursors

    struct Cursor: Codable {
        var root: String
        var recursive: Bool
        var sequence: Int
        var offset: Int?
        var limit: Int
        var includeDeleted: Bool
    }

    func encode(_ cursor: Cursor) -> String {
        let data = (try? JSONEncoder().encode(cursor)) ?? Data()
        return "AAE"
            + data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(
                of: "=", with: "")
    }

    func decode(_ text: String?) -> Cursor? {
        guard let text, text.hasPrefix("AAE") else { return nil }
        var base = String(text.dropFirst(3)).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base.count % 4 != 0 { base += "=" }
        return Data(base64Encoded: base).flatMap { try? JSONDecoder().decode(Cursor.self, from: $0) }
    }

    // MARK: RPC routes

    func rpc(_ request: SandboxRequest, route: String) async -> SandboxResponse {
        let argument: DropboxArgument
        switch DropboxArgument.decode(request.body, from: "request body") {
        case .success(let decoded): argument = decoded
        case .failure(let failure): return DropboxEmulator.badInput(route: route, failure.message)
        }
        switch route {
        case "files/get_metadata":
            switch await resolve(argument.path, route: route, allowRoot: false) {
            case .failure(let response): return response
            case .item(let item): return .json(await metadata(item), contentType: DropboxEmulator.json, operation: route)
            }
        case "files/list_folder", "files/list_folder/get_latest_cursor":
            let limit = argument.limit ?? 2000
            guard (1...2000).contains(limit) else {
                return DropboxEmulator.badInput(route: route, "request body: limit: \(limit) is not within range [1, 2000]")
            }
            let root: SandboxItem
            switch await resolve(argument.path, route: route, allowRoot: true) {
            case .failure(let response): return response
            case .item(let item): root = item
            }
            guard root.isFolder else {
                return DropboxEmulator.routeError("path/not_folder/..", [".tag": "path", "path": [".tag": "not_folder"]], operation: route)
            }
            let cursor = Cursor(
                root: root.id, recursive: argument.recursive ?? false, sequence: await store.currentSequence, offset: 0,
                limit: limit, includeDeleted: argument.includeDeleted ?? false)
            if route == "files/list_folder/get_latest_cursor" {
                var latest = cursor
                latest.offset = nil
                return .json(["cursor": encode(latest)], contentType: DropboxEmulator.json, operation: route)
            }
            return await page(cursor, route: route)
        case "files/search_v2", "files/search/continue_v2":
            // Name matching (Dropbox also searches content), newest first as "relevance" here; 100 per page.
            var query = argument.query ?? ""
            var scope = ""
            var offset = 0
            if route == "files/search/continue_v2" {
                guard
                    let cursor = argument.cursor.flatMap({ Data(base64Encoded: $0) }).flatMap({ try? JSONDecoder().decode(SearchCursor.self, from: $0) })
                else {
                    return DropboxEmulator.badInput(route: route, "request body: cursor: invalid")
                }
                query = cursor.query
                scope = cursor.path
                offset = cursor.offset
            } else {
                guard !query.isEmpty else { return DropboxEmulator.badInput(route: route, "request body: query: must not be empty") }
                scope = argument.options?.path ?? ""
            }
            let root: SandboxItem
            switch await resolve(scope, route: route, allowRoot: true) {
            case .failure(let response): return response
            case .item(let item): root = item
            }
            let limit = min(max(argument.options?.maxResults ?? 100, 1), 1000)
            let words = query.lowercased().split(separator: " ")
            let matches = await descendants(of: root.id, recursive: true).filter { item in
                !item.trashed && words.allSatisfy { item.name.lowercased().contains($0) }
            }
            let page = matches.dropFirst(offset).prefix(limit)
            var entries: [[String: Any]] = []
            for item in page {
                entries.append(["match_type": [".tag": "filename"], "metadata": [".tag": "metadata", "metadata": await metadata(item)]])
            }
            var body: [String: Any] = ["matches": entries, "has_more": offset + page.count < matches.count]
            if offset + page.count < matches.count {
                let next = SearchCursor(query: query, path: scope, offset: offset + page.count)
                body["cursor"] = (try? JSONEncoder().encode(next))?.base64EncodedString() ?? ""
            }
            return .json(body, contentType: DropboxEmulator.json, operation: route)
        case "files/list_folder/continue":
            guard let cursor = decode(argument.cursor) else {
                return DropboxEmulator.routeError("reset/..", [".tag": "reset"], operation: route)
            }
            guard await store.item(cursor.root, platform: .dropbox) != nil else {
                return DropboxEmulator.routeError("path/not_found/..", [".tag": "path", "path": [".tag": "not_found"]], operation: route)
            }
            if cursor.sequence > (await store.currentSequence) { return DropboxEmulator.routeError("reset/..", [".tag": "reset"], operation: route) }
            if cursor.offset == nil, await store.takeFeedReset(.dropbox) {
                return DropboxEmulator.routeError("reset/..", [".tag": "reset"], operation: route)
            }
            return cursor.offset == nil ? await changes(cursor, route: route) : await page(cursor, route: route)
        default:
            return DropboxEmulator.badInput(route: route, "Unknown API function", status: .notFound)
        }
    }

    private func descendants(of root: String, recursive: Bool) async -> [SandboxItem] {
        var result: [SandboxItem] = []
        var queue = [root]
        while !queue.isEmpty {
            let id = queue.removeFirst()
            // Dropbox has no trash in its API: what the control API trashes is deleted (restorable).
            for child in await store.children(of: id, platform: .dropbox) where !child.trashed {
                result.append(child)
                if recursive, child.isFolder { queue.append(child.id) }
            }
        }
        return result
    }

    private func page(_ cursor: Cursor, route: String) async -> SandboxResponse {
        let all = await descendants(of: cursor.root, recursive: cursor.recursive)
        let offset = cursor.offset ?? 0
        let slice = all.dropFirst(offset).prefix(cursor.limit)
        var entries: [[String: Any]] = []
        for item in slice { entries.append(await metadata(item)) }
        var next = cursor
        let more = offset + slice.count < all.count
        next.offset = more ? offset + slice.count : nil
        return .json(["entries": entries, "cursor": encode(next), "has_more": more], contentType: DropboxEmulator.json, operation: route)
    }

    /// What changed under the listed folder since the cursor: current metadata for adds and edits,
    /// `deleted` tombstones (no id) for removals, and delete + add for renames and moves.
    private func changes(_ cursor: Cursor, route: String) async -> SandboxResponse {
        let entries = await changedEntries(after: cursor)
        var next = cursor
        next.sequence = await store.currentSequence
        next.offset = nil
        return .json(["entries": entries, "cursor": encode(next), "has_more": false], contentType: DropboxEmulator.json, operation: route)
    }

    private func changedEntries(after cursor: Cursor) async -> [[String: Any]] {
        let rootPath = cursor.root == Corpus.rootID(for: .dropbox) ? [] : await store.namePath(of: cursor.root, platform: .dropbox)
        func inScope(_ path: [String]) -> Bool {
            guard path.count > rootPath.count, zip(path, rootPath).allSatisfy({ $0.lowercased() == $1.lowercased() }) else { return false }
            return cursor.recursive || path.count == rootPath.count + 1
        }
        func tombstone(_ path: [String]) -> [String: Any] {
            let display = "/" + path.joined(separator: "/")
            return [".tag": "deleted", "name": path.last ?? "", "path_display": display, "path_lower": display.lowercased()]
        }
        var entries: [[String: Any]] = []
        for change in await store.changes(after: cursor.sequence, platform: .dropbox) {
            if change.kind == .delete {
                if let path = change.path, inScope(path) { entries.append(tombstone(path)) }
                continue
            }
            if let previous = change.previousPath, inScope(previous) { entries.append(tombstone(previous)) }
            guard let item = await store.item(change.itemID, platform: .dropbox) else { continue }
            let path = await store.namePath(of: item.id, platform: .dropbox)
            if await store.isEffectivelyTrashed(item.id, platform: .dropbox) {
                if inScope(path) { entries.append(tombstone(path)) }
            } else if inScope(path) {
                entries.append(await metadata(item))
            }
        }
        return entries
    }

    // MARK: Longpoll

    func longpoll(_ request: SandboxRequest) async -> SandboxResponse {
        let route = "files/list_folder/longpoll"
        let argument: DropboxArgument
        switch DropboxArgument.decode(request.body, from: "request body") {
        case .success(let decoded): argument = decoded
        case .failure(let failure): return DropboxEmulator.badInput(route: route, failure.message)
        }
        let timeout = argument.timeout ?? 30
        guard (30...480).contains(timeout) else {
            return DropboxEmulator.badInput(route: route, "request body: timeout: \(timeout) is not within range [30, 480]")
        }
        guard let cursor = decode(argument.cursor) else { return DropboxEmulator.routeError("reset/..", [".tag": "reset"], operation: route) }
        let deadline = ContinuousClock.now + .seconds(timeout)
        // A stopping server does not wait out a held call (the client asks again elsewhere).
        while ContinuousClock.now < deadline && !Task.isCancelled && !Task.isShuttingDownGracefully {
            // Only changes under the cursor's folder count, as `continue` would return them.
            if !(await changedEntries(after: cursor)).isEmpty {
                return .json(["changes": true], contentType: DropboxEmulator.json, operation: route)
            }
            guard (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: .milliseconds(200)) })) != nil else { break }
        }
        return .json(["changes": false, "backoff": 5], contentType: DropboxEmulator.json, operation: route)
    }

    // MARK: Content routes

    func content(_ request: SandboxRequest, route: String) async -> SandboxResponse {
        let argumentText = request.headers[.init("Dropbox-API-Arg")!] ?? request.query["arg"]
        guard let argumentText else { return DropboxEmulator.badInput(route: route, "Must provide HTTP header \"Dropbox-API-Arg\" or URL parameter \"arg\".") }
        if request.headers[.init("Dropbox-API-Arg")!] != nil, argumentText.unicodeScalars.contains(where: { $0.value > 0x7E }) {
            return DropboxEmulator.badInput(route: route, "HTTP header \"Dropbox-API-Arg\": could not decode input as JSON")
        }
        let argument: DropboxArgument
        switch DropboxArgument.decode(Array(argumentText.utf8), from: "HTTP header \"Dropbox-API-Arg\"") {
        case .success(let decoded): argument = decoded
        case .failure(let failure): return DropboxEmulator.badInput(route: route, failure.message)
        }
        let item: SandboxItem
        switch await resolve(argument.path, route: route, allowRoot: false) {
        case .failure(let response): return response
        case .item(let found): item = found
        }
        guard !item.isFolder else {
            return DropboxEmulator.routeError("path/not_file/..", [".tag": "path", "path": [".tag": "not_file"]], operation: route)
        }
        let meta = await metadata(item)
        if route == "files/export" {
            guard item.mimeType == Self.paperMime, case .bytes(let bytes) = item.content else {
                return DropboxEmulator.routeError("non_exportable/...", [".tag": "non_exportable"], operation: route)
            }
            let format = argument.exportFormat ?? "html"
            let markdown = String(decoding: bytes, as: UTF8.self)
            let output: [UInt8]
            switch format {
            case "markdown": output = bytes
            case "html": output = Array(Self.markdownToHTML(markdown).utf8)
            default: return DropboxEmulator.routeError("invalid_export_format/.", [".tag": "invalid_export_format"], operation: route)
            }
            let exportHash = SHA256.hash(data: output).map { String(format: "%02x", $0) }.joined()
            let result: [String: Any] = [
                "export_metadata": [
                    "name": (item.name as NSString).deletingPathExtension + (format == "html" ? ".html" : ".md"), "size": output.count,
                    "export_hash": exportHash, "paper_revision": item.version,
                ],
                "file_metadata": meta,
            ]
            return .bytes(
                output, contentType: "application/octet-stream", headers: [.init("Dropbox-API-Result")!: Self.headerSafeJSON(result)], operation: route)
        }
        if item.mimeType == Self.paperMime {
            return DropboxEmulator.routeError("unsupported_file/..", [".tag": "unsupported_file"], operation: route)
        }
        let rev = Self.rev(item)
        if request.headers[.ifNoneMatch] == "W/\"\(rev)\"" || request.headers[.ifNoneMatch] == rev {
            return SandboxResponse(status: .notModified, headers: [.eTag: "W/\"\(rev)\""], operation: route)
        }
        var response = ContentResponder.response(item.content, mimeType: "application/octet-stream", range: request.headers[.range], operation: route)
        response.headers[.init("Dropbox-API-Result")!] = Self.headerSafeJSON(meta)
        response.headers[.eTag] = "W/\"\(rev)\""
        return response
    }

    /// JSON with every non-ASCII character (and DEL) escaped as `\uXXXX`, so it fits in an HTTP header.
    static func headerSafeJSON(_ object: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        var out = ""
        for unit in String(decoding: data, as: UTF8.self).utf16 {
            if unit >= 0x7F { out += String(format: "\\u%04x", unit) } else { out.unicodeScalars.append(UnicodeScalar(unit)!) }
        }
        return out
    }

    static func markdownToHTML(_ markdown: String) -> String {
        var html = "<html><body>"
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: true) {
            let text = line.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            if text.hasPrefix("# ") {
                html += "<h1>\(text.dropFirst(2))</h1>"
            } else if text.hasPrefix("## ") {
                html += "<h2>\(text.dropFirst(3))</h2>"
            } else if text.hasPrefix("- ") {
                html += "<li>\(text.dropFirst(2))</li>"
            } else {
                html += "<p>\(text)</p>"
            }
        }
        return html + "</body></html>"
    }
}

/// The arguments of the Dropbox routes the emulator serves, as the API documents them; each
/// route reads its own fields.
struct DropboxArgument: Decodable {
    struct SearchOptions: Decodable {
        let path: String?
        let maxResults: Int?
        enum CodingKeys: String, CodingKey { case path, maxResults = "max_results" }
    }

    let path: String?
    let limit: Int?
    let recursive: Bool?
    let includeDeleted: Bool?
    let query: String?
    let options: SearchOptions?
    let cursor: String?
    let timeout: Int?
    let exportFormat: String?

    enum CodingKeys: String, CodingKey {
        case path, limit, recursive, includeDeleted = "include_deleted", query, options, cursor, timeout, exportFormat = "export_format"
    }

    /// The argument, or Dropbox's words for why it could not be read (`request body: limit: …`).
    static func decode(_ bytes: [UInt8], from place: String) -> Result<DropboxArgument, DecodeFailure> {
        do {
            return .success(try JSONDecoder().decode(DropboxArgument.self, from: Data(bytes)))
        } catch let DecodingError.typeMismatch(_, context) {
            return .failure(DecodeFailure(message: "\(place): \(context.codingPath.map(\.stringValue).joined(separator: ".")): unexpected type"))
        } catch {
            return .failure(DecodeFailure(message: "\(place): could not decode input as JSON"))
        }
    }

    struct DecodeFailure: Error {
        let message: String
    }
}

/// Where a `search/continue_v2` cursor resumes.
struct SearchCursor: Codable {
    let query: String
    let path: String
    let offset: Int
}
