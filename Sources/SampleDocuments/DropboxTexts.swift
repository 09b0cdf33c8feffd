import Foundation

/// Known text of the Dropbox corpus.
public enum DropboxTexts {
    public static let clientProposal = NativeDocument.text(
        "Proposal: Harbour Retail Support Revamp",
        [
            .init(heading: "Scope", paragraphs: ["Githaf Consulting will redesign Harbour Retail's help centre and train 60 support agents over eight weeks."]),
            .init(heading: "Fees", paragraphs: ["The fixed fee is 48,000 euros, invoiced in two equal parts: at kickoff and at handover."]),
            .init(heading: "Timeline", bullets: ["Week 1-2: discovery workshops", "Week 3-6: content migration", "Week 7-8: agent training"]),
        ])
    public static let invoices = NativeDocument.spreadsheet(
        "Invoices 2025",
        [
            .init(
                name: "Issued",
                rows: [
                    [.text("Invoice"), .text("Client"), .text("Amount (EUR)"), .text("Issued")],
                    [.text("INV-2025-031"), .text("Harbour Retail"), .number(24000), .date(year: 2025, month: 3, day: 3)],
                    [.text("INV-2025-044"), .text("Northwind Traders"), .number(9500), .date(year: 2025, month: 4, day: 11)],
                ]),
            .init(name: "Overdue", rows: [[.text("Invoice"), .text("Days overdue")], [.text("INV-2025-044"), .number(23)]]),
        ])
    public static let workshop = NativeDocument.presentation(
        "Discovery Workshop",
        [
            .init(
                title: "Agenda", bullets: ["Current support journey", "Top 20 questions", "Knowledge gaps"],
                notes: "Ask for ticket exports before the workshop."),
            .init(
                title: "Outcomes", bullets: ["Prioritised content backlog", "Success metrics"],
                notes: "Success metric: first-contact resolution above 70 percent."),
        ])
    public static let travelPolicy = """
        # Travel Policy

        Book trains for journeys under four hours. Flights need approval from a director.
        Hotel budget is 160 euros per night in capitals and 120 euros elsewhere.
        Claim travel expenses within 30 days.
        """
    public static let paperAgenda = """
        # Weekly Team Meeting

        ## Agenda
        - Client updates
        - Hiring
        - Office move to the Docklands on 1 September

        ## Notes
        The office move is confirmed; desks are assigned by team.
        """
    public static func photoLog(_ index: Int) -> String {
        "Site visit log \(index): visited store \(100 + index % 57) and reviewed \(3 + index % 9) support kiosks."
    }
}
