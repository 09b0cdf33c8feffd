import CirrusCore
import Foundation
import Hummingbird

/// Every path Cirrus serves, in one place: the router registers ``pattern``, views link to
/// ``path``, redirects and path checks compare with them. A case's parameter is the value in a
/// link; `nil` names the parameter instead (the router's pattern), e.g.
/// `.disconnectForm(.dropbox).path` is `/admin/integrations/dropbox/disconnect` and
/// `.disconnectForm(nil).pattern` is `/admin/integrations/:platform/disconnect`.
enum SiteRoute: Hashable, Sendable {
    // Signing in and out.
    case home
    case login
    case logout
    /// Where an invitation link leads (set a password and join); no sign-in.
    case invitationPage(String?)

    // Pages and their forms, under /admin.
    case dashboard
    case integrationsPage
    /// Choose the resource a connection reads (a Confluence site).
    case resourceForm(Platform?)
    /// The first spelling of ``resourceForm(_:)``, for Confluence only; still served.
    case confluenceSiteForm
    case disconnectForm(Platform?)
    case documentsPage
    case reimportForm(UUID?)
    case deleteDocumentForm(UUID?)
    case sourcesPage
    case syncSourceForm(UUID?)
    /// Pauses a running source or resumes a paused one.
    case toggleSourceForm(UUID?)
    case deleteSourceForm(UUID?)
    case activityPage
    case chatPage
    case chatStream
    /// Rates one answer of the open conversation (form: `conversation`, `rating`, `comment`).
    case rateTurnForm(UUID?)
    case deleteConversationForm(UUID?)
    case chatbotPage
    case widgetPage
    case insightsPage
    case insightsQuestionsCSV
    case insightsRatingsCSV
    case settingsPage
    case passwordForm
    case signOutEverywhereForm
    case revokeTokenForm(String?)
    /// The workspace's API keys (admins): the list, and the form that makes one.
    case apiKeysPage
    case revokeAPIKeyForm(UUID?)
    /// The workspace's people (admins): the list, and the form that invites someone.
    case peoplePage
    /// The signed-in person's notifications (visiting marks them read), and their muted kinds.
    case notificationsPage
    case notificationPreferencesForm
    /// The workspace's webhook (admins).
    case webhookForm
    case personRoleForm(UUID?)
    case removePersonForm(UUID?)
    case revokeInvitationForm(UUID?)

    // The API, under /api/v1.
    case apiLogin
    case apiLogout
    case apiLogoutEverywhere
    case me
    case myPassword
    case myTokens
    case myToken(String?)
    /// The workspace's API keys (`GET` list, `POST` make one), and one of them (`DELETE`).
    case apiKeys
    case apiKey(UUID?)
    /// The workspace's people and invitations (`GET`); one person (`PATCH` role, `DELETE`).
    /// The caller's notifications (`GET ?unread=true&limit=`); mark some or all read (`POST`);
    /// the kinds they muted (`GET`, `PUT`).
    case notifications
    case notificationsRead
    case notificationPreferences
    /// The workspace's notification webhook (`GET`, `PUT {url, enabled}`), and its delivery log.
    case webhook
    case webhookDeliveries
    case people
    case person(UUID?)
    /// Invite someone (`POST`); one invitation (`DELETE`).
    case invitations
    case invitation(UUID?)
    case integrations
    case connect(Platform?)
    case integration(Platform?)
    case callback(Platform?)
    case account(Platform?)
    case resource(Platform?)
    /// The first spelling of ``resource(_:)`` (body `{"siteId"}`), for Confluence only; still served.
    case confluenceSite
    case files(Platform?)
    /// One file's details and the start of its text, read on the fly, for the picker's preview.
    case filePreview(Platform?, String?)
    case startImport(Platform?)
    case imports
    case importJob(UUID?)
    case importEvents(UUID?)
    case documents
    case document(UUID?)
    case reimport(UUID?)
    case sources
    case source(UUID?)
    case syncSource(UUID?)
    /// Dropbox's app webhook (challenge `GET`, signed `POST`); no sign-in.
    case dropboxWebhook
    /// Where Drive's change channels post; no sign-in (the channel's token is the proof).
    case googleDriveWebhook
    /// Where Graph's subscriptions post (validation, notifications, lifecycle events); no
    /// sign-in (the subscription's `clientState` is the proof).
    case microsoftWebhook
    case activity
    case chat
    case conversations
    case conversation(UUID?)
    case conversationMessages(UUID?)
    /// Rates one answer of a conversation (`{rating: up|down, comment?}`).
    case turnFeedback(UUID?, UUID?)
    /// The chatbot's settings (`GET`, `PATCH`).
    case chatbot
    /// The website widget's settings (`GET`, `PATCH`).
    case widget
    /// The widget's public routes, by site key: a visitor token, questions, ratings.
    case widgetSession(String?)
    case widgetMessages(String?)
    case widgetFeedback(String?)

    // The server itself.
    case health
    case metrics
    /// A file under /static (`nil`: every file, `/static/**`).
    case staticFile(String?)

    /// Where the pages live; a sign-in may only return below it.
    static let pagesPrefix = "/admin"
    /// Where the API lives: errors below it are JSON.
    static let apiPrefix = "/api/"

    /// One piece of a path: fixed text, or a parameter with its value (or none, in a pattern).
    enum Segment: Hashable, Sendable {
        case literal(String)
        case parameter(String, value: String?)
        /// The rest of the path (`**` in a pattern).
        case rest(String?)
    }

    var segments: [Segment] {
        func page(_ rest: Segment...) -> [Segment] { [.literal("admin")] + rest }
        func api(_ rest: Segment...) -> [Segment] { [.literal("api"), .literal("v1")] + rest }
        let integrations = Segment.literal("integrations")
        func platform(_ value: Platform?) -> Segment { .parameter("platform", value: value?.rawValue) }
        func id(_ value: UUID?) -> Segment { .parameter("id", value: value?.uuidString) }
        func id(_ value: String?) -> Segment { .parameter("id", value: value) }
        switch self {
        case .home: return []
        case .login: return [.literal("login")]
        case .logout: return [.literal("logout")]
        case .invitationPage(let token): return [.literal("invite"), .parameter("token", value: token)]
        case .dashboard: return page()
        case .integrationsPage: return page(integrations)
        case .resourceForm(let value): return page(integrations, platform(value), .literal("resource"))
        case .confluenceSiteForm: return page(integrations, .literal("confluence"), .literal("site"))
        case .disconnectForm(let value): return page(integrations, platform(value), .literal("disconnect"))
        case .documentsPage: return page(.literal("documents"))
        case .reimportForm(let value): return page(.literal("documents"), id(value), .literal("reimport"))
        case .deleteDocumentForm(let value): return page(.literal("documents"), id(value), .literal("delete"))
        case .sourcesPage: return page(.literal("sources"))
        case .syncSourceForm(let value): return page(.literal("sources"), id(value), .literal("sync"))
        case .toggleSourceForm(let value): return page(.literal("sources"), id(value), .literal("toggle"))
        case .deleteSourceForm(let value): return page(.literal("sources"), id(value), .literal("delete"))
        case .activityPage: return page(.literal("activity"))
        case .chatPage: return page(.literal("chat"))
        case .chatStream: return page(.literal("chat"), .literal("stream"))
        case .rateTurnForm(let value): return page(.literal("chat"), .literal("turns"), id(value), .literal("rate"))
        case .deleteConversationForm(let value): return page(.literal("chat"), .literal("conversations"), id(value), .literal("delete"))
        case .chatbotPage: return page(.literal("chatbot"))
        case .widgetPage: return page(.literal("widget"))
        case .insightsPage: return page(.literal("insights"))
        case .insightsQuestionsCSV: return page(.literal("insights"), .literal("questions.csv"))
        case .insightsRatingsCSV: return page(.literal("insights"), .literal("ratings.csv"))
        case .settingsPage: return page(.literal("settings"))
        case .passwordForm: return page(.literal("settings"), .literal("password"))
        case .signOutEverywhereForm: return page(.literal("settings"), .literal("sign-out-everywhere"))
        case .revokeTokenForm(let value): return page(.literal("settings"), .literal("tokens"), id(value), .literal("revoke"))
        case .apiKeysPage: return page(.literal("api-keys"))
        case .revokeAPIKeyForm(let value): return page(.literal("api-keys"), id(value), .literal("revoke"))
        case .notificationsPage: return page(.literal("notifications"))
        case .notificationPreferencesForm: return page(.literal("notifications"), .literal("preferences"))
        case .webhookForm: return page(.literal("notifications"), .literal("webhook"))
        case .webhook: return api(.literal("webhook"))
        case .webhookDeliveries: return api(.literal("webhook"), .literal("deliveries"))
        case .notifications: return api(.literal("notifications"))
        case .notificationsRead: return api(.literal("notifications"), .literal("read"))
        case .notificationPreferences: return api(.literal("notifications"), .literal("preferences"))
        case .peoplePage: return page(.literal("people"))
        case .personRoleForm(let value): return page(.literal("people"), id(value), .literal("role"))
        case .removePersonForm(let value): return page(.literal("people"), id(value), .literal("remove"))
        case .revokeInvitationForm(let value): return page(.literal("people"), .literal("invitations"), id(value), .literal("revoke"))
        case .people: return api(.literal("people"))
        case .person(let value): return api(.literal("people"), id(value))
        case .invitations: return api(.literal("people"), .literal("invitations"))
        case .invitation(let value): return api(.literal("people"), .literal("invitations"), id(value))
        case .apiKeys: return api(.literal("api-keys"))
        case .apiKey(let value): return api(.literal("api-keys"), id(value))
        case .apiLogin: return api(.literal("auth"), .literal("login"))
        case .apiLogout: return api(.literal("auth"), .literal("logout"))
        case .apiLogoutEverywhere: return api(.literal("auth"), .literal("logout-everywhere"))
        case .me: return api(.literal("me"))
        case .myPassword: return api(.literal("me"), .literal("password"))
        case .myTokens: return api(.literal("me"), .literal("tokens"))
        case .myToken(let value): return api(.literal("me"), .literal("tokens"), id(value))
        case .integrations: return api(integrations)
        case .connect(let value): return api(integrations, platform(value), .literal("connect"))
        case .integration(let value): return api(integrations, platform(value))
        case .callback(let value): return api(integrations, platform(value), .literal("callback"))
        case .account(let value): return api(integrations, platform(value), .literal("account"))
        case .resource(let value): return api(integrations, platform(value), .literal("resource"))
        case .confluenceSite: return api(integrations, .literal("confluence"), .literal("site"))
        case .files(let value): return api(integrations, platform(value), .literal("files"))
        case .filePreview(let value, let file):
            return api(integrations, platform(value), .literal("files"), .parameter("file", value: file), .literal("preview"))
        case .startImport(let value): return api(integrations, platform(value), .literal("import"))
        case .imports: return api(.literal("imports"))
        case .importJob(let value): return api(.literal("imports"), id(value))
        case .importEvents(let value): return api(.literal("imports"), id(value), .literal("events"))
        case .documents: return api(.literal("documents"))
        case .document(let value): return api(.literal("documents"), id(value))
        case .reimport(let value): return api(.literal("documents"), id(value), .literal("reimport"))
        case .sources: return api(.literal("sources"))
        case .source(let value): return api(.literal("sources"), id(value))
        case .syncSource(let value): return api(.literal("sources"), id(value), .literal("sync"))
        case .dropboxWebhook: return api(.literal("webhooks"), .literal("dropbox"))
        case .googleDriveWebhook: return api(.literal("webhooks"), .literal("google-drive"))
        case .microsoftWebhook: return api(.literal("webhooks"), .literal("microsoft"))
        case .activity: return api(.literal("activity"))
        case .chat: return api(.literal("chat"))
        case .conversations: return api(.literal("conversations"))
        case .conversation(let value): return api(.literal("conversations"), id(value))
        case .conversationMessages(let value): return api(.literal("conversations"), id(value), .literal("messages"))
        case .turnFeedback(let conversation, let turn):
            return api(.literal("conversations"), id(conversation), .literal("turns"), .parameter("turn", value: turn?.uuidString), .literal("feedback"))
        case .chatbot: return api(.literal("chatbot"))
        case .widget: return api(.literal("widget"))
        case .widgetSession(let site): return api(.literal("widget"), .parameter("site", value: site), .literal("session"))
        case .widgetMessages(let site): return api(.literal("widget"), .parameter("site", value: site), .literal("messages"))
        case .widgetFeedback(let site): return api(.literal("widget"), .parameter("site", value: site), .literal("feedback"))
        case .health: return [.literal("health")]
        case .metrics: return [.literal("metrics")]
        case .staticFile(let value): return [.literal("static"), .rest(value)]
        }
    }

    /// The path to link or redirect to; parameters are percent-encoded.
    var path: String {
        "/"
            + segments.map { segment in
                switch segment {
                case .literal(let text): text
                case .parameter(let name, let value): value.map(Self.encoded) ?? ":\(name)"
                case .rest(let value): value.map { $0.split(separator: "/").map { Self.encoded(String($0)) }.joined(separator: "/") } ?? "**"
                }
            }.joined(separator: "/")
    }

    /// The router's pattern: each parameter named (`:platform`), the rest as `**`.
    var pattern: RouterPath {
        RouterPath(
            "/"
                + segments.map { segment in
                    switch segment {
                    case .literal(let text): text
                    case .parameter(let name, _): ":\(name)"
                    case .rest: "**"
                    }
                }.joined(separator: "/"))
    }

    /// `METHOD pattern`, how tables of routes (rate limits, API key scopes) name one endpoint;
    /// after routing, `endpoint` is the request context's `endpointPath`.
    static func endpointKey(_ method: HTTPRequest.Method, _ endpoint: String) -> String { "\(method) \(endpoint)" }

    func endpointKey(_ method: HTTPRequest.Method) -> String { Self.endpointKey(method, pattern.description) }

    /// The path with a query string, e.g. `.integrationsPage.with(["outcome": "connected"])`.
    func with(_ query: KeyValuePairs<String, String>) -> String {
        guard !query.isEmpty else { return path }
        // Only unreserved characters stay as they are: `&`, `=`, `+` and the rest are encoded,
        // so each value comes back exactly as it was given.
        let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "" }
        return path + "?" + query.map { "\(encode($0.key))=\(encode($0.value))" }.joined(separator: "&")
    }

    private static func encoded(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? value
    }
}
