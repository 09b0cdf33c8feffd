import CirrusCore
import Extraction
import Foundation
import SampleDocuments
import TestSupport
import Testing

@testable import App
@testable import Sandbox

/// Every format Cirrus reads, imported through the sandbox like any user's file, with its text
/// asserted in the knowledge base (read in the reader processes, as in production).
@Suite("Format imports")
struct FormatImportTests {
    /// Creates a file with these bytes at the provider.
    static func upload(_ scope: SyncTests.Scope, _ name: String, _ bytes: [UInt8], mimeType: String = "application/octet-stream") async throws {
        let reply = try await ConnectDriver.control(
            scope.origin, "/files",
            ["platform": scope.platform.rawValue, "name": name, "parentId": scope.folder, "mimeType": mimeType, "content": Data(bytes).base64EncodedString()])
        #expect(reply["id"] is String, "\(reply)")
    }

    /// A paragraph's first words: long paragraphs may be split between passages.
    static func phrase(_ text: String) -> String {
        text.split(separator: " ").prefix(6).joined(separator: " ")
    }

    /// `format` written by LibreOffice from our own `source` document.
    static func libreOffice(_ document: NativeDocument, from source: String, to format: String) throws -> [UInt8] {
        try LegacyOfficeExtractor.convert(
            DocumentFormats.render(document, format: source), to: format, from: source, soffice: try #require(LegacyOfficeExtractor.installedSoffice()))
    }

    @Test("OpenDocument, EPUB, email and mailboxes, and (with LibreOffice) .doc, .xls, .ppt and RTF import with their text")
    func everyFormat() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            // given a Dropbox folder (Dropbox gives no types: each is known by its name) holding a file of every format
            let driver = try await ImportTests.connected(client, .dropbox)
            let scope = try await SyncTests.makeScope(client, driver, .dropbox)
            let guide = CorpusTexts.featureGuide
            let sheet = CorpusTexts.hiringPipeline
            let deck = CorpusTexts.allHands
            var expected: [String: [String]] = [
                "Feature Guide.odt": [try #require(guide.sections.first?.paragraphs.first)],
                "Hiring Pipeline.ods": [sheet.sheets[0].name, try #require(sheet.sheets[0].rows.last?.first?.display)],
                "All-Hands.odp": [deck.slides[0].title, try #require(deck.slides[0].notes)],
                "Feature Guide.epub": [try #require(guide.sections.flatMap(\.paragraphs).last)],
                "Feature Guide.eml": ["From: \(EmailWriter.senderDecoded)", "Attachment: Feature Guide.docx"],
                "Team.mbox": [CorpusTexts.onboardingHandbook.title, try #require(CorpusTexts.onboardingHandbook.sections.first?.paragraphs.first)],
            ]
            try await Self.upload(scope, "Feature Guide.odt", DocumentFormats.render(guide, format: "odt"))
            try await Self.upload(scope, "Hiring Pipeline.ods", DocumentFormats.render(sheet, format: "ods"))
            try await Self.upload(scope, "All-Hands.odp", DocumentFormats.render(deck, format: "odp"))
            try await Self.upload(scope, "Feature Guide.epub", DocumentFormats.render(guide, format: "epub"))
            try await Self.upload(scope, "Feature Guide.eml", EmailWriter.make(guide))
            try await Self.upload(scope, "Team.mbox", EmailWriter.mailbox([CorpusTexts.onboardingHandbook, guide]))
            // and scans: a photographed page, and a PDF of a typed page and a scanned one
            let scanned = ["The boiler service is booked for the third of March.", "Keys are left with the concierge on the ground floor."]
            try await Self.upload(scope, "Boiler note.png", ScanWriter.png(scanned, style: .init()))
            try await Self.upload(scope, "Boiler note.jpg", try ImageEncoding.reencode(ScanWriter.png(scanned, style: .init()), as: .jpeg))
            try await Self.upload(scope, "Boiler note.tif", try ImageEncoding.reencode(ScanWriter.png(scanned, style: .init()), as: .tiffLZW))
            expected["Boiler note.jpg"] = ["boiler service is booked"]
            expected["Boiler note.tif"] = ["Keys are left with the concierge"]
            try await Self.upload(scope, "Boiler letter.pdf", ScanWriter.pdf([scanned], style: .init(), textPage: ["Covering letter, typed."]))
            expected["Boiler note.png"] = ["boiler service is booked"]
            expected["Boiler letter.pdf"] = ["Covering letter, typed.", "Keys are left with the concierge"]
            if LegacyOfficeExtractor.installedSoffice() != nil {
                for (name, document, source, format) in [
                    ("Feature Guide.doc", guide, "docx", "doc"), ("Feature Guide.rtf", guide, "docx", "rtf"),
                    ("Hiring Pipeline.xls", sheet, "xlsx", "xls"), ("All-Hands.ppt", deck, "pptx", "ppt"),
                ] {
                    try await Self.upload(scope, name, try Self.libreOffice(document, from: source, to: format))
                }
                expected["Feature Guide.doc"] = expected["Feature Guide.odt"]
                expected["Feature Guide.rtf"] = expected["Feature Guide.odt"]
                expected["Hiring Pipeline.xls"] = expected["Hiring Pipeline.ods"]
                expected["All-Hands.ppt"] = expected["All-Hands.odp"]
            }

            // when the folder is imported
            let job = try await ImportTests.importAndWait(client, driver, .dropbox, ids: [scope.rootID], category: "Formats", timeout: .seconds(300))

            // then every file is done, and its text is in the knowledge base
            let files = ImportTests.items(job).filter { $0["isFolder"] as? Bool != true }
            #expect(files.count == expected.count, "\(String(describing: job).prefix(3000))")
            for file in files {
                #expect(file["state"] as? String == "done", "\(file["name"] ?? "?"): \(file["state"] ?? "?") \(file["reason"] ?? "")")
            }
            let documents = try await SyncTests.documents(harness, .dropbox)
            for (name, texts) in expected.sorted(by: { $0.key < $1.key }) {
                let text = try #require(documents[name]?.text, "\(name) is not in the knowledge base")
                for snippet in texts.map(Self.phrase) { #expect(text.contains(snippet), "\(name) lacks “\(snippet)”") }
            }
            // and the scans say their text came from OCR, on the API and the Documents page
            #expect(documents["Boiler note.png"]?.document.ocrPages == 1)
            #expect(documents["Boiler letter.pdf"]?.document.ocrPages == 1)
            #expect((documents["Boiler note.png"]?.document.ocrConfidence ?? 0) > 50)
            #expect(documents["Feature Guide.odt"]?.document.ocrPages == nil)
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let page = try await client.get(SiteRoute.documentsPage.path + "?category=Formats").body
            #expect(page.contains("Text by OCR (1 page, "), "the Documents page shows the OCR note")
        }
    }

    @Test("Google Docs, Sheets and Slides, a Dropbox Paper doc and a Confluence page with macros import with their text")
    func providerNativeFormats() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            // given the seeded corpus at Google Drive, Dropbox and Confluence
            let google = try await ImportTests.connected(client, .googleDrive)
            let root = try await ImportTests.browse(client, google, .googleDrive)
            let natives = try ["Onboarding Handbook", "Hiring Pipeline", "All-Hands Q2"].map { name in
                try #require(ImportTests.find(name, in: root)?["id"] as? String, "\(name)")
            }
            let dropbox = try await ImportTests.connected(client, .dropbox)
            let paper = try #require(try await ImportTests.walk(client, dropbox, .dropbox, ["Team Handbook", "Weekly Team Meeting.paper"])["id"] as? String)
            let confluence = try await ImportTests.connected(client, .confluence)
            let workflow = try #require(
                try await ImportTests.walk(client, confluence, .confluence, ["Engineering Handbook", "Engineering Handbook", "Development Workflow"])["id"]
                    as? String)
            // when each is imported
            _ = try await ImportTests.importAndWait(client, google, .googleDrive, ids: natives, category: "Natives")
            _ = try await ImportTests.importAndWait(client, dropbox, .dropbox, ids: [paper], category: "Natives")
            _ = try await ImportTests.importAndWait(client, confluence, .confluence, ids: [workflow], category: "Natives")
            // then the exported text is what the provider holds
            let drive = try await SyncTests.documents(harness, .googleDrive)
            func exported(_ name: String) throws -> String {
                try #require(drive.first { $0.key.hasPrefix(name) }?.value.text, "\(name) not in \(drive.keys)")
            }
            #expect(try exported("Onboarding Handbook").contains(Self.phrase(CorpusTexts.onboardingHandbook.sections[0].paragraphs[0])))
            #expect(try exported("Hiring Pipeline").contains(CorpusTexts.hiringPipeline.sheets[0].rows[1][0].display))
            #expect(try exported("All-Hands Q2").contains(try #require(CorpusTexts.allHands.slides[0].bullets.first)))
            let box = try await SyncTests.documents(harness, .dropbox)
            let agenda = try #require(box.first { $0.key.hasPrefix("Weekly Team Meeting") }?.value.text, "\(box.keys)")
            #expect(agenda.contains("Office move to the Docklands on 1 September"))
            let pages = try await SyncTests.documents(harness, .confluence)
            let page = try #require(pages["Development Workflow"]?.text, "\(pages.keys)")
            #expect(page.contains("at least one approving review"))
            #expect(page.contains("git switch -c feature/my-change"), "the code macro's body is kept")
            #expect(page.contains("Never push directly to main"), "the warning panel's text is kept")
            #expect(page.contains("Add the release notes before merging"), "the task list is kept")
        }
    }
}
