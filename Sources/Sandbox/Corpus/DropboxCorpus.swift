import CirrusCore
import Foundation
import SampleDocuments

/// Builds the Dropbox corpus: client folders, a Paper doc that must be exported, 1,200 logs.
struct DropboxCorpus {
    let store: SandboxStore

    func seed() async {
        let clock = GoogleCorpus.Clock()
        func add(
            _ name: String, in parent: String?, folder: Bool = false, mime: String = "application/octet-stream", content: SandboxContent = .none,
            id: String? = nil
        ) async -> String {
            let identifier: String
            if let id { identifier = id } else { identifier = await Corpus.newID(platform: .dropbox, isFolder: folder, store: store) }
            await store.insert(
                SandboxItem(
                    id: identifier, platform: .dropbox, name: name, parentID: parent, isFolder: folder, mimeType: folder ? "folder" : mime,
                    content: content, createdAt: clock.next()), seeding: true)
            return identifier
        }
        func text(_ value: String) -> SandboxContent { .bytes(Array(value.utf8)) }
        let root = await add("", in: nil, folder: true, id: Corpus.rootID(for: .dropbox))
        let clients = await add("Clients", in: root, folder: true)
        let harbour = await add("Harbour Retail", in: clients, folder: true)
        let contracts = await add("Contracts", in: harbour, folder: true)
        let signed = await add("Signed", in: contracts, folder: true)
        _ = await add("Proposal - Support Revamp.docx", in: signed, mime: GoogleCorpus.docx, content: .bytes(DocxWriter.make(DropboxTexts.clientProposal)))
        _ = await add("Discovery Workshop.pptx", in: harbour, mime: GoogleCorpus.pptx, content: .bytes(PptxWriter.make(DropboxTexts.workshop)))
        let finance = await add("Finance", in: root, folder: true)
        _ = await add("Invoices 2025.xlsx", in: finance, mime: GoogleCorpus.xlsx, content: .bytes(XlsxWriter.make(DropboxTexts.invoices)))
        _ = await add("Proposal.pdf", in: finance, mime: GoogleCorpus.pdf, content: .bytes(DocumentFormats.pdf(DropboxTexts.clientProposal)))
        let handbook = await add("Team Handbook", in: root, folder: true)
        _ = await add("Travel Policy.md", in: handbook, mime: "text/markdown", content: text(DropboxTexts.travelPolicy))
        _ = await add("Weekly Team Meeting.paper", in: handbook, mime: DropboxFiles.paperMime, content: text(DropboxTexts.paperAgenda))
        let logs = await add("Site Visit Logs", in: root, folder: true)
        for index in 1...1200 {
            _ = await add(String(format: "visit-%04d.txt", index), in: logs, mime: "text/plain", content: text(DropboxTexts.photoLog(index)))
        }
        let misc = await add("Misc", in: root, folder: true)
        _ = await add("Store Photo.png", in: misc, mime: "image/png", content: .bytes(PNGWriter.make(width: 24, height: 24, rgb: (34, 197, 94))))
        _ = await add(
            "Archive.zip", in: misc, mime: "application/zip",
            content: .bytes(
                {
                    var zip = ZipWriter()
                    zip.add("a.txt", "a")
                    return zip.finish()
                }()))
        _ = await add(
            "Locked Contract.pdf", in: misc, mime: GoogleCorpus.pdf,
            content: .bytes(DocumentFormats.pdf(.text("Locked", [.init(paragraphs: ["Secret."])]), encrypted: true)))
        _ = await add("Broken Slides.pptx", in: misc, mime: GoogleCorpus.pptx, content: .bytes(Array(PptxWriter.make(DropboxTexts.workshop).prefix(900))))
        _ = await add(
            "Raw Footage.mov", in: misc, mime: "video/quicktime",
            content: .synthetic(size: 120 * 1024 * 1024, pattern: Array("cirrus-sandbox-raw-footage-0001\n".utf8)))
        _ = await add("Café Menu – Été.txt", in: misc, mime: "text/plain", content: text("Croissant 2.50, café crème 3.20."))
        _ = await add("notes (copy) [final] #2.txt", in: misc, mime: "text/plain", content: text("Punctuation in names must survive the round trip."))
    }
}
