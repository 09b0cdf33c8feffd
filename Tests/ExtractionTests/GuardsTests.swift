import Extraction
import Foundation
import SampleDocuments
import Testing
import ZIPFoundation

/// Hostile and broken files end with a clear reason, quickly, without harming the process.
@Suite struct GuardsTests {
    static let docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    /// A docx-shaped zip whose document part is the given XML (or bytes).
    static func package(document: [UInt8], repeating: Int = 1) throws -> [UInt8] {
        let archive = try Archive(data: Data(), accessMode: .create)
        let size = Int64(document.count * repeating)
        try archive.addEntry(with: "word/document.xml", type: .file, uncompressedSize: size, compressionMethod: .deflate) { position, length in
            var chunk = Data(capacity: length)
            var offset = Int(position) % document.count
            while chunk.count < length {
                let take = min(length - chunk.count, document.count - offset)
                chunk.append(contentsOf: document[offset..<(offset + take)])
                offset = 0
            }
            return chunk
        }
        return [UInt8](archive.data!)
    }

    @Test func zipBombIsRefused() throws {
        // given a package whose 64 MB part compresses a thousandfold
        let bomb = try Self.package(document: [UInt8](repeating: UInt8(ascii: " "), count: 1 << 20), repeating: 64)
        #expect(bomb.count < 1 << 20)
        // when it is extracted, then it is refused as too large
        #expect { try Extractors().extract(bomb, mimeType: Self.docx, fileName: "bomb.docx") } throws: { error in
            guard case ExtractionError.tooLarge = error else { return false }
            return true
        }
    }

    @Test func entityExpansionAndExternalEntitiesAreNeverResolved() throws {
        // given a billion-laughs document that also asks for a local file
        var doctype = "<!DOCTYPE w:document [<!ENTITY xxe SYSTEM \"file:///etc/passwd\"><!ENTITY lol \"lol\">"
        for level in 1...9 { doctype += "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level == 1 ? "" : String(level - 1));", count: 10) + "\">" }
        doctype += "]>"
        let xml =
            "<?xml version=\"1.0\"?>\(doctype)<w:document xmlns:w=\"x\"><w:body><w:p><w:r><w:t>Safe words &xxe; &lol9;</w:t></w:r></w:p></w:body></w:document>"
        // when it is extracted
        let started = ContinuousClock.now
        let document = try Extractors().extract(try Self.package(document: Array(xml.utf8)), mimeType: Self.docx, fileName: "laughs.docx")
        // then the text is read as written, nothing is expanded or fetched
        #expect(document.plainText.contains("Safe words"))
        #expect(!document.plainText.contains("root:"))
        #expect(document.plainText.count < 200)
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func encryptedAndCorruptFilesFailWithAReason() throws {
        let extractors = Extractors()
        // an encrypted PDF
        let encrypted = DocumentFormats.pdf(SampleDocuments.all[0], encrypted: true)
        #expect(throws: ExtractionError.encrypted) { try extractors.extract(encrypted, mimeType: "application/pdf", fileName: "locked.pdf") }
        // a damaged PDF and a damaged docx
        let corruptPDF = Array("%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage".utf8)
        #expect { try extractors.extract(corruptPDF, mimeType: "application/pdf", fileName: "broken.pdf") } throws: { error in
            guard case ExtractionError.corrupt = error else { return false }
            return true
        }
        let truncated = Array(DocumentFormats.render(SampleDocuments.all[1], format: "docx").prefix(300))
        #expect { try extractors.extract(truncated, mimeType: Self.docx, fileName: "cut.docx") } throws: { error in
            guard case ExtractionError.corrupt = error else { return false }
            return true
        }
        // an Office file encrypted with a password is an OLE container, not a zip
        let ole: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 512)
        #expect(throws: ExtractionError.encrypted) { try extractors.extract(ole, mimeType: Self.docx, fileName: "secret.docx") }
    }

    @Test func archivesAndMediaAreSkippedBeforeDownload() {
        let extractors = Extractors()
        for (type, name) in [("application/zip", "export.zip"), ("video/mp4", "demo.mp4"), ("image/svg+xml", "logo.svg")] {
            let refusal = extractors.refusal(mimeType: type, fileName: name)
            #expect(refusal?.isSkip == true, "\(name)")
        }
        // images are read by OCR, unless it is off
        #expect(extractors.refusal(mimeType: "image/png", fileName: "scan.png") == nil)
        #expect(Extractors(ocr: nil).refusal(mimeType: "image/png", fileName: "scan.png")?.isSkip == true)
        #expect(extractors.refusal(mimeType: "application/octet-stream", fileName: "notes.md") == nil)
        #expect(extractors.refusal(mimeType: "application/x-msdownload", fileName: "setup.exe")?.reason.contains("cannot be imported") == true)
    }

    @Test func textLengthIsCapped() {
        let extractors = Extractors(limits: ExtractionLimits(maxTextLength: 1000))
        let long = Array(String(repeating: "A sentence that repeats. ", count: 200).utf8)
        #expect { try extractors.extract(long, mimeType: "text/plain", fileName: "long.txt") } throws: { error in
            guard case ExtractionError.tooLarge = error else { return false }
            return true
        }
    }
}

@Suite struct MarkupFormatsTests {
    @Test func confluenceStorageKeepsMacroTextAndDropsMarkup() throws {
        // given a page body with code, panel, expand, table, link and mention macros
        let storage = """
            <h1>Runbook</h1><p>Restart the <ac:link><ri:page ri:content-title="Ingest Service" /></ac:link> first, then ping <ac:link><ri:user ri:username="oncall" /></ac:link>.</p>
            <ac:structured-macro ac:name="code" ac:schema-version="1"><ac:parameter ac:name="language">bash</ac:parameter><ac:plain-text-body><![CDATA[systemctl restart ingest && echo "<ok>"]]></ac:plain-text-body></ac:structured-macro>
            <ac:structured-macro ac:name="info"><ac:rich-text-body><p>Only on-call engineers may restart production.</p></ac:rich-text-body></ac:structured-macro>
            <h2>Details</h2><ac:structured-macro ac:name="expand"><ac:parameter ac:name="title">More</ac:parameter><ac:rich-text-body><table><tbody><tr><th>Step</th><th>Owner</th></tr><tr><td>Drain queue</td><td>SRE&nbsp;team</td></tr></tbody></table></ac:rich-text-body></ac:structured-macro>
            <ac:image><ri:attachment ri:filename="diagram.png" /></ac:image>
            """
        // when it is extracted
        let document = try Extractors().extract(Array(storage.utf8), mimeType: HTMLExtractor.confluenceStorage, fileName: "Runbook")
        let text = document.plainText
        // then the words are kept in order and the markup and parameters are gone
        ExpectedText.assertInOrder(
            [
                "Runbook", "Restart the Ingest Service first, then ping @oncall.", "systemctl restart ingest && echo \"<ok>\"",
                "Only on-call engineers may restart production.", "Details", "Step | Owner", "Drain queue | SRE team",
            ], in: text, context: "storage")
        #expect(!text.contains("bash"))
        #expect(!text.contains("ac:"))
        #expect(!text.contains("diagram.png"))
        #expect(document.sections.contains { $0.headingPath == ["Runbook", "Details"] })
    }

    @Test func htmlDropsScriptsAndStylesAndKeepsTitle() throws {
        let html =
            "<html><head><title>Help &amp; Support</title><style>p{color:red}</style></head><body><script>var x = '<p>no</p>';</script><h1>Welcome</h1><p>Open&nbsp;a ticket<br>any time.</p></body></html>"
        let document = try Extractors().extract(Array(html.utf8), mimeType: "text/html", fileName: "help.html")
        #expect(document.title == "Help & Support")
        #expect(!document.plainText.contains("color"))
        #expect(!document.plainText.contains("var x"))
        ExpectedText.assertInOrder(["Welcome", "Open a ticket", "any time."], in: document.plainText, context: "html")
    }

    @Test func jsonAndCSVKeepTheirLabels() throws {
        let json = #"{"owner": {"name": "Sarah", "active": true}, "tags": ["faq", "billing"], "limit": 2.5, "note": "caf\u00e9 \ud83d\ude00"}"#
        let document = try Extractors().extract(Array(json.utf8), mimeType: "application/json", fileName: "config.json")
        ExpectedText.assertInOrder(
            ["owner.name: Sarah", "owner.active: true", "tags[0]: faq", "tags[1]: billing", "limit: 2.5", "note: café 😀"],
            in: document.plainText, context: "json")
        #expect(throws: ExtractionError.self) { try Extractors().extract(Array("{\"a\": ".utf8), mimeType: "application/json", fileName: "bad.json") }
        let csv = "Region;Revenue;Notes\nNorth;1200;\"Grew, then \"\"stalled\"\"\"\nSouth;980;\n"
        let table = try Extractors().extract(Array(csv.utf8), mimeType: "text/csv", fileName: "r.csv")
        ExpectedText.assertInOrder(
            ["Region: North | Revenue: 1200 | Notes: Grew, then \"stalled\"", "Region: South | Revenue: 980"], in: table.plainText, context: "csv")
    }
}
