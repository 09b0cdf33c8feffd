import Extraction
import Foundation
import SampleDocuments
import Testing

/// `.doc`, `.xls`, `.ppt` and RTF through LibreOffice: files LibreOffice itself wrote in those
/// formats are read with their text complete and in order.
@Suite("Legacy Office")
struct LegacyOfficeTests {
    static let installed = LegacyOfficeExtractor.installedSoffice() != nil

    @Test(.enabled(if: installed), arguments: [(1, "docx", "doc"), (1, "docx", "rtf"), (3, "xlsx", "xls"), (5, "pptx", "ppt")])
    func readsWhatLibreOfficeWrote(index: Int, format: String, legacy: String) throws {
        // given one of our documents saved by LibreOffice in the legacy format
        let folder = try TemporaryFolder()
        let document = SampleDocuments.all[index]
        let source = folder.url.appendingPathComponent("source.\(format)")
        try Data(DocumentFormats.render(document, format: format)).write(to: source)
        try ThirdPartyProducersTests().run(
            "/usr/bin/soffice",
            ["-env:UserInstallation=file://\(folder.url.path)/profile", "--headless", "--convert-to", legacy, "--outdir", folder.url.path, source.path])
        let bytes = try [UInt8](Data(contentsOf: folder.url.appendingPathComponent("source.\(legacy)")))
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
}
