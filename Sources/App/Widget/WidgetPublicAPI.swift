import CirrusCore
import Foundation
import HTTPTypes
import Hummingbird
import Knowledge

/// What the website widget calls, without sign-in, from the pages of the origins its admins
/// allowed: `POST /api/v1/widget/{site}/session` gives an anonymous visitor a short-lived token,
/// `…/messages {question, conversationId?}` asks (with the token in `X-Cirrus-Visitor`; a
/// follow-up is understood from the conversation's turns), `…/feedback {conversationId, turnId,
/// rating, comment?}` rates an answer. Every request's `Origin` is checked against the list
/// (``WidgetCORSMiddleware``); visitors are rate-limited per visitor and per site and see
/// source links only where the chatbot's settings allow.
struct WidgetPublicAPI {
    let widget: WidgetService
    let chatbot: ChatbotService
    let conversations: ConversationService
    let tokens: VisitorTokens
    let limiter: WidgetRateLimiter

    static let visitorHeader = HTTPField.Name("X-Cirrus-Visitor")!

    struct SessionResponse: ResponseEncodable, Decodable {
        struct Chatbot: Codable {
            let name: String
            let greeting: String
        }
        struct Look: Codable {
            let colour: String
            let position: WidgetPosition
            let launcherText: String
        }
        let token: String
        let expiresAt: Date
        let chatbot: Chatbot
        let widget: Look
    }

    struct Question: Decodable {
        let question: String
        let conversationId: UUID?
    }

    struct AnswerResponse: ResponseEncodable, Decodable {
        let conversationId: UUID
        let turn: ConversationsAPI.TurnDTO
    }

    struct Feedback: Decodable {
        let conversationId: UUID
        let turnId: UUID
        let rating: Rating
        let comment: String?
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group().add(middleware: WidgetCORSMiddleware(widget: widget))
        for route in [SiteRoute.widgetSession(nil), .widgetMessages(nil), .widgetFeedback(nil)] {
            // Preflights are answered by the middleware: a route must exist for it to run.
            group.on(route.pattern, method: .options) { _, _ in Response(status: .noContent) }
        }
        group.post(SiteRoute.widgetSession(nil).pattern) { _, context -> SessionResponse in
            let site = try Self.admitted(context)
            let profile = try await chatbot.profile(for: site.workspaceID)
            let look = site.profile
            let (token, claims) = tokens.issue(site: site.key)
            return SessionResponse(
                token: token, expiresAt: claims.expires, chatbot: .init(name: profile.name, greeting: profile.greeting),
                widget: .init(colour: look.colour, position: look.position, launcherText: look.launcherText))
        }
        group.post(SiteRoute.widgetMessages(nil).pattern) { request, context -> AnswerResponse in
            let site = try Self.admitted(context)
            let visitor = try tokens.visitor(in: request.headers[Self.visitorHeader], site: site.key)
            let body = try await request.decode(as: Question.self, context: context)
            let question = try ChatQuestion(question: body.question, category: nil, source: nil).validated()
            try await limiter.admit(visitor: visitor, site: site.key)
            let owner = ConversationOwner.visitor(workspaceID: site.workspaceID, visitorID: visitor)
            let conversation: Conversation
            if let id = body.conversationId {
                conversation = try await conversations.find(id, of: owner)
            } else {
                conversation = try await conversations.create(title: nil, for: owner)
            }
            let profile = try await chatbot.profile(for: site.workspaceID)
            let turn = try await conversations.ask(question, filter: SearchFilter(), in: conversation, profile: profile, channel: .widget)
            var dto = ConversationsAPI.TurnDTO(turn, showsReason: false, contactURL: profile.contactURL)
            // A visitor sees where each source is, and follows a link only where the admin allows.
            if !profile.showsSourceLinks {
                dto.sources = dto.sources.map {
                    var source = $0
                    source.url = nil
                    return source
                }
            }
            return AnswerResponse(conversationId: try conversation.requireID(), turn: dto)
        }
        group.post(SiteRoute.widgetFeedback(nil).pattern) { request, context -> Response in
            let site = try Self.admitted(context)
            let visitor = try tokens.visitor(in: request.headers[Self.visitorHeader], site: site.key)
            let body = try await request.decode(as: Feedback.self, context: context)
            let conversation = try await conversations.find(body.conversationId, of: .visitor(workspaceID: site.workspaceID, visitorID: visitor))
            try await conversations.rate(body.turnId, in: conversation, body.rating, comment: body.comment)
            return Response(status: .noContent)
        }
    }

    /// The site named by the path, as the middleware admitted it (nil: the origin may not use it).
    private static func admitted(_ context: AppRequestContext) throws -> WidgetSite {
        guard let site = context.widgetSite else { throw WidgetError.originNotAllowed }
        return site
    }
}

/// CORS for the widget's routes, answered only to the origins its site allows: a preflight
/// from one of them gets the methods and headers the widget uses, anything from elsewhere no
/// `Access-Control-Allow-Origin` at all (so a browser on a disallowed page cannot read a reply,
/// and the routes refuse it with 403). Error replies carry the header too, so the widget can
/// show "too many questions" or "session expired" to a visitor on an allowed page.
struct WidgetCORSMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let widget: WidgetService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let origin = request.headers[.origin]
        // /api/v1/widget/{site}/…
        let segments = request.uri.path.split(separator: "/")
        let site = segments.count > 3 ? String(segments[3]) : ""
        // One lookup per request: the routes use the site found here. A refusal is a site not
        // admitted; any other failure (the store) is answered as such, without CORS.
        var context = context
        if origin != nil {
            do {
                context.widgetSite = try await widget.site(site, origin: origin)
            } catch is WidgetError {
                context.widgetSite = nil
            } catch {
                return try ErrorMiddleware.jsonResponse(for: error, context: context)
            }
        }
        let admitted = context.widgetSite != nil
        var response: Response
        if request.method == .options {
            response = Response(status: admitted ? .noContent : .forbidden)
            if admitted {
                response.headers[.accessControlAllowMethods] = "POST"
                response.headers[.accessControlAllowHeaders] = "Content-Type, X-Cirrus-Visitor"
                response.headers[.accessControlMaxAge] = "600"
            }
        } else {
            do {
                response = try await next(request, context)
            } catch {
                response = try ErrorMiddleware.jsonResponse(for: error, context: context)
            }
        }
        response.headers[.vary] = "Origin"
        if admitted, let origin {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlExposeHeaders] = "Retry-After"
        }
        return response
    }
}
