import CirrusCore
import Foundation
import Hummingbird

/// Graph's change notifications on drives (`providers/sync.md` §A.2): `POST /subscriptions`
/// (only `updated`, only a drive's root, at most 42,300 minutes, the write scope, and a
/// notification URL that passes the validation request), `GET`, `PATCH` (renewal) and `DELETE
/// /subscriptions/{id}`. Notifications are sent by ``Webhooks``.
struct GraphSubscriptions {
    let api: GraphAPI
    let webhooks: Webhooks
    /// Graph's longest subscription on a driveItem.
    static let maximumMinutes = 42_300

    func handle(_ segments: [String], _ context: GraphAPI.Context) async -> SandboxResponse {
        let request = context.request
        switch (request.method, segments.count) {
        case (.post, 1): return await create(context)
        case (.get, 1):
            let values = await webhooks.openGraphSubscriptions().map(Self.json)
            return api.ok(
                ["@odata.context": "https://graph.microsoft.com/v1.0/$metadata#subscriptions", "value": values], request, operation: "subscriptions.list")
        case (.get, 2):
            guard let subscription = await webhooks.graphSubscription(segments[1]) else { return notFound(context) }
            return api.ok(Self.json(subscription), request, operation: "subscriptions.get")
        case (.patch, 2): return await renew(segments[1], context)
        case (.delete, 2):
            guard await webhooks.deleteGraphSubscription(segments[1]) else { return notFound(context) }
            return SandboxResponse(status: .noContent, headers: GraphAPI.headers(request), body: .init(), operation: "subscriptions.delete")
        default:
            return GraphAPI.error(405, "Request_BadRequest", "The HTTP method is not allowed here.", request: request, operation: "subscriptions")
        }
    }

    private func create(_ context: GraphAPI.Context) async -> SandboxResponse {
        let request = context.request
        let operation = "subscriptions.create"
        // Delegated subscriptions on drive items need the write scope, whatever the app then does.
        guard context.scopes.contains("Files.ReadWrite.All") || context.scopes.contains("Files.ReadWrite") else {
            return GraphAPI.error(
                403, "ExtensionError", "Operation: Create; Exception: [Status Code: Forbidden; Reason: Insufficient privileges to complete the operation.]",
                request: request, operation: operation)
        }
        guard let body = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any] else {
            return invalid("Unable to read JSON request payload.", request)
        }
        guard body["changeType"] as? String == "updated" else {
            return invalid("Only 'updated' is supported as changeType for driveItem subscriptions.", request)
        }
        guard let resource = body["resource"] as? String, let drive = Self.drive(of: resource) else {
            return invalid("Subscriptions on drive items are only supported on the root of a drive.", request)
        }
        guard let notificationURL = body["notificationUrl"] as? String, Webhooks.acceptsAddress(notificationURL) else {
            return invalid("The notification URL must be https.", request)
        }
        let lifecycleURL = body["lifecycleNotificationUrl"] as? String
        if let lifecycleURL, !Webhooks.acceptsAddress(lifecycleURL) { return invalid("The lifecycle notification URL must be https.", request) }
        let clientState = body["clientState"] as? String
        if let clientState, clientState.count > 128 { return invalid("clientState must be at most 128 characters.", request) }
        guard let expiration = (body["expirationDateTime"] as? String).flatMap(WireDate.parse) else {
            return invalid("expirationDateTime is required.", request)
        }
        if let refusal = Self.refusal(expiration, now: api.store.clock.now()) { return invalid(refusal, request) }
        for url in [notificationURL] + (lifecycleURL.map { [$0] } ?? []) {
            if let failure = await webhooks.validate(url) {
                return GraphAPI.error(
                    400, "ValidationError",
                    "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request: \(failure).",
                    request: request, operation: operation)
            }
        }
        let subscription = Webhooks.GraphSubscription(
            id: UUID().uuidString.lowercased(), resource: resource, driveID: drive, notificationURL: notificationURL, lifecycleURL: lifecycleURL,
            clientState: clientState, expiration: expiration)
        await webhooks.addGraphSubscription(subscription)
        var reply = Self.json(subscription)
        reply["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity"
        var response = api.ok(reply, request, operation: operation)
        response.status = .created
        return response
    }

    private func renew(_ id: String, _ context: GraphAPI.Context) async -> SandboxResponse {
        let request = context.request
        guard let body = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
            let expiration = (body["expirationDateTime"] as? String).flatMap(WireDate.parse)
        else { return invalid("expirationDateTime is required.", request) }
        if let refusal = Self.refusal(expiration, now: api.store.clock.now()) { return invalid(refusal, request) }
        guard let renewed = await webhooks.renewGraphSubscription(id, until: expiration) else { return notFound(context) }
        return api.ok(Self.json(renewed), request, operation: "subscriptions.renew")
    }

    private static func refusal(_ expiration: Date, now: Date) -> String? {
        if expiration <= now { return "Subscription expiration must be in the future." }
        if expiration > now.addingTimeInterval(TimeInterval(maximumMinutes * 60)) {
            return "Subscription expiration can only be \(maximumMinutes) minutes in the future."
        }
        return nil
    }

    /// The drive a resource names, when it is a drive's root: `/me/drive/root`, `/drives/{id}/root`.
    static func drive(of resource: String) -> String? {
        let parts = resource.split(separator: "/").map(String.init)
        if parts == ["me", "drive", "root"] { return GraphDirectory.oneDrive.id }
        guard parts.count == 3, parts[0] == "drives", parts[2] == "root", let drive = GraphDirectory.drive(parts[1].removingPercentEncoding ?? parts[1])
        else { return nil }
        return drive.id
    }

    static func json(_ subscription: Webhooks.GraphSubscription) -> [String: Any] {
        [
            "id": subscription.id, "resource": subscription.resource, "changeType": "updated", "notificationUrl": subscription.notificationURL,
            "lifecycleNotificationUrl": (subscription.lifecycleURL as Any?) ?? NSNull(), "clientState": (subscription.clientState as Any?) ?? NSNull(),
            "expirationDateTime": WireDate.millis(subscription.expiration), "applicationId": "00000000-0000-0000-0000-000000000000",
            "includeResourceData": false, "latestSupportedTlsVersion": "v1_2",
        ]
    }

    private func invalid(_ message: String, _ request: SandboxRequest) -> SandboxResponse {
        GraphAPI.error(400, "InvalidRequest", message, request: request, operation: "subscriptions")
    }

    private func notFound(_ context: GraphAPI.Context) -> SandboxResponse {
        GraphAPI.error(404, "ResourceNotFound", "The object was not found.", request: context.request, operation: "subscriptions")
    }
}
