import Extraction
import Foundation
import SampleDocuments
import Testing

/// `.doc`, `.xls`, `.ppt` and RTF through LibreOffice: files LibreOffice itself wrote in those
/// formats are read with their text complete and in order.
@Suite("Legacy Office")
struct LegacyOfficeTests {
    static let soffice = LegacyOfficeExtractor.installedSoffice()
    static let installed = soffice != nil

    @Test(.enabled(if: installed), arguments: [(1, "docx", "doc"), (1, "docx", "rtf"), (3, "xlsx", "xls"), (5, "pptx", "ppt")])
    func readsWhatLibreOfficeWrote(index: Int, format: String, legacy: String) throws {
        // given one of our documents saved by LibreOffice in the legacy format
        let document = SampleDocuments.all[index]
        let bytes = try LegacyOfficeExtractor.convert(
            DocumentFormats.render(document, format: format), to: legacy, from: format, soffice: try #require(Self.soffice))
        // when it is read (by the type a provider gives, or by its name alone)
        let types = ["doc": "application/msword", "rtf": "text/rtf", "xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint"]
        let typed = try Extractors().extract(bytes, mimeType: types[legacy]!, fileName: "legacy.\(legacy)")
        let named = try Extractors().extract(bytes, mimeType: "application/octet-stream", fileName: "legacy.\(legacy)")
        // then the text is all there, in order, the title being the file's name when it has none of its own
        ExpectedText.assertInOrder(ExpectedText.lines(of: document, format: format), in: typed.plainText, context: "LibreOffice \(format)→\(legacy)")
        #expect(typed.plainText == named.plainText)
        #expect(typed.title != "input.\(format)")
        if legacy == "ppt" { #expect(typed.sections.contains { $0.location == .slide(2) }) }
    }

    @Test("without LibreOffice a legacy file is skipped before download, saying what to install")
    func missingLibreOffice() {
        let extractors = Extractors(legacyOffice: LegacyOfficeExtractor(soffice: nil))
        #expect(extractors.refusal(mimeType: "application/msword", fileName: "minutes.doc") == .unsupported("install LibreOffice to import .doc files"))
        #expect(extractors.refusal(mimeType: "", fileName: "budget.xls") == .unsupported("install LibreOffice to import .xls files"))
        #expect(extractors.refusal(mimeType: "application/rtf", fileName: "letter.rtf")?.isSkip == true)
        #expect(extractors.refusal(mimeType: "", fileName: "notes.docx") == nil)
    }

    @Test("a conversion that outlives the file's time is killed with its process group and reported as timed out")
    func hungConversion() throws {
        // given a stand-in for soffice that never finishes
        let folder = try TemporaryFolder()
        let script = folder.url.appendingPathComponent("soffice")
        try Data("#!/bin/sh\nsleep 600 &\nsleep 600\n".utf8).write(to: script)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let extractors = Extractors(limits: ExtractionLimits(timeout: .seconds(2)), legacyOffice: LegacyOfficeExtractor(soffice: script.path))
        // when
        let started = ContinuousClock.now
        #expect(throws: ExtractionError.timedOut) { try extractors.extract(Array("{\\rtf1 hello}".utf8), mimeType: "application/rtf", fileName: "a.rtf") }
        // then it stopped at the time limit, not after the stand-in
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test("a LibreOffice that aborts is started once more on a new profile; one that aborts again fails the file with the cause")
    func abortedConversion() throws {
        // given a stand-in for soffice that aborts on its first start and converts (copies) on its second
        let folder = try TemporaryFolder()
        let script = folder.url.appendingPathComponent("soffice")
        let marker = folder.url.appendingPathComponent("started-once").path
        let copying = """
            #!/bin/sh
            if [ ! -e "\(marker)" ]; then touch "\(marker)"; kill -ABRT $$; fi
            for argument; do case "$previous" in --outdir) out="$argument";; esac; previous="$argument"; input="$argument"; done
            cp "$input" "$out/input.docx"
            """
        try Data(copying.utf8).write(to: script)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        // when a file is converted, then the second start's output is read
        let rtf = Array("{\\rtf1 hello}".utf8)
        #expect(try LegacyOfficeExtractor.convert(rtf, to: "docx", from: "rtf", soffice: script.path) == rtf)
        // and a stand-in that always aborts fails the file, saying so
        let aborting = folder.url.appendingPathComponent("soffice-aborting")
        try Data("#!/bin/sh\nkill -ABRT $$\n".utf8).write(to: aborting)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: aborting.path)
        #expect(throws: ExtractionError.corrupt("LibreOffice stopped with an error while converting it")) {
            try LegacyOfficeExtractor.convert(rtf, to: "docx", from: "rtf", soffice: aborting.path)
        }
    }
}
