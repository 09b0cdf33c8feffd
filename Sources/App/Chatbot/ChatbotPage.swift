import Foundation
import Plot

/// `/admin/chatbot`: the chatbot's settings (the seed's "Chatbot Config"), a form for admins
/// and read-only for members.
enum ChatbotPage {
    struct Model: Sendable {
        let profile: ChatbotProfile
        /// The workspace's categories, to choose from (and any chosen that no document has yet).
        let categories: [String]
        let canEdit: Bool
        let languageModel: Bool
        let csrfToken: String?
        let notice: String?
        let error: String?
    }

    static func render(_ model: Model, chrome: PageChrome) -> String {
        Layout.render(
            chrome,
            main: .group(
                .p(.class("lead"), .text("How the chatbot answers, wherever it is asked: the Chat page, the API and conversations.")),
                Alerts.notice(model.notice),
                Alerts.error(model.error),
                .form(
                    .class("panel settings-form"), .method(.post), .action(SiteRoute.chatbotPage.path),
                    CSRFField.node(model.csrfToken),
                    identity(model), sources(model), declining(model), style(model),
                    .if(model.canEdit, .button(.type(.submit), .class("button primary"), .text("Save")))
                )
            ))
    }

    private static func identity(_ model: Model) -> Node<HTML.FormContext> {
        FormFields.fieldset(
            "Who it is", editable: model.canEdit,
            .label(.for("chatbot-name"), .text("Name")),
            .input(.type(.text), .id("chatbot-name"), .name("name"), .attr("value", model.profile.name), .attr("maxlength", "80"), .required(true)),
            .label(.for("chatbot-greeting"), .text("Greeting, the first thing it says")),
            .textarea(.id("chatbot-greeting"), .name("greeting"), .attr("rows", "2"), .attr("maxlength", "500"), .safeText(model.profile.greeting)))
    }

    private static func sources(_ model: Model) -> Node<HTML.FormContext> {
        let chosen = model.profile.categories
        // Categories chosen earlier whose documents are gone stay choosable.
        let choices = model.categories + chosen.filter { !model.categories.contains($0) }
        let list: Node<HTML.FormContext> =
            choices.isEmpty
            ? .p(.class("muted"), .text("No categories yet: import documents first."))
            : .ul(
                .class("checklist"),
                .forEach(choices.enumerated()) { index, category in
                    .li(
                        .input(
                            .type(.checkbox), .id("chatbot-category-\(index)"), .name("categories[]"), .attr("value", category),
                            FormFields.checked(chosen.contains(category))),
                        .label(.for("chatbot-category-\(index)"), .safeText(category)))
                })
        return FormFields.fieldset(
            "What it answers from", editable: model.canEdit, .p(.class("muted"), .text("Tick none to answer from every category.")), list)
    }

    private static func declining(_ model: Model) -> Node<HTML.FormContext> {
        FormFields.fieldset(
            "When the documents do not answer", editable: model.canEdit,
            .label(.for("chatbot-support"), .text("Least support an answer needs, in percent")),
            .input(
                .type(.number), .id("chatbot-support"), .name("minimumSupport"), .attr("min", "0"), .attr("max", "100"),
                .attr("value", String(model.profile.minimumSupport)), .attr("aria-describedby", "chatbot-support-hint")),
            .p(.id("chatbot-support-hint"), .class("muted"), .text("Below it the chatbot says “I don't know”. 35 is lenient, 50 balanced, 65 cautious.")),
            .label(.for("chatbot-unknown"), .text("What it says then")),
            .textarea(
                .id("chatbot-unknown"), .name("unknownAnswer"), .attr("rows", "2"), .attr("maxlength", "500"), .safeText(model.profile.unknownAnswer)),
            .label(.for("chatbot-contact"), .text("Contact link shown with it (https:// or mailto:)")),
            .input(
                .type(.text), .id("chatbot-contact"), .name("contactUrl"), .attr("value", model.profile.contactURL ?? ""), .attr("maxlength", "500"),
                .attr("placeholder", "mailto:support@example.com")))
    }

    private static func style(_ model: Model) -> Node<HTML.FormContext> {
        let written =
            model.languageModel
            ? "Have the language model write the answer from them"
            : "Have the language model write the answer from them (none is configured: answers are quoted)"
        return FormFields.fieldset(
            "How it answers", editable: model.canEdit,
            radio("quoted", label: "Quote the documents' sentences", checked: model.profile.answerStyle == .quoted),
            radio("written", label: written, checked: model.profile.answerStyle == .written),
            .label(.for("chatbot-prompt"), .text("Instructions for the language model (optional: tone, persona)")),
            .textarea(
                .id("chatbot-prompt"), .name("systemPrompt"), .attr("rows", "4"), .attr("maxlength", "4000"), .safeText(model.profile.systemPrompt ?? "")),
            .div(
                .class("check"),
                .input(
                    .type(.checkbox), .id("chatbot-links"), .name("showsSourceLinks"), .attr("value", "true"),
                    FormFields.checked(model.profile.showsSourceLinks)),
                .label(
                    .for("chatbot-links"),
                    .text("Show links to the source files to website visitors (otherwise they see each source's title and location)"))))
    }

    private static func radio(_ value: String, label: String, checked: Bool) -> Node<HTML.FormContext> {
        .div(
            .class("check"),
            .input(.type(.radio), .id("chatbot-style-\(value)"), .name("answerStyle"), .attr("value", value), FormFields.checked(checked)),
            .label(.for("chatbot-style-\(value)"), .text(label)))
    }
}
