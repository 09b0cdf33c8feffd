import CirrusCore
import Foundation
import Knowledge
import Plot

/// Asking the chatbot: the person's conversations, the form, then the open conversation's
/// questions, newest first, each answer with its numbered citations and its rating.
enum ChatPage {
    struct Model: Sendable {
        let documentCount: Int
        let categories: [String]
        let selectedCategory: String?
        let csrfToken: String?
        /// The open conversation (nil: the next question starts one), and the latest ones to reopen.
        let conversationID: UUID?
        let conversations: [ConversationLink]
        let turns: [Turn]
        let notice: String?
        /// Admins see why an answer was "I don't know".
        let showsReasons: Bool
        /// The chatbot's name and greeting, and where its "I don't know" sends people.
        let chatbotName: String
        let greeting: String
        let contactURL: String?
    }

    struct ConversationLink: Sendable {
        let id: UUID
        let title: String
    }

    struct Turn: Sendable {
        let id: UUID
        let question: String
        let category: String?
        let answer: String
        let sources: [Source]
        let declinedReason: String?
        /// Whether the answer was "I don't know".
        let declined: Bool
        let rating: Rating?
    }

    /// The element id of a turn, for links to it and its sources.
    static func anchor(_ turnID: UUID) -> String { "turn-\(turnID.uuidString.prefix(8).lowercased())" }

    struct Source: Sendable, Codable {
        let number: Int
        let title: String
        let platform: String
        let platformName: String
        let url: String?
        let location: String?
        let confidence: Int
        /// The platform's icon, for the page's script; turns kept before it was added have none.
        var icon: String? = nil

        /// Where a platform's icon is served.
        static func icon(for platform: String) -> String { SiteRoute.staticFile("icons/\(platform).svg").path }
    }

    static func render(_ model: Model, chrome: PageChrome) -> String {
        Layout.render(
            chrome,
            main: .group(
                .p(.class("lead"), .text("Ask a question; answers quote the documents they come from and cite them.")),
                .div(
                    .class("chatbot-greeting"), .strong(.safeText(model.chatbotName)), .text(": "), .safeText(model.greeting),
                    .if(model.showsReasons, .group(.text(" "), .a(.class("muted settings-link"), .href(SiteRoute.chatbotPage.path), .text("Chatbot settings"))))
                ),
                model.documentCount == 0
                    ? .div(
                        .class("empty"), .p(.text("The knowledge base is empty, so there is nothing to answer from yet. Import documents first.")),
                        .a(.class("button"), .href(SiteRoute.documentsPage.path), .text("Go to Documents")))
                    : .p(.class("muted"), .safeText("\(model.documentCount) document\(model.documentCount == 1 ? "" : "s") in the knowledge base.")),
                .unwrap(model.notice) { .div(.class("notice error"), .attr("role", "alert"), .safeText($0)) },
                conversationList(model),
                form(model),
                .section(
                    .class("chat-history"), .attr("aria-label", "Questions asked in this session"), .attr("aria-live", "polite"),
                    .forEach(model.turns.enumerated()) { index, turn in
                        self.turn(turn, latest: index == 0, model: model)
                    }
                )
            ))
    }

    private static func form(_ model: Model) -> Node<HTML.BodyContext> {
        .form(
            .class("chat-form"), .method(.post), .action(SiteRoute.chatPage.path), .attr("data-stream", SiteRoute.chatStream.path),
            .attr("data-rate", SiteRoute.rateTurnForm(nil).path),
            CSRFField.node(model.csrfToken),
            .input(.type(.hidden), .name("conversation"), .attr("value", model.conversationID?.uuidString ?? "")),
            .label(.attr("for", "question"), .text("Question")),
            .textarea(
                .id("question"), .name("question"), .attr("rows", "2"), .attr("required", "required"), .attr("maxlength", "2000"),
                .attr("placeholder", "What are the main features of our product?")),
            .div(
                .class("chat-actions"),
                .label(.attr("for", "chat-category"), .text("Category")),
                FormFields.select(
                    id: "chat-category", name: "category", options: [("", "All categories")] + model.categories.map { ($0, $0) },
                    selected: model.selectedCategory),
                .button(.type(.submit), .class("button"), .id("ask"), .text("Ask"))
            )
        )
    }

    /// The person's latest conversations, the open one marked; a new one; deleting the open one.
    private static func conversationList(_ model: Model) -> Node<HTML.BodyContext> {
        .element(
            named: "nav",
            nodes: [
                .class("conversations"), .attr("aria-label", "Conversations"),
                .a(.class("button subtle"), .href(SiteRoute.chatPage.with(["new": "1"])), .text("New conversation")),
                .if(
                    !model.conversations.isEmpty,
                    .ul(
                        .forEach(model.conversations) { link in
                            .li(
                                .a(
                                    .href(SiteRoute.chatPage.with(["conversation": link.id.uuidString])),
                                    link.id == model.conversationID ? .attr("aria-current", "page") : .empty,
                                    .safeText(link.title.isEmpty ? "New conversation" : link.title)))
                        })),
                .unwrap(model.conversationID) { id in
                    .form(
                        .method(.post), .action(SiteRoute.deleteConversationForm(id).path), .class("inline"),
                        .data(named: "confirm", value: "Delete this conversation and its answers?"),
                        CSRFField.node(model.csrfToken),
                        .button(.type(.submit), .class("button subtle"), .text("Delete this conversation")))
                },
            ])
    }

    /// Helpful or not, with what was missing: kept with the turn, counted in Insights.
    private static func rating(_ turn: Turn, model: Model) -> Node<HTML.BodyContext> {
        .form(
            .class("rating"), .method(.post), .action(SiteRoute.rateTurnForm(turn.id).path), .attr("aria-label", "Rate this answer"),
            CSRFField.node(model.csrfToken),
            .input(.type(.hidden), .name("conversation"), .attr("value", model.conversationID?.uuidString ?? "")),
            .button(
                .type(.submit), .class("button subtle"), .name("rating"), .value("up"), .attr("aria-pressed", turn.rating == .up ? "true" : "false"),
                .text("Helpful")),
            .button(
                .type(.submit), .class("button subtle"), .name("rating"), .value("down"), .attr("aria-pressed", turn.rating == .down ? "true" : "false"),
                .text("Not helpful")),
            .input(
                .type(.text), .name("comment"), .attr("maxlength", "2000"), .attr("aria-label", "What was wrong or missing? (optional)"),
                .attr("placeholder", "What was wrong or missing? (optional)"))
        )
    }

    private static func turn(_ turn: Turn, latest: Bool, model: Model) -> Node<HTML.BodyContext> {
        let anchor = Self.anchor(turn.id)
        let body: Node<HTML.BodyContext> = .group(
            .div(.class("answer"), .attr("data-answer", ""), answerText(turn.answer, anchor: anchor)),
            .if(turn.declined, .unwrap(model.contactURL) { .p(.class("contact"), .a(.attr("href", $0), .attr("rel", "noopener"), .text("Ask a person"))) }),
            .if(model.showsReasons, .unwrap(turn.declinedReason) { .p(.class("decline-reason muted"), .safeText("Why: \($0)")) }),
            .if(
                !turn.sources.isEmpty,
                .ol(
                    .class("citations"),
                    .forEach(turn.sources) { source in citation(source, anchor: anchor) }
                )),
            rating(turn, model: model)
        )
        let question: Node<HTML.BodyContext> = .group(
            .safeText(turn.question),
            .unwrap(turn.category) { .span(.class("badge"), .safeText($0)) }
        )
        return .article(.class(latest ? "chat-turn latest" : "chat-turn"), .id(anchor), .attr("data-state", "done"), .h2(.class("question"), question), body)
    }

    /// The answer with its `[n]` markers turned into links to the numbered sources.
    static func answerText(_ text: String, anchor: String) -> Node<HTML.BodyContext> {
        var nodes: [Node<HTML.BodyContext>] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "["), let close = rest[open...].firstIndex(of: "]"),
            let number = Int(rest[rest.index(after: open)..<close])
        {
            nodes.append(.safeText(String(rest[..<open])))
            nodes.append(.a(.class("marker"), .href("#\(anchor)-source-\(number)"), .text("[\(number)]")))
            rest = rest[rest.index(after: close)...]
        }
        nodes.append(.safeText(String(rest)))
        return .group(nodes)
    }

    private static func citation(_ source: Source, anchor: String) -> Node<HTML.ListContext> {
        let title: Node<HTML.BodyContext> =
            source.url.map {
                .a(.attr("href", $0), .attr("target", "_blank"), .attr("rel", "noopener"), .safeText(source.title))
            } ?? .safeText(source.title)
        return .li(
            .id("\(anchor)-source-\(source.number)"), .class("citation"),
            .img(.src(Source.icon(for: source.platform)), .attr("alt", source.platformName), .attr("title", source.platformName), .width(18), .height(18)),
            .span(.class("citation-title"), title),
            .unwrap(source.location) { .span(.class("citation-location"), .safeText($0)) },
            .span(.class("confidence"), .text("Confidence: \(source.confidence)%"))
        )
    }
}

extension ChatPage.Turn {
    init(_ turn: ConversationTurn) {
        self.init(
            id: turn.id ?? UUID(), question: turn.question, category: turn.category, answer: turn.answer,
            sources: turn.sources.map(ChatPage.Source.init), declinedReason: turn.declinedReason, declined: turn.declinedCode != nil,
            rating: turn.verdict)
    }
}

extension ChatPage.Source {
    init(_ citation: Citation) {
        self.init(ChatAPI.SourceDTO(citation))
    }

    /// A source as kept with a turn, with its platform's name and icon for the page.
    init(_ source: ChatAPI.SourceDTO) {
        self.init(
            number: source.number, title: source.title, platform: source.sourceType,
            platformName: Platform(rawValue: source.sourceType)?.displayName ?? source.sourceType, url: source.url, location: source.location,
            confidence: source.confidence, icon: Self.icon(for: source.sourceType))
    }
}
