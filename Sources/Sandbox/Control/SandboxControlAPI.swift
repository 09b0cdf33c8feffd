import CirrusCore
import Foundation
import Hummingbird
import NIOCore

/// `/_sandbox/…`: the JSON API tests, benchmarks and demos use to change the emulated world.
/// Not part of any real provider.
struct SandboxControlAPI: Sendable {
    let sandbox: Sandbox

    struct ControlError: Error, CustomStringConvertible {
        let status: HTTPResponse.Status
        let description: String
    }

    func addRoutes(to router: Router<BasicRequestContext>) {
        let group = router.group("_sandbox")
        group.post("files") { request, context in try await respond { try await createFile(request, context) } }
        group.patch("files/:id") { request, context in try await respond { try await updateFile(request, context) } }
        group.delete("files/:id") { _, context in try await respond { try await deleteFile(context) } }
        group.post("faults") { request, context in try await respond { try await addFault(request, context) } }
        group.delete("faults") { _, _ in
            try await respond {
                await sandbox.monitor.clearFaults()
                return ["cleared": true]
            }
        }
        group.post("tokens/expire") { request, context in
            try await respond { ["expired": await sandbox.authority.expireAccessTokens(platform: try await platformArgument(request, context))] }
        }
        group.post("tokens/revoke") { request, context in
            try await respond { ["revoked": await sandbox.authority.revokeAll(platform: try await platformArgument(request, context))] }
        }
        group.post("feeds/reset") { request, context in
            try await respond {
                guard let platform = try await platformArgument(request, context) else {
                    throw ControlError(status: .badRequest, description: "platform is required.")
                }
                await sandbox.store.resetFeeds(platform)
                return ["reset": platform.rawValue]
            }
        }
        group.post("feeds/delay") { request, context in
            try await respond {
                guard let seconds = Self.number(try await body(request, context)["seconds"]), (0...3600).contains(seconds) else {
                    throw ControlError(status: .badRequest, description: "seconds (0 to 3600) is required.")
                }
                await sandbox.store.setFeedDelay(seconds)
                return ["delaySeconds": seconds]
            }
        }
        group.get("clock") { _, _ in try await respond { clockState() } }
        group.post("clock") { request, context in
            try await respond {
                // Forward only: tokens, channels and feeds assume time grows.
                guard let seconds = Self.number(try await body(request, context)["advanceSeconds"]), seconds > 0, seconds <= 3 * 365 * 86_400 else {
                    throw ControlError(status: .badRequest, description: "advanceSeconds (more than 0, at most three years) is required.")
                }
                sandbox.clock.advance(by: seconds)
                // Channels and subscriptions that ended meanwhile are gone, as at the providers.
                _ = await sandbox.webhooks.openDriveChannels()
                _ = await sandbox.webhooks.openGraphSubscriptions()
                return clockState()
            }
        }
        group.post("webhooks") { request, context in
            try await respond {
                let body = try await body(request, context)
                let travel = try Self.travel(body)
                if let platform = (body["platform"] as? String).flatMap(Platform.init(rawValue:)), [.googleDrive, .microsoft].contains(platform) {
                    // Drive's channels and Graph's subscriptions are opened by the app; only how their messages travel is set here.
                    await sandbox.webhooks.setTravel(platform, travel)
                    return ["configured": platform.rawValue]
                }
                guard body["platform"] as? String == Platform.dropbox.rawValue, let url = body["url"] as? String else {
                    throw ControlError(status: .badRequest, description: "platform (dropbox with a url, google_drive or microsoft) is required.")
                }
                let registration = Webhooks.Registration(url: url, travel: travel)
                if let refusal = await sandbox.webhooks.register(.dropbox, registration) {
                    throw ControlError(status: .badRequest, description: "The webhook was not registered: \(refusal).")
                }
                return ["registered": url]
            }
        }
        group.delete("webhooks") { _, _ in
            try await respond {
                await sandbox.webhooks.unregister(.dropbox)
                return ["unregistered": true]
            }
        }
        group.get("channels") { _, _ in
            try await respond {
                await sandbox.webhooks.openDriveChannels().map { channel -> [String: Any] in
                    [
                        "platform": Platform.googleDrive.rawValue, "id": channel.id, "resourceId": channel.resourceID, "address": channel.address,
                        "expiration": WireDate.millis(channel.expiration), "driveId": (channel.driveID as Any?) ?? NSNull(),
                    ]
                }
            }
        }
        group.get("subscriptions") { _, _ in
            try await respond { await sandbox.webhooks.openGraphSubscriptions().map(GraphSubscriptions.json) }
        }
        group.post("subscriptions/lifecycle") { request, context in
            try await respond {
                let body = try await body(request, context)
                guard let event = body["event"] as? String, ["reauthorizationRequired", "subscriptionRemoved", "missed"].contains(event) else {
                    throw ControlError(status: .badRequest, description: "event must be reauthorizationRequired, subscriptionRemoved or missed.")
                }
                return ["event": event, "told": await sandbox.webhooks.graphLifecycle(event, subscription: body["id"] as? String)]
            }
        }
        group.get("deliveries") { _, _ in
            try await respond {
                await sandbox.webhooks.deliveries().map { delivery -> [String: Any] in
                    [
                        "platform": delivery.platform.rawValue, "url": delivery.url, "attempt": delivery.attempt,
                        "status": (delivery.status as Any?) ?? NSNull(), "milliseconds": delivery.milliseconds, "at": WireDate.millis(delivery.at),
                    ]
                }
            }
        }
        group.get("stats") { _, _ in
            try await respond {
                var platforms: [String: Any] = [:]
                for (platform, stats) in await sandbox.monitor.snapshot() {
                    platforms[platform.rawValue] = ["requests": stats.requests, "routes": stats.routes]
                }
                return ["platforms": platforms]
            }
        }
        group.post("reset") { _, _ in
            try await respond {
                await sandbox.reset()
                return ["reset": true]
            }
        }
        group.post("clients") { request, context in try await respond { try await registerClient(request, context) } }
        group.get("clients") { _, _ in
            try await respond {
                await sandbox.authority.allClients().sorted { $0.platform.rawValue < $1.platform.rawValue }.map {
                    ["platform": $0.platform.rawValue, "clientId": $0.clientID, "clientSecret": $0.clientSecret, "redirectUris": $0.redirectURIs]
                }
            }
        }
    }

    private func clockState() -> [String: Any] {
        ["now": WireDate.millis(sandbox.clock.now()), "offsetSeconds": sandbox.clock.offsetSeconds]
    }

    /// How push messages travel, from a `POST /_sandbox/webhooks` body.
    static func travel(_ body: [String: Any]) throws -> Webhooks.Travel {
        let attempts = body["attempts"] as? Int ?? 4
        guard (1...10).contains(attempts) else { throw ControlError(status: .badRequest, description: "attempts must be 1 to 10.") }
        return Webhooks.Travel(
            loss: number(body["loss"]) ?? 0, duplicate: number(body["duplicate"]) ?? 0, delayMilliseconds: body["delayMs"] as? Int ?? 0, attempts: attempts)
    }

    static func number(_ value: Any?) -> Double? {
        (value as? Double) ?? (value as? Int).map(Double.init)
    }

    private func respond(_ body: () async throws -> Any) async throws -> Response {
        do {
            return Self.json(try await body(), status: .ok)
        } catch let error as ControlError {
            return Self.json(["error": error.description], status: error.status)
        }
    }

    static func json(_ object: Any, status: HTTPResponse.Status) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])) ?? Data()
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private func body(_ request: Request, _ context: BasicRequestContext) async throws -> [String: Any] {
        var request = request
        let buffer = try await request.collectBody(upTo: 256 << 20)
        if buffer.readableBytes == 0 { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any] else {
            throw ControlError(status: .badRequest, description: "The body must be a JSON object.")
        }
        return object
    }

    private func platformArgument(_ request: Request, _ context: BasicRequestContext) async throws -> Platform? {
        guard let name = try await body(request, context)["platform"] as? String else { return nil }
        guard let platform = Platform(rawValue: name) else { throw ControlError(status: .badRequest, description: "Unknown platform \(name).") }
        return platform
    }

    private func createFile(_ request: Request, _ context: BasicRequestContext) async throws -> Any {
        let body = try await body(request, context)
        guard let platformName = body["platform"] as? String, let platform = Platform(rawValue: platformName) else {
            throw ControlError(status: .badRequest, description: "platform is required: google_drive, microsoft, dropbox or confluence.")
        }
        guard let name = body["name"] as? String, !name.isEmpty else { throw ControlError(status: .badRequest, description: "name is required.") }
        let parentID = try await resolveParent(body["parentId"] as? String, platform: platform)
        let mimeType = body["mimeType"] as? String ?? "application/octet-stream"
        // On Confluence a storage-format body makes a page (which can hold children); anything else an attachment.
        let confluencePage = platform == .confluence && (mimeType == "text/html" || mimeType == "application/vnd.atlassian.page")
        let isFolder = mimeType == "application/vnd.google-apps.folder" || mimeType == "folder" || confluencePage
        // A Drive shortcut names its target (`shortcutTarget`); it has no content of its own.
        let shortcutTarget = platform == .googleDrive && mimeType == GoogleDriveAPI.shortcutType ? body["shortcutTarget"] as? String : nil
        let content: SandboxContent
        if isFolder && !confluencePage || shortcutTarget != nil {
            content = .none
        } else {
            guard let encoded = body["content"] as? String, let data = Data(base64Encoded: encoded) else {
                throw ControlError(status: .badRequest, description: "content must be base64.")
            }
            content = .bytes(Array(data))
        }
        let parent = await sandbox.store.item(parentID, platform: platform)
        let id = await Corpus.newID(platform: platform, isFolder: isFolder, store: sandbox.store)
        var item = SandboxItem(
            id: id, platform: platform, name: name, parentID: parentID, isFolder: isFolder,
            mimeType: isFolder && platform == .googleDrive ? "application/vnd.google-apps.folder" : mimeType,
            content: content, createdAt: sandbox.clock.now(), containerID: parent?.attributes["kind"] == "space" ? parent?.id : parent?.containerID)
        item.attributes = parent.map { Corpus.inheritedAttributes(from: $0) } ?? [:]
        if platform == .confluence { item.attributes["kind"] = confluencePage ? "page" : "attachment" }
        if let shortcutTarget {
            item.attributes["shortcutTarget"] = shortcutTarget
            item.attributes["shortcutTargetMimeType"] = await sandbox.store.item(shortcutTarget, platform: platform)?.mimeType ?? "application/octet-stream"
        }
        await sandbox.store.insert(item)
        return ["id": id]
    }

    private func resolveParent(_ parentID: String?, platform: Platform) async throws -> String {
        let id = parentID ?? Corpus.rootID(for: platform)
        guard let parent = await sandbox.store.item(Corpus.resolveAlias(id, platform: platform), platform: platform), parent.isFolder else {
            throw ControlError(status: .badRequest, description: "parentId \(id) is not a folder of \(platform.rawValue).")
        }
        return parent.id
    }

    private func findItem(_ id: String) async -> SandboxItem? {
        for platform in Platform.allCases {
            if let item = await sandbox.store.item(id, platform: platform) { return item }
        }
        return nil
    }

    private func updateFile(_ request: Request, _ context: BasicRequestContext) async throws -> Any {
        let id = try context.parameters.require("id")
        let body = try await body(request, context)
        if let shared = body["shared"] as? Bool {
            return try await setShared(id, shared)
        }
        guard let item = await findItem(id) else { throw ControlError(status: .notFound, description: "No file \(id).") }
        var newParent: String?
        if let parent = body["parentId"] as? String { newParent = try await resolveParent(parent, platform: item.platform) }
        var newContent: [UInt8]?
        if let encoded = body["content"] as? String {
            guard let data = Data(base64Encoded: encoded) else { throw ControlError(status: .badRequest, description: "content must be base64.") }
            newContent = Array(data)
        }
        let trashed = body["trashed"] as? Bool
        let updated = await sandbox.store.update(id, platform: item.platform) { item in
            if let name = body["name"] as? String { item.name = name }
            if let newParent { item.parentID = newParent }
            if let newContent { item.content = .bytes(newContent) }
            if let trashed { item.trashed = trashed }
        }
        return ["id": id, "version": updated?.version ?? 0]
    }

    /// `{"shared": false}` takes a file or folder (and what is under it) out of the connected
    /// account's view, as its owner unsharing it would; `{"shared": true}` gives it back.
    private func setShared(_ id: String, _ shared: Bool) async throws -> Any {
        if shared {
            guard let platform = await sandbox.store.unsharedPlatform(of: id) else {
                throw ControlError(status: .notFound, description: "No unshared file \(id).")
            }
            guard let count = await sandbox.store.share(id, platform: platform) else {
                throw ControlError(status: .conflict, description: "The folder \(id) was in is gone; it cannot be shared again there.")
            }
            return ["id": id, "shared": true, "items": count]
        }
        guard let item = await findItem(id) else { throw ControlError(status: .notFound, description: "No file \(id).") }
        return ["id": id, "shared": false, "items": await sandbox.store.unshare(id, platform: item.platform)]
    }

    private func deleteFile(_ context: BasicRequestContext) async throws -> Any {
        let id = try context.parameters.require("id")
        guard let item = await findItem(id) else { throw ControlError(status: .notFound, description: "No file \(id).") }
        return ["deleted": await sandbox.store.delete(id, platform: item.platform)]
    }

    private func addFault(_ request: Request, _ context: BasicRequestContext) async throws -> Any {
        let body = try await body(request, context)
        var platform: Platform?
        if let name = body["platform"] as? String {
            guard let parsed = Platform(rawValue: name) else { throw ControlError(status: .badRequest, description: "Unknown platform \(name).") }
            platform = parsed
        }
        let kind: FaultRule.Kind
        switch body["status"] {
        case let status as Int where [429, 500, 502, 503, 504].contains(status): kind = .status(status)
        case let text as String where text == "reset": kind = .reset
        case let text as String where text == "slow": kind = .slow(milliseconds: body["delayMs"] as? Int ?? 1000)
        case let text as String where text == "redirect":
            guard let location = body["location"] as? String else { throw ControlError(status: .badRequest, description: "a redirect needs a location.") }
            kind = .redirect(location: location)
        default: throw ControlError(status: .badRequest, description: "status must be 429, 500, 502, 503, 504, \"reset\", \"slow\" or \"redirect\".")
        }
        let rate = (body["rate"] as? Double) ?? (body["rate"] as? Int).map(Double.init) ?? 1
        guard (0...1).contains(rate) else { throw ControlError(status: .badRequest, description: "rate must be between 0 and 1.") }
        await sandbox.monitor.add(
            FaultRule(
                platform: platform, path: body["path"] as? String, query: body["query"] as? String, kind: kind, rate: rate,
                retryAfter: body["retryAfter"] as? Int))
        return ["added": true]
    }

    private func registerClient(_ request: Request, _ context: BasicRequestContext) async throws -> Any {
        let body = try await body(request, context)
        guard let name = body["platform"] as? String, let platform = Platform(rawValue: name),
            let clientID = body["clientId"] as? String, let secret = body["clientSecret"] as? String,
            let redirects = body["redirectUris"] as? [String]
        else { throw ControlError(status: .badRequest, description: "platform, clientId, clientSecret and redirectUris are required.") }
        await sandbox.authority.register(OAuthClient(platform: platform, clientID: clientID, clientSecret: secret, redirectURIs: redirects))
        return ["registered": clientID]
    }
}
