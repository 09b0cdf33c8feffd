/// Known text of the Microsoft 365 corpus (different from the other providers').
public enum MicrosoftTexts {
    public static let boardReport = NativeDocument.text(
        "Q2 Board Report",
        [
            .init(
                heading: "Highlights",
                paragraphs: [
                    "Revenue for the second quarter was 4.2 million euros, 31 percent above the same quarter last year. Gross margin held at 78 percent."
                ], bullets: ["Signed 23 new enterprise customers", "Opened the Singapore office", "Reduced support response time to 41 minutes"]),
            .init(heading: "Risks", paragraphs: ["The main risk is hiring: four senior engineering roles have been open for more than ninety days."]),
            .init(
                heading: "Financial summary",
                table: [["Metric", "Q1", "Q2"], ["Revenue (EUR m)", "3.6", "4.2"], ["Customers", "117", "140"], ["Churn", "2.1%", "1.7%"]]),
        ])

    public static let churnAnalysis = NativeDocument.spreadsheet(
        "Customer Churn Analysis",
        [
            .init(
                name: "By segment",
                rows: [
                    [.text("Segment"), .text("Customers"), .text("Churned"), .text("Churn rate")],
                    [.text("Startup"), .number(64), .number(5), .text("7.8%")],
                    [.text("Mid-market"), .number(51), .number(2), .text("3.9%")],
                    [.text("Enterprise"), .number(25), .number(0), .text("0%")],
                ]),
            .init(
                name: "Reasons",
                rows: [
                    [.text("Reason"), .text("Count")], [.text("Budget cuts"), .number(4)], [.text("Moved to competitor"), .number(2)],
                    [.text("Company closed"), .number(1)],
                ]),
            .init(name: "Reviewed", rows: [[.text("Reviewed on"), .date(year: 2025, month: 7, day: 3)]]),
        ])

    public static let salesKickoff = NativeDocument.presentation(
        "Sales Kickoff 2025",
        [
            .init(
                title: "Targets", bullets: ["Annual target 18 million euros", "Forty percent from expansion revenue"],
                notes: "Remind the team that expansion deals close twice as fast."),
            .init(title: "New territories", bullets: ["Singapore", "Australia", "Japan from Q4"], notes: "Japan needs a local partner before launch."),
            .init(title: "Compensation", bullets: ["Accelerators above 110 percent of quota"], notes: "Details are in the compensation plan on SharePoint."),
        ])

    public static let campaignBrief = NativeDocument.text(
        "Spring Campaign Brief",
        [
            .init(heading: "Objective", paragraphs: ["Generate 800 sign-ups for the free trial between March and May 2025, mostly from mid-market retailers."]),
            .init(heading: "Message", paragraphs: ["Answers your customers can trust: every answer cites the document it came from."]),
            .init(heading: "Budget", paragraphs: ["The campaign budget is 95,000 euros, split between LinkedIn ads, two webinars and a customer case study."]),
        ])

    public static let styleGuide = NativeDocument.text(
        "Style Guide",
        [
            .init(heading: "Typography", paragraphs: ["Headlines use Inter Bold; body text uses Inter Regular at 16 pixels with a line height of 1.5."]),
            .init(heading: "Photography", paragraphs: ["Use photographs of real support teams at work; avoid stock images of handshakes."]),
        ])

    public static let securityPolicy = NativeDocument.text(
        "Information Security Policy",
        [
            .init(
                heading: "Access control",
                paragraphs: ["Production access requires a hardware security key and is reviewed every quarter by the security lead."]),
            .init(heading: "Passwords", paragraphs: ["Passwords must be at least 14 characters and stored only in the company password manager."]),
            .init(
                heading: "Incident reporting",
                paragraphs: ["Report suspected security incidents to security@githafconsulting.com within one hour of noticing them."]),
        ])

    public static let roadmap = NativeDocument.presentation(
        "Roadmap 2025",
        [
            .init(
                title: "First half", bullets: ["Agent assist for Freshdesk", "Analytics exports"], notes: "Analytics exports were requested by 19 customers."),
            .init(title: "Second half", bullets: ["Voice channel beta", "Microsoft Teams app"], notes: "The Teams app depends on the new permissions model."),
        ])

    public static let launchPlan = NativeDocument.text(
        "Launch Plan: Teams App",
        [
            .init(heading: "Launch date", paragraphs: ["The Microsoft Teams app launches on 14 October 2025 in the Teams store."]),
            .init(heading: "Owners", bullets: ["Product: Priya Raman", "Marketing: Sarah Mitchell", "Engineering: Tomasz Nowak"]),
        ])

    public static let oncall = """
        # On-call Handbook

        On-call engineers rotate weekly, starting Monday at 09:00 CET.
        Acknowledge a page within 5 minutes; escalate to the secondary after 15 minutes without progress.
        Every page gets a short note in the incident log, even false alarms.
        """

    public static let designReview = """
        # Design Review Notes: Atlas

        Atlas is the codename for the new search service. The review approved the move from Elasticsearch to a
        Postgres-based index with a separate vector store, on the condition that p99 latency stays below 150 ms.
        """

    public static func timesheet(_ index: Int) -> String {
        "Timesheet \(index): \(20 + index % 20) hours logged on project \(["Atlas", "Orion", "Vega", "Lyra"][index % 4]). Approved by the team lead."
    }
}
