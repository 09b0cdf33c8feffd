import Plot

/// Asking the knowledge base a question.
enum ChatPage {
    struct Model: Sendable {
        let documentCount: Int
    }

    static func render(_ model: Model, chrome: PageChrome) -> String {
        Layout.render(chrome, main: .group(
            .p(.class("lead"), .text("Ask a question; answers cite the documents they come from.")),
            model.documentCount == 0
                ? .div(.class("empty"), .p(.text("The knowledge base is empty, so there is nothing to answer from yet. Import documents first.")),
                       .a(.class("button"), .href("/admin/documents"), .text("Go to Documents")))
                : .p(.safeText("\(model.documentCount) documents are in the knowledge base."))
        ))
    }
}
