import Foundation

/// Email messages of a document, as mail clients save them (`.eml`): a multipart/mixed message
/// whose body is a multipart/alternative of the text (quoted-printable) and HTML (base64), with
/// the document attached as a DOCX; the subject and sender's name as RFC 2047 encoded words.
/// And mailboxes (`.mbox`) of several such messages.
public enum EmailWriter {
    public static let sender = "=?ISO-8859-1?Q?Ren=E9e_Dupont?= <renee@example.com>"
    /// How a reader shows ``sender``.
    public static let senderDecoded = "Renée Dupont <renee@example.com>"

    public static func make(_ document: NativeDocument, date: String = "Tue, 01 Dec 2026 09:30:00 +0000", attach: Bool = true) -> [UInt8] {
        Array(message(document, date: date, attach: attach, lineEnding: "\r\n").utf8)
    }

    /// An mboxrd mailbox: each message after a `From ` envelope line, body lines that start
    /// with "From " escaped as ">From ".
    public static func mailbox(_ documents: [NativeDocument]) -> [UInt8] {
        var text = ""
        for (index, document) in documents.enumerated() {
            text += "From renee@example.com Tue Dec  1 09:3\(index):00 2026\n"
            let body = message(document, date: "Tue, 01 Dec 2026 09:3\(index):00 +0000", attach: false, lineEnding: "\n")
            for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
                text += (line.drop { $0 == ">" }.hasPrefix("From ") ? ">" : "") + line + "\n"
            }
        }
        return Array(text.utf8)
    }

    /// The document's text as a person would type it: headings, paragraphs, bullets and rows.
    public static func plainText(_ document: NativeDocument) -> String {
        var lines = [document.title, ""]
        for section in document.sections {
            if let heading = section.heading { lines += [heading, ""] }
            lines += section.paragraphs.flatMap { [$0, ""] }
            lines += section.bullets.map { "- " + $0 }
            lines += section.table.map { $0.joined(separator: " | ") }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    static func message(_ document: NativeDocument, date: String, attach: Bool, lineEnding: String) -> String {
        let tag = CRC32.checksum(Array(document.title.utf8))
        let mixed = "=_mixed_\(tag)"
        let alternative = "=_alt_\(tag)"
        var lines = [
            "Return-Path: <renee@example.com>", "From: \(sender)", "To: Cirrus Team <team@example.com>",
            "Cc: archive@example.com", "Date: \(date)",
            "Subject: =?UTF-8?B?\(Data(document.title.utf8).base64EncodedString())?=",
            "Message-ID: <\(tag)@example.com>", "MIME-Version: 1.0",
            "Content-Type: multipart/mixed;", "\tboundary=\"\(mixed)\"", "", "This is a multi-part message in MIME format.", "",
            "--\(mixed)", "Content-Type: multipart/alternative; boundary=\"\(alternative)\"", "",
            "--\(alternative)", "Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: quoted-printable", "",
        ]
        lines += quotedPrintable(plainText(document)).components(separatedBy: "\n")
        lines += ["", "--\(alternative)", "Content-Type: text/html; charset=UTF-8", "Content-Transfer-Encoding: base64", ""]
        lines += wrap(Data(DocumentFormats.html(document).utf8).base64EncodedString())
        lines += ["", "--\(alternative)--", ""]
        if attach {
            let name = document.title + ".docx"
            lines += [
                "--\(mixed)", "Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document; name=\"\(name)\"",
                "Content-Disposition: attachment; filename=\"\(name)\"", "Content-Transfer-Encoding: base64", "",
            ]
            lines += wrap(Data(DocxWriter.make(document)).base64EncodedString())
            lines.append("")
        }
        lines += ["--\(mixed)--", ""]
        return lines.joined(separator: lineEnding)
    }

    /// Quoted-printable (RFC 2045 §6.7): UTF-8, `=XX` for what is not printable ASCII, soft
    /// line breaks before 76 characters; the text's own line breaks stay.
    static func quotedPrintable(_ text: String) -> String {
        text.components(separatedBy: "\n").map { line in
            var out = ""
            var width = 0
            for byte in line.utf8 {
                let piece =
                    (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")) || byte == 0x20
                    ? String(UnicodeScalar(byte)) : String(format: "=%02X", byte)
                if width + piece.count > 75 {
                    out += "=\n"
                    width = 0
                }
                out += piece
                width += piece.count
            }
            if out.hasSuffix(" ") { out = String(out.dropLast()) + "=20" }
            return out
        }.joined(separator: "\n")
    }

    static func wrap(_ base64: String) -> [String] {
        stride(from: 0, to: base64.count, by: 76).map { offset in
            let start = base64.index(base64.startIndex, offsetBy: offset)
            return String(base64[start..<(base64.index(start, offsetBy: 76, limitedBy: base64.endIndex) ?? base64.endIndex)])
        }
    }
}
