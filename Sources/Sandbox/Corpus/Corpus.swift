import CirrusCore
import Foundation
import SampleDocuments

/// The seeded world of every emulated provider: a small company's documents, generated at
/// start-up from known text (fast and deterministic), including files that must be refused.
public enum Corpus {
    public static let googleRootID = "0AFqCirrusMyDriveRootUk9PVA"
    public static let engineeringDriveID = "0ABEngSharedDrUk9PVA"
    public static let salesDriveID = "0ACSalesSharedUk9PVA"

    /// The root folder id of a platform's main tree.
    public static func rootID(for platform: Platform) -> String {
        switch platform {
        case .googleDrive: googleRootID
        case .microsoft: GraphDirectory.oneDrive.rootID
        case .dropbox: "id:cirrusrootfolder000000"
        case .confluence: "confluence-root"
        }
    }

    /// Provider aliases for ids (`root` on Drive).
    public static func resolveAlias(_ id: String, platform: Platform) -> String {
        if platform == .googleDrive, id == "root" { return googleRootID }
        return id
    }

    static func isSharedDriveRoot(_ item: SandboxItem) -> Bool {
        item.attributes["sharedDriveRoot"] == "true"
    }

    /// Attributes a new child takes from its folder.
    static func inheritedAttributes(from parent: SandboxItem) -> [String: String] {
        parent.attributes.filter { ["cloudId"].contains($0.key) }
    }

    /// A fresh id in the platform's style.
    static func newID(platform: Platform, isFolder: Bool, store: SandboxStore) async -> String {
        switch platform {
        case .googleDrive: await store.makeID(prefix: "1", length: 33)
        case .microsoft: await store.makeID(prefix: "01", length: 34).uppercased()
        case .dropbox: await store.makeID(prefix: "id:", length: 25)
        case .confluence:
            isFolder
                ? String(await store.makeID(prefix: "", length: 9).unicodeScalars.map { String($0.value % 10) }.joined().prefix(9)).replacingOccurrences(
                    of: "^0", with: "1", options: .regularExpression)
                : "att" + String(await store.makeID(prefix: "", length: 9).unicodeScalars.map { String($0.value % 10) }.joined().prefix(9))
        }
    }

    /// The start of the corpus's timeline; items are dated after it.
    static let epoch = Date(timeIntervalSince1970: 1_736_150_400)  // 2025-01-06T08:00:00Z

    public static func seed(into store: SandboxStore) async {
        await GoogleCorpus(store: store).seed()
        await MicrosoftCorpus(store: store).seed()
        await DropboxCorpus(store: store).seed()
        await ConfluenceCorpus(store: store).seed()
    }
}

/// Builds the Google Drive corpus, including the seed journey's folders and files.
struct GoogleCorpus {
    let store: SandboxStore
    static let pdf = "application/pdf"
    static let docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    static let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    static let pptx = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

    final class Clock: @unchecked Sendable {
        var minutes = 0
        func next() -> Date {
            minutes += 37
            return Corpus.epoch.addingTimeInterval(TimeInterval(minutes * 60))
        }
    }

    func seed() async {
        let clock = Clock()
        func add(
            _ name: String, in parent: String?, mime: String, content: SandboxContent, container: String? = nil,
            attributes: [String: String] = [:], id: String? = nil, trashed: Bool = false
        ) async -> String {
            let isFolder = mime == GoogleDriveAPI.folderType
            let identifier: String
            if let id { identifier = id } else { identifier = await Corpus.newID(platform: .googleDrive, isFolder: isFolder, store: store) }
            var item = SandboxItem(
                id: identifier, platform: .googleDrive, name: name, parentID: parent, isFolder: isFolder, mimeType: mime,
                content: content, createdAt: clock.next(), containerID: container, attributes: attributes)
            item.trashed = trashed
            await store.insert(item, seeding: true)
            return identifier
        }
        func folder(_ name: String, in parent: String?, container: String? = nil) async -> String {
            await add(name, in: parent, mime: GoogleDriveAPI.folderType, content: .none, container: container)
        }
        func text(_ value: String) -> SandboxContent { .bytes(Array(value.utf8)) }

        let root = await add("My Drive", in: nil, mime: GoogleDriveAPI.folderType, content: .none, id: Corpus.googleRootID)

        // The seed journey: Sarah's My Drive.
        let marketing = await folder("Marketing Materials", in: root)
        let productDocs = await folder("Product Docs", in: root)
        _ = await add("Company Logo.png", in: root, mime: "image/png", content: .bytes(PNGWriter.make(width: 64, height: 64, rgb: (29, 78, 216))))
        _ = await add("Budget 2025.xlsx", in: root, mime: GoogleCorpus.xlsx, content: .bytes(XlsxWriter.make(CorpusTexts.budget2025)))
        _ = await add("Product Overview.pdf", in: productDocs, mime: GoogleCorpus.pdf, content: .bytes(DocumentFormats.pdf(CorpusTexts.productOverview)))
        let featureGuide = await add("Feature Guide.docx", in: productDocs, mime: GoogleCorpus.docx, content: .bytes(DocxWriter.make(CorpusTexts.featureGuide)))
        _ = await add("API Documentation.pdf", in: productDocs, mime: GoogleCorpus.pdf, content: .bytes(DocumentFormats.pdf(CorpusTexts.apiDocumentation)))

        _ = await add("Brand Guidelines.docx", in: marketing, mime: GoogleCorpus.docx, content: .bytes(DocxWriter.make(CorpusTexts.brandGuidelines)))
        _ = await add("Q3 Campaign Plan", in: marketing, mime: GoogleDriveAPI.presentationType, content: .native(CorpusTexts.campaignPlan))
        _ = await add("Press Release - Agent Assist.md", in: marketing, mime: "text/markdown", content: text(CorpusTexts.pressRelease))
        _ = await add("Office Floorplan.png", in: marketing, mime: "image/png", content: .bytes(PNGWriter.make(width: 32, height: 24, rgb: (245, 158, 11))))

        // Google-native files that must be exported.
        _ = await add("Onboarding Handbook", in: root, mime: GoogleDriveAPI.documentType, content: .native(CorpusTexts.onboardingHandbook))
        _ = await add("Hiring Pipeline", in: root, mime: GoogleDriveAPI.spreadsheetType, content: .native(CorpusTexts.hiringPipeline))
        _ = await add("All-Hands Q2", in: root, mime: GoogleDriveAPI.presentationType, content: .native(CorpusTexts.allHands))

        // Four levels deep.
        let engineering = await folder("Engineering", in: root)
        let platform = await folder("Platform", in: engineering)
        let services = await folder("Services", in: platform)
        let runbooks = await folder("Runbooks", in: services)
        _ = await add("Incident Response Runbook.md", in: runbooks, mime: "text/markdown", content: text(CorpusTexts.incidentRunbook))

        // Every importable text format.
        let support = await folder("Support", in: root)
        _ = await add("Customer FAQ.html", in: support, mime: "text/html", content: text(CorpusTexts.customerFAQ))
        _ = await add("Support Tickets Export.csv", in: support, mime: "text/csv", content: text(CorpusTexts.supportTickets))
        _ = await add("Meeting Notes 2025-03-14.txt", in: support, mime: "text/plain", content: text(CorpusTexts.meetingNotes))

        // Things that must be refused gracefully, and awkward names.
        let edge = await folder("Edge Cases", in: root)
        _ = await add(
            "Website Assets.zip", in: edge, mime: "application/zip",
            content: .bytes(
                {
                    var zip = ZipWriter()
                    zip.add("index.html", "<h1>Beacon</h1>")
                    zip.add("logo.png", PNGWriter.make(width: 8, height: 8, rgb: (0, 0, 0)))
                    return zip.finish()
                }()))
        _ = await add(
            "Board Minutes (Confidential).pdf", in: edge, mime: GoogleCorpus.pdf,
            content: .bytes(DocumentFormats.pdf(.text("Board Minutes", [.init(paragraphs: ["Confidential."])]), encrypted: true)))
        _ = await add(
            "Quarterly Report (damaged).docx", in: edge, mime: GoogleCorpus.docx,
            content: .bytes(Array(DocxWriter.make(CorpusTexts.brandGuidelines).prefix(700))))
        _ = await add(
            "Data Warehouse Dump.csv", in: edge, mime: "text/csv",
            content: .synthetic(size: 150 * 1024 * 1024, pattern: Array("row,value,comment\n".utf8)))
        _ = await add("🚀 Launch Checklist.md", in: edge, mime: "text/markdown", content: text(CorpusTexts.launchChecklist))
        _ = await add("Q1 ∕ Q2 Roadmap Review.txt", in: edge, mime: "text/plain", content: text(CorpusTexts.roadmapReview))
        _ = await add(
            String(repeating: "Very long file name for testing truncation ", count: 5) + "end.txt", in: edge, mime: "text/plain",
            content: text("A file whose name is longer than most interfaces expect."))
        _ = await add("Empty Notes.txt", in: edge, mime: "text/plain", content: .bytes([]))
        _ = await add(
            "Master Services Agreement Archive", in: edge, mime: GoogleDriveAPI.documentType,
            content: .native(.text("Master Services Agreement Archive", [.init(paragraphs: ["Every signed agreement since 2019."])])),
            attributes: ["exportPaddingBytes": String(11 * 1024 * 1024)])
        _ = await add(
            "Feature Guide (shortcut)", in: root, mime: GoogleDriveAPI.shortcutType, content: .none,
            attributes: ["shortcutTarget": featureGuide, "shortcutTargetMimeType": GoogleCorpus.docx])
        _ = await add(
            "Old Pricing (shortcut)", in: edge, mime: GoogleDriveAPI.shortcutType, content: .none,
            attributes: ["shortcutTarget": "1DanglingTargetDeletedLongAgo000", "shortcutTargetMimeType": GoogleCorpus.pdf])
        _ = await add(
            "Draft - Old Pricing.docx", in: root, mime: GoogleCorpus.docx,
            content: .bytes(DocxWriter.make(.text("Old Pricing", [.init(paragraphs: ["Superseded pricing from 2023."])]))),
            trashed: true)

        // 1,200 items in one folder, for pagination.
        let archive = await folder("Archive 2019-2023", in: root)
        for index in 1...1200 {
            _ = await add(String(format: "Weekly Update %04d.txt", index), in: archive, mime: "text/plain", content: text(CorpusTexts.weeklyUpdate(index)))
        }

        // Shared with me: no visible parent.
        _ = await add(
            "Partner Agreement - Contoso.pdf", in: nil, mime: GoogleCorpus.pdf,
            content: .bytes(
                DocumentFormats.pdf(.text("Partner Agreement", [.init(paragraphs: ["Contoso resells Beacon in the Nordics with a 20 percent margin."])]))),
            attributes: ["sharedWithMe": "true"])

        // Shared drives: each drive's id is also its root folder's id.
        let engineeringDrive = await add(
            "Engineering Shared", in: nil, mime: GoogleDriveAPI.folderType, content: .none,
            container: Corpus.engineeringDriveID, attributes: ["sharedDriveRoot": "true"], id: Corpus.engineeringDriveID)
        _ = await add(
            "Architecture Overview.docx", in: engineeringDrive, mime: GoogleCorpus.docx,
            content: .bytes(DocxWriter.make(CorpusTexts.architecture)), container: Corpus.engineeringDriveID)
        let sharedServices = await folder("Services", in: engineeringDrive, container: Corpus.engineeringDriveID)
        _ = await add(
            "Deployment Guide.md", in: sharedServices, mime: "text/markdown", content: text(CorpusTexts.deploymentGuide), container: Corpus.engineeringDriveID)
        let salesDrive = await add(
            "Sales Team", in: nil, mime: GoogleDriveAPI.folderType, content: .none,
            container: Corpus.salesDriveID, attributes: ["sharedDriveRoot": "true"], id: Corpus.salesDriveID)
        _ = await add(
            "Pricing 2025.xlsx", in: salesDrive, mime: GoogleCorpus.xlsx, content: .bytes(XlsxWriter.make(CorpusTexts.pricing2025)),
            container: Corpus.salesDriveID)
        _ = await add(
            "Sales Playbook", in: salesDrive, mime: GoogleDriveAPI.documentType, content: .native(CorpusTexts.salesPlaybook), container: Corpus.salesDriveID)
    }
}
