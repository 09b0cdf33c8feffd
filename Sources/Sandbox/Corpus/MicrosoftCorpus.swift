import CirrusCore
import Foundation
import SampleDocuments

/// Builds the Microsoft 365 corpus: OneDrive, SharePoint libraries and a Team's channel folders.
struct MicrosoftCorpus {
    let store: SandboxStore

    func seed() async {
        let clock = GoogleCorpus.Clock()
        func add(
            _ name: String, in parent: String?, drive: GraphDirectory.Drive, folder: Bool = false, mime: String = "application/octet-stream",
            content: SandboxContent = .none, id: String? = nil, attributes: [String: String] = [:]
        ) async -> String {
            let identifier: String
            if let id { identifier = id } else { identifier = await Corpus.newID(platform: .microsoft, isFolder: folder, store: store) }
            await store.insert(
                SandboxItem(
                    id: identifier, platform: .microsoft, name: name, parentID: parent, isFolder: folder, mimeType: folder ? "folder" : mime,
                    content: content, createdAt: clock.next(), containerID: drive.id, attributes: attributes), seeding: true)
            return identifier
        }
        func text(_ value: String) -> SandboxContent { .bytes(Array(value.utf8)) }
        let docx = GoogleCorpus.docx
        let xlsx = GoogleCorpus.xlsx
        let pptx = GoogleCorpus.pptx
        let pdf = GoogleCorpus.pdf

        for drive in GraphDirectory.drives {
            _ = await add("root", in: nil, drive: drive, folder: true, id: drive.rootID)
        }

        // Sarah's OneDrive.
        let one = GraphDirectory.oneDrive
        let documents = await add("Documents", in: one.rootID, drive: one, folder: true)
        _ = await add("Q2 Board Report.docx", in: documents, drive: one, mime: docx, content: .bytes(DocxWriter.make(MicrosoftTexts.boardReport)))
        _ = await add("Customer Churn Analysis.xlsx", in: documents, drive: one, mime: xlsx, content: .bytes(XlsxWriter.make(MicrosoftTexts.churnAnalysis)))
        _ = await add("Sales Kickoff 2025.pptx", in: documents, drive: one, mime: pptx, content: .bytes(PptxWriter.make(MicrosoftTexts.salesKickoff)))
        let projects = await add("Projects", in: one.rootID, drive: one, folder: true)
        let atlas = await add("Atlas", in: projects, drive: one, folder: true)
        let design = await add("Design", in: atlas, drive: one, folder: true)
        let reviews = await add("Reviews", in: design, drive: one, folder: true)
        _ = await add("Design Review Notes.md", in: reviews, drive: one, mime: "text/markdown", content: text(MicrosoftTexts.designReview))
        _ = await add("Team Notebook", in: one.rootID, drive: one, folder: false, mime: "application/msonenote", attributes: ["package": "oneNote"])
        let timesheets = await add("Timesheets", in: one.rootID, drive: one, folder: true)
        for index in 1...1200 {
            _ = await add(
                String(format: "Timesheet %04d.txt", index), in: timesheets, drive: one, mime: "text/plain", content: text(MicrosoftTexts.timesheet(index)))
        }
        let odd = await add("Odd Files", in: one.rootID, drive: one, folder: true)
        _ = await add(
            "Whiteboard Photo.png", in: odd, drive: one, mime: "image/png", content: .bytes(PNGWriter.make(width: 40, height: 30, rgb: (220, 38, 38))))
        _ = await add(
            "Old Laptop Backup.zip", in: odd, drive: one, mime: "application/zip",
            content: .bytes(
                {
                    var zip = ZipWriter()
                    zip.add("readme.txt", "backup")
                    return zip.finish()
                }()))
        _ = await add(
            "Payroll (Protected).pdf", in: odd, drive: one, mime: pdf,
            content: .bytes(DocumentFormats.pdf(.text("Payroll", [.init(paragraphs: ["Restricted."])]), encrypted: true)))
        _ = await add(
            "Budget Draft (corrupt).xlsx", in: odd, drive: one, mime: xlsx, content: .bytes(Array(XlsxWriter.make(MicrosoftTexts.churnAnalysis).prefix(512))))
        _ = await add(
            "Screen Recording.mp4", in: odd, drive: one, mime: "video/mp4",
            content: .synthetic(size: 140 * 1024 * 1024, pattern: [0x00, 0x00, 0x00, 0x18, 0x66, 0x74, 0x79, 0x70]))
        _ = await add("📊 Metrics – Überblick.md", in: odd, drive: one, mime: "text/markdown", content: text("# Metrics\n\nWeekly active agents: 2,140."))

        // SharePoint: Marketing (two libraries) and Engineering (a /teams/ site).
        let marketing = GraphDirectory.marketingDocuments
        let campaigns = await add("Campaigns", in: marketing.rootID, drive: marketing, folder: true)
        let year = await add("2025", in: campaigns, drive: marketing, folder: true)
        _ = await add("Spring Campaign Brief.docx", in: year, drive: marketing, mime: docx, content: .bytes(DocxWriter.make(MicrosoftTexts.campaignBrief)))
        let brand = GraphDirectory.marketingBrand
        _ = await add("Style Guide.pdf", in: brand.rootID, drive: brand, mime: pdf, content: .bytes(DocumentFormats.pdf(MicrosoftTexts.styleGuide)))
        _ = await add(
            "Logo Pack.zip", in: brand.rootID, drive: brand, mime: "application/zip",
            content: .bytes(
                {
                    var zip = ZipWriter()
                    zip.add("logo.png", PNGWriter.make(width: 4, height: 4, rgb: (0, 0, 255)))
                    return zip.finish()
                }()))
        let engineering = GraphDirectory.engineeringDocuments
        let policies = await add("Policies", in: engineering.rootID, drive: engineering, folder: true)
        _ = await add(
            "Information Security Policy.pdf", in: policies, drive: engineering, mime: pdf, content: .bytes(DocumentFormats.pdf(MicrosoftTexts.securityPolicy)))
        _ = await add("On-call Handbook.md", in: engineering.rootID, drive: engineering, mime: "text/markdown", content: text(MicrosoftTexts.oncall))

        // The Product Team's channel folders live in the group's library.
        let team = GraphDirectory.productTeamDrive
        for channel in GraphDirectory.teams[0].channels {
            _ = await add(channel.displayName, in: team.rootID, drive: team, folder: true, id: channel.folderID)
        }
        _ = await add(
            "Roadmap 2025.pptx", in: GraphDirectory.teams[0].channels[0].folderID, drive: team, mime: pptx,
            content: .bytes(PptxWriter.make(MicrosoftTexts.roadmap)))
        _ = await add(
            "Launch Plan - Teams App.docx", in: GraphDirectory.teams[0].channels[1].folderID, drive: team, mime: docx,
            content: .bytes(DocxWriter.make(MicrosoftTexts.launchPlan)))
    }
}
