import CirrusCore
import Foundation

/// Graph's change notifications on a drive (`providers/sync.md` §A.2): a subscription on the
/// drive's root (`changeType` `updated`, the only one drive items support), with a `clientState`
/// secret echoed on every notification and a lifecycle URL for `reauthorizationRequired`;
/// renewed by `PATCH`, ended by `DELETE`. Graph first posts a `validationToken` to the URL and
/// creates the subscription only if it comes back, so the receiver must be up and reachable.
extension MicrosoftConnector: PushChannelConnector {
    /// Graph's longest subscription on drive items: 42,300 minutes.
    public static let maximumSubscriptionLifetime: TimeInterval = 42_300 * 60

    public var pushes: Bool { configuration.graphSubscriptions }

    private var subscriptions: String { configuration.hosts.base("graph.microsoft.com") + "/v1.0/subscriptions" }

    public func watch(feed: String, position: String, channel: PushChannelRequest, session: ProviderSession) async throws -> PushChannel {
        let resource = "/drives/\(Self.escape(feed))/root"
        let body = GraphWire.SubscriptionRequest(
            changeType: "updated", notificationUrl: channel.address, lifecycleNotificationUrl: channel.address, resource: resource,
            expirationDateTime: Self.expiration(channel.expiration), clientState: channel.token)
        // Graph waits for the validation request before it answers.
        let reply = try await http.postJSON(subscriptions, body, headers: [("Authorization", "Bearer \(session.accessToken)")], timeout: .seconds(40))
        guard (200..<300).contains(reply.status) else { throw ProviderHTTP.apiError(reply) }
        let created = try reply.decode(GraphWire.Subscription.self, "Graph's subscription")
        return PushChannel(id: created.id, resourceID: created.resource ?? resource, expiration: created.expiration ?? channel.expiration)
    }

    public func renew(_ channel: PushChannel, until expiration: Date, session: ProviderSession) async throws -> PushChannel? {
        let reply = try await http.sendJSON(
            .PATCH, subscriptions + "/" + Self.escape(channel.id), GraphWire.Renewal(expirationDateTime: Self.expiration(expiration)),
            headers: [("Authorization", "Bearer \(session.accessToken)")])
        if reply.status == 404 { return nil }
        guard (200..<300).contains(reply.status) else { throw ProviderHTTP.apiError(reply) }
        let renewed = try reply.decode(GraphWire.Subscription.self, "Graph's renewed subscription")
        return PushChannel(id: channel.id, resourceID: channel.resourceID, expiration: renewed.expiration ?? expiration)
    }

    public func stop(_ channel: PushChannel, session: ProviderSession) async throws {
        let reply = try await http.send(
            .DELETE, subscriptions + "/" + Self.escape(channel.id), headers: [("Authorization", "Bearer \(session.accessToken)")])
        // A subscription that expired or was removed already is what was wanted.
        guard (200..<300).contains(reply.status) || reply.status == 404 else { throw ProviderHTTP.apiError(reply) }
    }

    /// ISO 8601 in UTC, within Graph's longest lifetime.
    private static func expiration(_ wanted: Date) -> String {
        let end = min(wanted, Date().addingTimeInterval(maximumSubscriptionLifetime - 60))
        return end.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

extension GraphWire {
    struct SubscriptionRequest: Encodable {
        let changeType: String
        let notificationUrl: String
        let lifecycleNotificationUrl: String
        let resource: String
        let expirationDateTime: String
        let clientState: String
    }

    struct Renewal: Encodable {
        let expirationDateTime: String
    }

    /// A `subscription` as Graph returns it.
    struct Subscription: Decodable {
        let id: String
        let resource: String?
        let expirationDateTime: String

        var expiration: Date? { ProviderDate.parse(expirationDateTime) }
    }
}
