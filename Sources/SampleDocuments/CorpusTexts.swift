/// The known text of the corpus documents. Tests ask questions whose answers are here.
public enum CorpusTexts {
    public static let productOverview = NativeDocument.text(
        "Product Overview",
        [
            .init(
                heading: "What Beacon is",
                paragraphs: [
                    "Beacon is the customer knowledge platform built by Githaf Consulting. It gathers answers from the documents a support team already has and puts them in front of customers and agents in seconds.",
                    "Beacon was launched in March 2024 and is used by 140 companies, from five-person startups to retailers with two thousand support agents.",
                ]),
            .init(
                heading: "Who it is for",
                paragraphs: [
                    "Support leads use Beacon to cut the time agents spend searching. Customers use the Beacon widget on a help centre to get answers at any hour."
                ], bullets: ["Customer support teams", "IT help desks", "Sales engineers answering security questionnaires"]),
            .init(
                heading: "Plans and pricing",
                paragraphs: [
                    "Beacon comes in three plans. Starter costs 49 dollars per month for up to three agents. Growth costs 199 dollars per month for up to twenty agents. Enterprise pricing is agreed per contract and includes single sign-on and a dedicated success manager."
                ]),
            .init(
                heading: "Security",
                paragraphs: [
                    "Customer data is encrypted at rest with AES-256 and in transit with TLS 1.3. Beacon is hosted in Frankfurt and Virginia, and customers choose the region when they sign up. The platform passed its SOC 2 Type II audit in November 2024."
                ]),
        ])

    public static let featureGuide = NativeDocument.text(
        "Feature Guide",
        [
            .init(
                heading: "Main features",
                paragraphs: [
                    "The main features of our product are the answer engine, the help-centre widget, the agent assist sidebar, analytics, and integrations with the tools a support team already uses."
                ],
                bullets: [
                    "Answer engine: finds the best passage in your documents and writes a short answer with a citation.",
                    "Help-centre widget: a chat window for your website that answers customers around the clock.",
                    "Agent assist: suggests replies inside Zendesk and Freshdesk while an agent types.",
                    "Analytics: shows which questions go unanswered so writers know what to document next.",
                    "Integrations: imports content from Google Drive, Microsoft 365, Dropbox and Confluence.",
                ]),
            .init(
                heading: "Answer engine", level: 2,
                paragraphs: [
                    "The answer engine reads every imported document, splits it into passages and ranks them for each question. Each answer shows the source document and a confidence score, so agents can check it before sending."
                ]),
            .init(
                heading: "Help-centre widget", level: 2,
                paragraphs: [
                    "The widget is one line of JavaScript. It can be styled with your brand colours and hands the conversation to a human agent when confidence is low."
                ]),
            .init(
                heading: "Feature availability by plan", level: 2,
                table: [
                    ["Feature", "Starter", "Growth", "Enterprise"],
                    ["Answer engine", "Yes", "Yes", "Yes"],
                    ["Help-centre widget", "Yes", "Yes", "Yes"],
                    ["Agent assist", "No", "Yes", "Yes"],
                    ["Single sign-on", "No", "No", "Yes"],
                ]),
        ])

    public static let apiDocumentation = NativeDocument.text(
        "API Documentation",
        [
            .init(
                heading: "Authentication",
                paragraphs: [
                    "Every request to the Beacon API carries an API key in the Authorization header as a bearer token. Keys are created in the admin console under Settings, API keys, and can be revoked at any time."
                ]),
            .init(
                heading: "Endpoints",
                paragraphs: [
                    "The base URL is https://api.beacon.example/v2. POST /answers takes a question and returns an answer with its sources. GET /documents lists the documents in the knowledge base. DELETE /documents/{id} removes one."
                ],
                table: [
                    ["Method", "Path", "Purpose"], ["POST", "/answers", "Ask a question"], ["GET", "/documents", "List documents"],
                    ["DELETE", "/documents/{id}", "Remove a document"],
                ]),
            .init(
                heading: "Rate limits",
                paragraphs: [
                    "The API allows 600 requests per minute per key. Above that it answers 429 Too Many Requests with a Retry-After header giving the seconds to wait."
                ]),
            .init(
                heading: "Errors",
                paragraphs: [
                    "Errors are JSON objects with a code and a message. A 401 means the key is missing or revoked; a 404 means the document does not exist; a 422 means the question was empty."
                ]),
            .init(
                heading: "Webhooks",
                paragraphs: [
                    "Beacon can call your server when a question goes unanswered. Register the URL under Settings, Webhooks; each call is signed with an HMAC-SHA256 signature in the Beacon-Signature header."
                ]),
        ])

    public static let brandGuidelines = NativeDocument.text(
        "Brand Guidelines",
        [
            .init(heading: "Voice", paragraphs: ["Beacon speaks plainly and warmly. We write short sentences, avoid jargon and never blame the customer."]),
            .init(heading: "Colours", paragraphs: ["The primary colour is Harbour Blue, hex 1D4ED8. The accent colour is Signal Amber, hex F59E0B."]),
            .init(heading: "Logo use", paragraphs: ["Leave clear space around the logo equal to the height of the letter B. Never stretch or recolour it."]),
        ])

    public static let onboardingHandbook = NativeDocument.text(
        "Onboarding Handbook",
        [
            .init(
                heading: "Your first week",
                paragraphs: [
                    "New joiners spend their first week shadowing the support team. On Monday you receive your laptop and accounts; on Friday you present what you learned to your manager."
                ]),
            .init(
                heading: "Benefits",
                paragraphs: [
                    "Githaf Consulting offers 28 days of paid holiday, a 1,000 euro yearly learning budget and private health insurance from the first day."
                ]),
            .init(heading: "Expenses", paragraphs: ["Submit expenses within 30 days through the finance portal with a photo of the receipt."]),
        ])

    public static let budget2025 = NativeDocument.spreadsheet(
        "Budget 2025",
        [
            .init(
                name: "Summary",
                rows: [
                    [.text("Department"), .text("Budget (EUR)"), .text("Approved on")],
                    [.text("Marketing"), .number(420000), .date(year: 2025, month: 1, day: 15)],
                    [.text("Engineering"), .number(1_850_000), .date(year: 2025, month: 1, day: 15)],
                    [.text("Support"), .number(610000), .date(year: 2025, month: 1, day: 22)],
                    [.text("Total"), .number(2_880_000), .date(year: 2025, month: 1, day: 22)],
                ]),
            .init(
                name: "Marketing",
                rows: [
                    [.text("Item"), .text("Quarter"), .text("Cost (EUR)")],
                    [.text("Trade shows"), .text("Q2"), .number(120000)],
                    [.text("Paid search"), .text("Q1-Q4"), .number(180000)],
                    [.text("Content production"), .text("Q1-Q4"), .number(120000)],
                ]),
            .init(
                name: "Engineering",
                rows: [
                    [.text("Item"), .text("Quarter"), .text("Cost (EUR)")],
                    [.text("Cloud hosting"), .text("Q1-Q4"), .number(540000)],
                    [.text("Salaries"), .text("Q1-Q4"), .number(1_250_000)],
                    [.text("Security audit"), .text("Q4"), .number(60000)],
                ]),
        ])

    public static let hiringPipeline = NativeDocument.spreadsheet(
        "Hiring Pipeline",
        [
            .init(
                name: "Open roles",
                rows: [
                    [.text("Role"), .text("Team"), .text("Openings"), .text("Target start")],
                    [.text("Support engineer"), .text("Support"), .number(3), .date(year: 2025, month: 4, day: 1)],
                    [.text("Backend developer"), .text("Engineering"), .number(2), .date(year: 2025, month: 5, day: 1)],
                    [.text("Product designer"), .text("Product"), .number(1), .date(year: 2025, month: 6, day: 2)],
                ]),
            .init(
                name: "Interviews",
                rows: [
                    [.text("Candidate"), .text("Role"), .text("Stage")],
                    [.text("A. Novak"), .text("Support engineer"), .text("Final interview")],
                    [.text("R. Haddad"), .text("Backend developer"), .text("Take-home task")],
                ]),
        ])

    public static let allHands = NativeDocument.presentation(
        "All-Hands Q2",
        [
            .init(
                title: "Where we are", bullets: ["140 customers", "Net revenue retention 118%", "Two new regions live"],
                notes: "Thank the support team for the record satisfaction score of 94 percent."),
            .init(
                title: "What is next", bullets: ["Agent assist for Freshdesk", "Confluence import", "Self-serve billing"],
                notes: "Agent assist for Freshdesk ships in July."),
            .init(title: "Questions", bullets: ["Ask anything in the #all-hands channel"], notes: nil),
        ])

    public static let campaignPlan = NativeDocument.presentation(
        "Q3 Campaign Plan",
        [
            .init(
                title: "Goal", bullets: ["500 qualified leads in Q3", "Focus on retail support teams"],
                notes: "The retail segment converts twice as well as the average."),
            .init(title: "Channels", bullets: ["Webinars", "Partner newsletters", "Paid search"], notes: "Webinars get half of the budget."),
        ])

    public static let architecture = NativeDocument.text(
        "Architecture Overview",
        [
            .init(
                heading: "Services",
                paragraphs: [
                    "Beacon runs as four services: the gateway, the answer engine, the indexer and the billing service. They talk over gRPC inside one Kubernetes cluster per region."
                ]),
            .init(
                heading: "Data stores",
                paragraphs: [
                    "Documents live in PostgreSQL 16; passages and vectors live in a separate search cluster. Backups run every six hours and are kept for 35 days."
                ]),
        ])

    public static let salesPlaybook = NativeDocument.text(
        "Sales Playbook",
        [
            .init(heading: "Qualifying a lead", paragraphs: ["A good lead has at least five support agents, a help centre and a documented knowledge base."]),
            .init(
                heading: "Handling objections",
                paragraphs: ["When a prospect worries about accuracy, show the citations and the confidence score on every answer."]),
        ])

    public static let pricing2025 = NativeDocument.spreadsheet(
        "Pricing 2025",
        [
            .init(
                name: "Plans",
                rows: [
                    [.text("Plan"), .text("Monthly price (USD)"), .text("Agents included")],
                    [.text("Starter"), .number(49), .number(3)],
                    [.text("Growth"), .number(199), .number(20)],
                    [.text("Enterprise"), .text("Custom"), .text("Unlimited")],
                ]),
            .init(name: "Discounts", rows: [[.text("Term"), .text("Discount")], [.text("Annual"), .text("15%")], [.text("Non-profit"), .text("30%")]]),
        ])

    public static let incidentRunbook = """
        # Incident Response Runbook

        ## Severity levels
        A Sev 1 incident means customers cannot get answers at all. Page the on-call engineer through PagerDuty and open a bridge within 10 minutes.

        ## First steps
        - Check the status dashboard for the affected region.
        - Roll back the last deployment if it went out less than an hour ago.
        - Post an update on the status page every 30 minutes.

        ## After the incident
        Write a blameless post-mortem within five working days and share it in the engineering channel.
        """

    public static let deploymentGuide = """
        # Deployment Guide

        Deployments go out every weekday at 10:00 CET through the release pipeline.
        A deployment needs two approvals and green integration tests.
        Database migrations run before the new version starts and must be backwards compatible.
        """

    public static let launchChecklist = """
        # Launch Checklist

        - Press release approved by legal
        - Pricing page updated
        - Support team trained on the new features
        - Status page monitoring switched on
        """

    public static let customerFAQ = """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>Customer FAQ</title></head>
        <body>
        <h1>Customer FAQ</h1>
        <h2>Can I cancel at any time?</h2>
        <p>Yes. Monthly plans can be cancelled from the billing page and stop at the end of the month.</p>
        <h2>Do you offer a free trial?</h2>
        <p>Every plan starts with a 14-day free trial; no credit card is needed.</p>
        <h2>Where is my data stored?</h2>
        <p>In Frankfurt or Virginia, whichever region you choose when you sign up.</p>
        </body></html>
        """

    public static let supportTickets = """
        ticket_id,opened,channel,topic,resolution_minutes
        T-1001,2025-02-03,email,Password reset,12
        T-1002,2025-02-03,chat,Widget colours,25
        T-1003,2025-02-04,phone,Invoice question,8
        T-1004,2025-02-05,chat,Zendesk integration,47
        """

    public static let meetingNotes = """
        Meeting notes, 14 March 2025 — product sync

        Attendees: Sarah, Daniel, Priya.

        Decisions: the Confluence importer moves to the Q3 roadmap. Agent assist for Freshdesk stays on track for July.

        Action items: Daniel drafts the Q3 campaign brief; Priya reviews the pricing page copy.
        """

    public static let roadmapReview = """
        Q1 / Q2 roadmap review

        Shipped in Q1: analytics dashboard, Frankfurt region. Planned for Q2: agent assist for Freshdesk, self-serve billing.
        """

    public static let pressRelease = """
        # Beacon launches agent assist

        Githaf Consulting today announced agent assist, which suggests replies to support agents while they type. It is available on the Growth and Enterprise plans from 1 July 2025.
        """

    /// The text of weekly update number `index` in the 1,200-item archive folder.
    public static func weeklyUpdate(_ index: Int) -> String {
        let teams = ["Support", "Engineering", "Marketing", "Sales", "Finance", "People"]
        let team = teams[index % teams.count]
        return
            "Weekly update \(index) from the \(team) team.\n\nThis week the \(team) team closed \(10 + index % 37) tasks and opened \(3 + index % 11) new ones. Reference code WU-\(String(format: "%04d", index))."
    }
}

/// The documents the emulators' corpus is made of, and writers that render them in every format
/// Cirrus reads. Shared by the emulators, the tests and the benchmarks.
public enum SampleDocuments {
    /// A sample of the corpus's documents (text, spreadsheets, presentations), for tests and
    /// benchmarks that render them in every format and check what comes back.
    public static var all: [NativeDocument] {
        [
            CorpusTexts.productOverview, CorpusTexts.featureGuide, CorpusTexts.apiDocumentation, CorpusTexts.budget2025,
            CorpusTexts.hiringPipeline, CorpusTexts.allHands, MicrosoftTexts.boardReport, MicrosoftTexts.churnAnalysis, MicrosoftTexts.salesKickoff,
        ]
    }

    /// Storage-format bodies of the corpus's Confluence pages, for seed corpora and tests.
    public static var confluencePages: [String] {
        [ConfluenceTexts.handbookHome, ConfluenceTexts.workflow, ConfluenceTexts.codeReview]
    }
}
