import Extraction
import Foundation
import SampleDocuments
import Testing

@Suite("Email")
struct EmailTests {
    static func extract(_ text: String, fileName: String = "message.eml") throws -> ExtractedDocument {
        try Extractors().extract(Array(text.utf8), mimeType: "application/octet-stream", fileName: fileName)
    }

    @Test("a saved message: the envelope first, the plain alternative (not the HTML too), the attachment as sections of its own, the subject as title")
    func message() throws {
        // given a message with an encoded subject and sender, text and HTML bodies and a DOCX attached
        let document = SampleDocuments.all[1]
        let bytes = EmailWriter.make(document)
        // when
        let mail = try Extractors().extract(bytes, mimeType: "message/rfc822", fileName: "guide.eml")
        // then
        #expect(mail.title == document.title)
        let envelope = try #require(mail.sections.first)
        #expect(envelope.headingPath == [document.title])
        #expect(envelope.text.contains("From: \(EmailWriter.senderDecoded)"), "\(envelope.text)")
        #expect(envelope.text.contains("To: Cirrus Team <team@example.com>") && envelope.text.contains("Date: Tue, 01 Dec 2026 09:30:00 +0000"))
        #expect(envelope.text.contains("Subject: \(document.title)"))
        let attachment = mail.sections.filter { $0.headingPath.dropFirst().first == "Attachment: \(document.title).docx" }
        #expect(!attachment.isEmpty, "\(mail.sections.map(\.headingPath))")
        // the body is read once: the plain alternative, then the attachment's copy
        let body = mail.sections.filter { $0.headingPath == [document.title] }.map(\.text).joined(separator: "\n")
        let firstParagraph = try #require(document.sections.first?.paragraphs.first)
        #expect(body.components(separatedBy: firstParagraph).count == 2, "the plain and HTML alternatives were both read")
    }

    @Test("quoted-printable Latin-1 with soft line breaks, a base64 HTML-only body, adjacent encoded words, a forwarded message and an image attachment")
    func encodings() throws {
        // given a hand-written message in the shapes mail clients send
        let text = """
            From: =?UTF-8?Q?Jos=C3=A9?= <jose@example.com>
            To: team@example.com
            Subject: =?UTF-8?B?Q2Fmw6k=?= =?UTF-8?Q?_menu?= for Friday
            Date: Wed, 02 Dec 2026 10:00:00 +0100
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="outer"

            --outer
            Content-Type: text/plain; charset=ISO-8859-1
            Content-Transfer-Encoding: quoted-printable

            Le caf=E9 ouvre =E0 huit heures, et la cr=E8me br=FBl=E9e est servie jusqu'=
            =E0 midi.
            --outer
            Content-Type: image/png; name="menu.png"
            Content-Transfer-Encoding: base64

            iVBORw0KGgo=
            --outer
            Content-Type: message/rfc822

            From: kitchen@example.com
            Subject: Fwd: deliveries
            Content-Type: text/html; charset=UTF-8
            Content-Transfer-Encoding: base64

            \(Data("<html><body><h2>Deliveries</h2><p>The bakery delivers at 06:15 on weekdays.</p></body></html>".utf8).base64EncodedString())
            --outer--
            """
        // when
        let mail = try Self.extract(text)
        // then
        #expect(mail.title == "Café menu for Friday")
        #expect(mail.plainText.contains("From: José <jose@example.com>"))
        #expect(mail.plainText.contains("Le café ouvre à huit heures, et la crème brûlée est servie jusqu'à midi."), "\(mail.plainText)")
        #expect(mail.sections.contains { $0.headingPath == ["Café menu for Friday", "Attachment: menu.png"] && $0.text.contains("not read") })
        let forwarded = try #require(mail.sections.first { $0.text.contains("06:15") })
        #expect(forwarded.headingPath == ["Café menu for Friday", "Fwd: deliveries", "Deliveries"], "\(forwarded.headingPath)")
    }

    @Test("a mailbox: one section per message under its subject, envelope lines dropped and >From lines unescaped")
    func mailbox() throws {
        // given three messages in an mboxrd file, one of whose lines starts with "From "
        var documents = Array(SampleDocuments.all.filter { $0.kind == .text }.prefix(2))
        documents.append(.text("Minutes", [.init(heading: "Notes", paragraphs: ["From the board: the budget passed."])]))
        let bytes = EmailWriter.mailbox(documents)
        #expect(String(decoding: bytes, as: UTF8.self).contains("\n>From the board"))
        // when
        let box = try Extractors().extract(bytes, mimeType: "application/mbox", fileName: "archive.mbox")
        // then
        #expect(box.title == "archive.mbox")
        var subjects: [String] = []
        for section in box.sections where subjects.last != section.headingPath.first { subjects.append(section.headingPath.first ?? "") }
        #expect(subjects == documents.map(\.title))
        #expect(box.plainText.contains("From the board: the budget passed."))
        #expect(!box.plainText.contains("From renee@example.com Tue"))
    }

    @Test("a file that is not a message is damaged; a bomb of nested parts stops at the depth limit")
    func refusals() throws {
        #expect(throws: ExtractionError.self) { try Self.extract("\n\njust text after a blank line") }
        var nested = "Subject: deep\nContent-Type: multipart/mixed; boundary=\"b0\"\n\n"
        for depth in 0..<20 { nested += "--b\(depth)\nContent-Type: multipart/mixed; boundary=\"b\(depth + 1)\"\n\n" }
        #expect(throws: ExtractionError.tooLarge("parts are nested more than 8 deep")) { try Self.extract(nested) }
    }
}
