import CirrusCore
import FluentKit
import Foundation
import Hummingbird
import NIOCore
import TestSupport
import Testing

@testable import App

/// End-to-end journeys in a real headless Chromium, driven through chromedriver.
@Suite("Browser journeys", .serialized, .enabled(if: WebDriver.available))
struct BrowserTests {
    @Test("an admin signs in and sees the four platform cards, two by two on desktop and stacked on a phone")
    func signInAndSeeIntegrations() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            let browser = try await WebDriver.start()
            do {
                // given: the sign-in page
                let origin = "http://127.0.0.1:\(client.port)"
                try await browser.open(origin + "/admin/integrations")
                try await browser.waitForPath("/login")

                // when: she types her address and password and submits
                try await browser.type(TestHarness.ownerEmail, into: "#email")
                try await browser.type(TestHarness.ownerPassword, into: "#password")
                try await browser.click("button[type=submit]")

                // then: she lands on Integrations with four cards, each Not connected with a Connect button
                try await browser.waitForPath("/admin/integrations")
                let cards = try await browser.elements("article.card[data-platform]")
                #expect(cards.count == 4)
                var texts: [String] = []
                for card in cards { texts.append(try await browser.text(of: card)) }
                for platform in Platform.allCases {
                    #expect(texts.contains { $0.contains(platform.displayName) && $0.contains("Not connected") && $0.contains("Connect") })
                }

                // and the grid is 2×2 on a desktop window
                let first = try await browser.rect(of: cards[0])
                let second = try await browser.rect(of: cards[1])
                let third = try await browser.rect(of: cards[2])
                #expect(first.y == second.y)
                #expect(third.y > first.y)
                if let directory = ProcessInfo.processInfo.environment["CIRRUS_SCREENSHOT_DIR"] {
                    try await browser.screenshotPNG().write(to: URL(fileURLWithPath: directory).appendingPathComponent("integrations.png"))
                }

                // and the keyboard reaches the skip link first, then the navigation
                _ = try await browser.execute("document.activeElement.blur(); window.scrollTo(0, 0);")
                try await browser.pressTab()
                #expect(try await browser.execute("return document.activeElement.className") as? String == "skip-link")
                try await browser.pressTab()
                #expect(try await browser.execute("return document.activeElement.getAttribute('href')") as? String == "/admin")

                // and one column on a phone-sized window
                try await browser.resize(width: 420, height: 900)
                // The page reflows after the resize: wait for it rather than for a fixed time.
                let (narrowFirst, narrowSecond) = try await eventually("the cards reflow into one column") {
                    let first = try await browser.rect(of: cards[0])
                    let second = try await browser.rect(of: cards[1])
                    return first.x == second.x ? (first, second) : nil
                }
                #expect(narrowFirst.x == narrowSecond.x)
                #expect(narrowSecond.y > narrowFirst.y)
            } catch {
                await browser.quit()
                throw error
            }
            await browser.quit()
        }
    }

    @Test("an owner invites someone on the People page; they open the link, choose a password and land on the dashboard as a member")
    func inviteOnPeoplePage() async throws {
        // At its public URL: the link the page shows is built from it.
        let harness = try await TestHarness.makeWithPublicURL()
        try await harness.withListeningServer {
            let browser = try await WebDriver.start()
            do {
                // given: the owner signed in
                let origin = harness.config.apiBaseURL
                try await browser.open(origin + "/login")
                try await browser.type(TestHarness.ownerEmail, into: "#email")
                try await browser.type(TestHarness.ownerPassword, into: "#password")
                try await browser.click("button[type=submit]")
                try await browser.waitForPath("/admin")

                // when: he invites a member from the People page and copies the link
                try await browser.click("nav a[href='/admin/people']")
                try await browser.waitForPath("/admin/people")
                try await browser.type("joiner@example.com", into: "#invite-email")
                try await browser.click("#invite button[type=submit]")
                _ = try await browser.element("#invitation-link")
                let link = try #require(try await browser.execute("return document.getElementById('invitation-link').value") as? String)
                #expect(link.hasPrefix(origin + "/invite/"))
                try await browser.click(".topbar form button[type=submit]")
                try await browser.waitForPath("/login")

                // and the invited person opens it and joins
                try await browser.open(link)
                #expect(try await browser.text(of: try await browser.element("main")).contains("joiner@example.com"))
                try await browser.type("Jo Iner", into: "#name")
                try await browser.type("a long new password", into: "#password")
                try await browser.type("a long new password", into: "#confirm-password")
                try await browser.click("button[type=submit]")

                // then: the dashboard, as a member, without the admins' pages in the menu
                try await browser.waitForPath("/admin")
                #expect(try await browser.text(of: try await browser.element(".topbar .who")).contains("joiner@example.com"))
                let menu = try await browser.execute("return [...document.querySelectorAll('nav a')].map(a => a.textContent).join('|')") as? String ?? ""
                #expect(menu.contains("Chat") && !menu.contains("People") && !menu.contains("API keys"))
            } catch {
                await browser.quit()
                throw error
            }
            await browser.quit()
        }
    }

    @Test("the bell counts unread notifications; clicking it lists them and clears the count")
    func notificationBell() async throws {
        // given: a notification for the owner, from the service imports use
        let harness = try await TestHarness.make()
        let owner = try await harness.bootstrapOwner()
        try await harness.withStore { store in
            await NotificationService(store: store, logger: TestHarness.logger).notify(
                .importFailed, userID: try owner.requireID(), workspaceID: owner.$workspace.id, subject: "import:test",
                title: "Import into \u{201C}Handbook\u{201D} ended with 2 failed files", body: "From Dropbox: 3 done, 0 skipped, 2 failed.",
                link: .documentsPage)
        }
        try await harness.withServer { client in
            let browser = try await WebDriver.start()
            do {
                let origin = "http://127.0.0.1:\(client.port)"
                try await browser.open(origin + "/login")
                try await browser.type(TestHarness.ownerEmail, into: "#email")
                try await browser.type(TestHarness.ownerPassword, into: "#password")
                try await browser.click("button[type=submit]")
                try await browser.waitForPath("/admin")
                // when: the dashboard loads, the bell shows one unread
                let count = try await eventually("the bell shows its count") {
                    try await browser.execute("const c = document.querySelector('.bell-count'); return c && !c.hidden ? c.textContent : null") as? String
                }
                #expect(count == "1")
                #expect(try await browser.execute("return document.querySelector('a.bell').getAttribute('aria-label')") as? String == "Notifications: 1 unread")
                // and clicking it lists the notification
                try await browser.click("a.bell")
                try await browser.waitForPath("/admin/notifications")
                #expect(try await browser.text(of: try await browser.element("#notifications")).contains("Handbook"))
                // then: back on the dashboard the count is gone
                try await browser.open(origin + "/admin")
                try await browser.waitForPath("/admin")
                _ = try await eventually("the bell has asked for its count") {
                    try await browser.execute("return document.readyState") as? String == "complete" ? true : nil
                }
                let after = try await browser.execute(
                    "return fetch('/api/v1/notifications?unread=true&limit=0').then(r => r.json()).then(j => j.unread)")
                #expect((after as? Int) == 0)
                #expect(try await browser.execute("return document.querySelector('.bell-count').hidden") as? Bool == true)
            } catch {
                await browser.quit()
                throw error
            }
            await browser.quit()
        }
    }

    @Test("in demo mode an admin connects Google Drive through the popup and sees Connected with the account email")
    func connectGoogleDriveInPopup() async throws {
        let harness = try await TestHarness.makeWithPublicURL()
        try await harness.withListeningServer {
            let browser = try await WebDriver.start()
            do {
                // given: signed in on the Integrations page
                // when: she clicks Connect and allows access in the provider's popup
                let main = try await Self.signInAndConnectGoogleDrive(browser, origin: harness.config.apiBaseURL)

                // then: the card says Connected with her address
                let card = try await browser.element("article[data-platform=google_drive][data-status=connected]", timeout: .seconds(10))
                let text = try await browser.text(of: card)
                #expect(text.contains("Connected"))
                #expect(text.contains("sarah@githafconsulting.com"))
                #expect(try await browser.windowHandles() == [main])
                if let directory = ProcessInfo.processInfo.environment["CIRRUS_SCREENSHOT_DIR"] {
                    try await browser.screenshotPNG().write(to: URL(fileURLWithPath: directory).appendingPathComponent("integrations-connected.png"))
                }
            } catch {
                await browser.quit()
                throw error
            }
            await browser.quit()
        }
    }

    /// Signs in, opens Integrations, connects Google Drive through the popup; returns the main window.
    static func signInAndConnectGoogleDrive(_ browser: WebDriver, origin: String) async throws -> String {
        try await browser.open(origin + "/login?next=%2Fadmin%2Fintegrations")
        try await browser.type(TestHarness.ownerEmail, into: "#email")
        try await browser.type(TestHarness.ownerPassword, into: "#password")
        try await browser.click("button[type=submit]")
        try await browser.waitForPath("/admin/integrations")
        let main = try await browser.windowHandle()
        try await browser.click("form[data-connect=google_drive] button")
        let popup = try await browser.waitForNewWindow(besides: [main])
        try await browser.switchTo(window: popup)
        try await browser.click("button[value=allow]", timeout: .seconds(10))
        try await browser.switchTo(window: main)
        _ = try await browser.element("article[data-platform=google_drive][data-status=connected]", timeout: .seconds(10))
        return main
    }

    @Test(
        "the seed's journey: Add from Cloud, open Product Docs, select three files, category, Import, all done with chunk counts, listed with source Google Drive; then the chat answers from Feature Guide.docx"
    )
    func importProductDocsThroughThePicker() async throws {
        let harness = try await TestHarness.makeWithPublicURL()
        try await harness.withListeningServer {
            let browser = try await WebDriver.start()
            do {
                // given: Google Drive connected, on the Documents page
                let origin = harness.config.apiBaseURL
                _ = try await Self.signInAndConnectGoogleDrive(browser, origin: origin)
                try await browser.open(origin + "/admin/documents")

                // when: she opens Add from Cloud → Import from Google Drive
                try await browser.click("details.menu > summary")
                try await browser.click("button[data-import-platform=google_drive]")
                // and opens Product Docs
                let folder = try await browser.element(xpath: "//tbody[@id='picker-rows']//button[normalize-space(.)='Product Docs']", timeout: .seconds(10))
                try await browser.click(element: folder)
                _ = try await browser.element(xpath: "//ol[@id='picker-crumbs']//span[normalize-space(.)='Product Docs']", timeout: .seconds(10))
                // previews one: its details and the start of its text, before importing anything
                let guide = try await browser.element(
                    xpath: "//tbody[@id='picker-rows']//button[normalize-space(.)='Feature Guide.docx']", timeout: .seconds(10))
                try await browser.click(element: guide)
                _ = try await browser.element("#picker-preview[data-state=text]", timeout: .seconds(20))
                let preview = try await browser.text(of: try await browser.element("#picker-preview"))
                #expect(preview.contains("Feature Guide.docx") && preview.count > 80, "\(preview)")
                // selects the three files
                for name in ["Product Overview.pdf", "Feature Guide.docx", "API Documentation.pdf"] {
                    let box = try await browser.element(
                        xpath: "//tbody[@id='picker-rows']//tr[.//button[normalize-space(.)='\(name)']]//input[@type='checkbox']", timeout: .seconds(10))
                    try await browser.click(element: box)
                }
                // (a folder that fits one page offers no "Load more")
                #expect(try await browser.execute("return document.getElementById('picker-more').offsetParent === null") as? Bool == true)
                let summary = try await browser.text(of: try await browser.element("#picker-summary"))
                #expect(summary.hasPrefix("3 files"), "\(summary)")
                // picks the category and imports
                try await browser.type("Product Documentation", into: "#picker-category")
                if let directory = ProcessInfo.processInfo.environment["CIRRUS_SCREENSHOT_DIR"] {
                    try await browser.screenshotPNG().write(to: URL(fileURLWithPath: directory).appendingPathComponent("import-picker.png"))
                }
                try await browser.click("#picker-import")

                // then: every file ends done with its chunk count
                _ = try await browser.element(xpath: "//p[@id='progress-headline'][contains(., 'All files imported successfully')]", timeout: .seconds(60))
                let items = try await browser.text(of: try await browser.element("#progress-items"))
                for name in ["Product Overview.pdf", "Feature Guide.docx", "API Documentation.pdf"] {
                    #expect(items.range(of: "\(name) \\(\\d+ chunks? created\\)", options: .regularExpression) != nil, "\(items)")
                }
                #expect(try await browser.text(of: try await browser.element("#progress-count")).contains("3 of 3 complete"))
                if let directory = ProcessInfo.processInfo.environment["CIRRUS_SCREENSHOT_DIR"] {
                    try await browser.screenshotPNG().write(to: URL(fileURLWithPath: directory).appendingPathComponent("import-done.png"))
                }
                // and after Close the Documents page lists them with their source
                try await browser.click("#progress-close")
                let table = try await browser.text(of: try await browser.element("table#documents", timeout: .seconds(10)))
                for name in ["Product Overview.pdf", "Feature Guide.docx", "API Documentation.pdf"] {
                    #expect(table.contains(name), "\(table)")
                }
                #expect(table.contains("Google Drive"))
                #expect(table.contains("Product Documentation"))
                if let directory = ProcessInfo.processInfo.environment["CIRRUS_SCREENSHOT_DIR"] {
                    try await browser.screenshotPNG().write(to: URL(fileURLWithPath: directory).appendingPathComponent("documents.png"))
                }

                // and on the Chat page, the seed's question is answered from Feature Guide.docx with a confidence
                try await browser.open(origin + "/admin/chat")
                try await browser.type("What are the main features of our product?", into: "#question")
                try await browser.click("#ask")
                let turn = try await browser.element("article.chat-turn.latest[data-state=done]", timeout: .seconds(30))
                let shown = try await browser.text(of: turn)
                // (written in place as it streamed, not by a page reload)
                #expect((try await browser.execute("return document.querySelector('article.chat-turn.latest').id") as? String)?.hasPrefix("turn-live-") == true)
                #expect(shown.contains("What are the main features of our product?"))
                #expect(shown.contains("[1]"), "\(shown)")
                let citation = try await browser.text(of: try await browser.element("article.chat-turn.latest li.citation"))
                #expect(citation.contains("Feature Guide.docx"), "\(citation)")
                #expect(citation.range(of: "Confidence: \\d+%", options: .regularExpression) != nil, "\(citation)")
                // (the citation links to the file at the provider and shows the source's icon)
                let link = try await browser.execute("return document.querySelector('article.chat-turn.latest li.citation a').href") as? String ?? ""
                #expect(link.hasPrefix("http"), "\(link)")
                #expect(
                    try await browser.execute("return document.querySelector('article.chat-turn.latest li.citation img').getAttribute('alt')") as? String
                        == "Google Drive")
                if let directory = ProcessInfo.processInfo.environment["CIRRUS_SCREENSHOT_DIR"] {
                    try await browser.screenshotPNG().write(to: URL(fileURLWithPath: directory).appendingPathComponent("chat.png"))
                }
                // and a second question keeps the first in the session's history
                try await browser.type("How many requests per minute does the API allow?", into: "#question")
                try await browser.click("#ask")
                _ = try await browser.element(
                    xpath: "//article[contains(@class,'latest') and @data-state='done']//h2[contains(., 'requests per minute')]", timeout: .seconds(30))
                #expect(try await browser.elements("article.chat-turn").count == 2)
                // and after a reload both are still there, kept in the conversation
                try await browser.open(origin + "/admin/chat")
                #expect(try await browser.elements("article.chat-turn").count == 2)
                let latest = try await browser.text(of: try await browser.element("article.chat-turn.latest"))
                #expect(latest.contains("requests per minute") && latest.contains("600"), "\(latest)")
                #expect(try await browser.text(of: try await browser.element("nav.conversations [aria-current=page]")).contains("main features"))
                // and she rates that answer down, saying what was missing, and the page shows her rating
                try await browser.type("It should say what happens above the limit", into: "article.chat-turn.latest form.rating input[name=comment]")
                try await browser.click("article.chat-turn.latest form.rating button[value=down]")
                _ = try await browser.element("article.chat-turn.latest form.rating button[value=down][aria-pressed=true]", timeout: .seconds(10))
                let rated = try await harness.withStore { store in try await ConversationTurn.query(on: store.database).filter(\.$rating == -1).first() }
                #expect(rated?.ratingComment == "It should say what happens above the limit")
                // and a question the documents do not answer gets "I don't know", and the admin sees why
                try await browser.type("Does Beacon integrate with Salesforce?", into: "#question")
                try await browser.click("#ask")
                let declined = try await browser.element(
                    xpath: "//article[contains(@class,'latest') and @data-state='done' and .//h2[contains(., 'Salesforce')]]", timeout: .seconds(30))
                let declinedText = try await browser.text(of: declined)
                // (an answer written in place can be rated at once)
                #expect(try await browser.elements("article.chat-turn.latest form.rating button[value=up]").count == 1)
                #expect(declinedText.contains("I don't know"), "\(declinedText)")
                #expect(declinedText.contains("Why:") && declinedText.contains("Salesforce”"), "\(declinedText)")
                try await browser.open(origin + "/admin/chat")
                let reason = try await browser.text(of: try await browser.element("article.chat-turn.latest .decline-reason"))
                #expect(reason.contains("Salesforce"), "\(reason)")
            } catch {
                await browser.quit()
                throw error
            }
            await browser.quit()
        }
    }

    /// A customer's web page with the widget's snippet on it.
    static func customerPage(cirrus port: Int, site: String) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/") { _, _ -> Response in
            let html = """
                <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme help</title></head>
                <body><h1>Acme help centre</h1><p>Questions? Ask in the chat.</p>
                <script src="http://127.0.0.1:\(port)/static/widget.js" data-cirrus-site="\(site)" async></script></body></html>
                """
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
        }
        return router
    }

    @Test("Sarah tests the chatbot through the widget on a page of another origin: the seed's question, a follow-up, a rating; a page elsewhere gets no widget")
    func widgetOnAnotherOrigin() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            // given the product docs imported, and the widget snippet on a page served from another port
            let driver = try await ChatTests.importProductDocs(client)
            let site = try #require(try await client.get("/api/v1/widget", bearer: driver.bearer).json()["siteKey"] as? String)
            try await LocalServer.run(Self.customerPage(cirrus: client.port, site: site), label: "allowed-page") { allowedPort in
                try await LocalServer.run(Self.customerPage(cirrus: client.port, site: site), label: "other-page") { otherPort in
                    let page = "http://127.0.0.1:\(allowedPort)"
                    #expect(
                        try await client.json(
                            .patch, "/api/v1/widget", ["enabled": true, "allowedOrigins": [page], "launcherText": "Ask Acme"], bearer: driver.bearer
                        )
                        .status == .ok)
                    let browser = try await WebDriver.start()
                    do {
                        // when a visitor opens the page and the launcher
                        try await browser.open(page + "/")
                        let launcher = try await browser.element(".cirrus-widget[data-state=ready] .cirrus-launcher", timeout: .seconds(15))
                        #expect(try await browser.text(of: launcher) == "Ask Acme")
                        try await browser.click(element: launcher)
                        // then the panel opens with the greeting and the question box focused
                        #expect(try await browser.execute("return document.activeElement.id") as? String == "cirrus-question")
                        #expect(
                            try await browser.execute("return document.querySelector('.cirrus-launcher').getAttribute('aria-expanded')") as? String == "true")
                        #expect(try await browser.text(of: try await browser.element("#cirrus-panel .cirrus-log")).contains("Ask me anything"))
                        // when the seed's question is asked
                        try await browser.type("What are the main features of our product?", into: "#cirrus-question")
                        try await browser.click(".cirrus-send")
                        // then the answer cites the Feature Guide by title, with no link to the internal file
                        let first = try await browser.element(
                            xpath: "//div[contains(@class,'cirrus-bot')][.//li[contains(., 'Feature Guide.docx')]]", timeout: .seconds(30))
                        #expect(try await browser.text(of: first).contains("[1]"))
                        #expect(try await browser.elements(".cirrus-sources a").isEmpty)
                        // and a follow-up is answered in the conversation's context, from the same file
                        try await browser.type("Which plans include it?", into: "#cirrus-question")
                        try await browser.click(".cirrus-send")
                        _ = try await browser.element(
                            xpath:
                                "(//div[contains(@class,'cirrus-bot')][.//ol[contains(@class,'cirrus-sources')]])[2][.//li[contains(., 'Feature Guide.docx')]]",
                            timeout: .seconds(30))
                        // when the visitor rates the first answer down, saying why
                        try await browser.click(element: try await browser.element(xpath: "(//button[@data-rating='down'])[1]"))
                        try await browser.type("I wanted the prices as well", into: ".cirrus-comment-text")
                        try await browser.click(".cirrus-comment-send")
                        // then it is thanked for and kept with that answer
                        _ = try await browser.element(xpath: "//p[contains(@class,'cirrus-status')][contains(., 'Thank you')]", timeout: .seconds(10))
                        let rated = try await eventually("the rating is stored") {
                            try await harness.withStore { store in try await ConversationTurn.query(on: store.database).filter(\.$rating == -1).first() }
                        }
                        #expect(rated.question == "What are the main features of our product?")
                        #expect(rated.ratingComment == "I wanted the prices as well")
                        // and Escape closes the panel, returning to the launcher
                        try await browser.click("#cirrus-question")
                        try await browser.press(WebDriver.escapeKey)
                        #expect(try await browser.execute("return document.getElementById('cirrus-panel').hidden") as? Bool == true)
                        #expect(try await browser.execute("return document.activeElement.className") as? String == "cirrus-launcher")
                        if let directory = ProcessInfo.processInfo.environment["CIRRUS_SCREENSHOT_DIR"] {
                            try await browser.click(".cirrus-launcher")
                            try await browser.screenshotPNG().write(to: URL(fileURLWithPath: directory).appendingPathComponent("widget.png"))
                        }

                        // when the same snippet is on a page of an origin not listed
                        try await browser.open("http://127.0.0.1:\(otherPort)/")
                        // then the widget is refused: no launcher, and the page cannot read the API's answers
                        _ = try await browser.element(".cirrus-widget[data-state=unavailable]", timeout: .seconds(15))
                        #expect(try await browser.execute("return document.querySelector('.cirrus-launcher').hidden") as? Bool == true)
                        let attempt = try await browser.executeAsync(
                            """
                            const done = arguments[arguments.length - 1];
                            fetch('http://127.0.0.1:\(client.port)/api/v1/widget/\(site)/session', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: '{}'})
                              .then((r) => done('read ' + r.status), (e) => done('blocked'));
                            """)
                        #expect(attempt as? String == "blocked", "\(attempt ?? "nil")")
                    } catch {
                        await browser.quit()
                        throw error
                    }
                    await browser.quit()
                }
            }
        }
    }
}
