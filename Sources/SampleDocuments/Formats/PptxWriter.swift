/// PresentationML decks: a title and bullets per slide, with speaker notes.
public enum PptxWriter {
    public static let ns =
        "xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" xmlns:p=\"http://schemas.openxmlformats.org/presentationml/2006/main\""
    public static let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    public static func make(_ document: NativeDocument) -> [UInt8] {
        var zip = ZipWriter()
        let slides = document.slides
        var overrides = ""
        var slideIDs = ""
        var presentationRels =
            "<Relationship Id=\"rId1\" Type=\"\(rel)/slideMaster\" Target=\"slideMasters/slideMaster1.xml\"/><Relationship Id=\"rId2\" Type=\"\(rel)/theme\" Target=\"theme/theme1.xml\"/>"
        for (index, slide) in slides.enumerated() {
            let n = index + 1
            overrides +=
                "<Override PartName=\"/ppt/slides/slide\(n).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.presentationml.slide+xml\"/>"
            slideIDs += "<p:sldId id=\"\(255 + n)\" r:id=\"rId\(n + 10)\"/>"
            presentationRels += "<Relationship Id=\"rId\(n + 10)\" Type=\"\(rel)/slide\" Target=\"slides/slide\(n).xml\"/>"
            var slideRels = "<Relationship Id=\"rId1\" Type=\"\(rel)/slideLayout\" Target=\"../slideLayouts/slideLayout1.xml\"/>"
            if let notes = slide.notes {
                overrides +=
                    "<Override PartName=\"/ppt/notesSlides/notesSlide\(n).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.presentationml.notesSlide+xml\"/>"
                slideRels += "<Relationship Id=\"rId2\" Type=\"\(rel)/notesSlide\" Target=\"../notesSlides/notesSlide\(n).xml\"/>"
                zip.add(
                    "ppt/notesSlides/notesSlide\(n).xml",
                    """
                    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                    <p:notes \(ns)><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>\(shape(2, "Notes Placeholder", placeholder: "body", index: 1, paragraphs: [notes]))</p:spTree></p:cSld></p:notes>
                    """)
                zip.add(
                    "ppt/notesSlides/_rels/notesSlide\(n).xml.rels",
                    """
                    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                    <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="\(rel)/slide" Target="../slides/slide\(n).xml"/></Relationships>
                    """)
            }
            zip.add(
                "ppt/slides/slide\(n).xml",
                """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <p:sld \(ns)><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>\(shape(2, "Title", placeholder: "title", index: nil, paragraphs: [slide.title]))\(shape(3, "Content", placeholder: nil, index: 1, paragraphs: slide.bullets))</p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sld>
                """)
            zip.add(
                "ppt/slides/_rels/slide\(n).xml.rels",
                """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\(slideRels)</Relationships>
                """)
        }
        zip.add(
            "[Content_Types].xml",
            """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/><Override PartName="/ppt/slideMasters/slideMaster1.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.slideMaster+xml"/><Override PartName="/ppt/slideLayouts/slideLayout1.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.slideLayout+xml"/><Override PartName="/ppt/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>\(overrides)</Types>
            """)
        zip.add(
            "_rels/.rels",
            """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="\(rel)/officeDocument" Target="ppt/presentation.xml"/></Relationships>
            """)
        zip.add(
            "ppt/presentation.xml",
            """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <p:presentation \(ns)><p:sldMasterIdLst><p:sldMasterId id="2147483648" r:id="rId1"/></p:sldMasterIdLst><p:sldIdLst>\(slideIDs)</p:sldIdLst><p:sldSz cx="9144000" cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/></p:presentation>
            """)
        zip.add(
            "ppt/_rels/presentation.xml.rels",
            """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\(presentationRels)</Relationships>
            """)
        zip.add(
            "ppt/slideMasters/slideMaster1.xml",
            """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <p:sldMaster \(ns)><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/></p:spTree></p:cSld><p:clrMap bg1="lt1" tx1="dk1" bg2="lt2" tx2="dk2" accent1="accent1" accent2="accent2" accent3="accent3" accent4="accent4" accent5="accent5" accent6="accent6" hlink="hlink" folHlink="folHlink"/><p:sldLayoutIdLst><p:sldLayoutId id="2147483649" r:id="rId1"/></p:sldLayoutIdLst></p:sldMaster>
            """)
        zip.add(
            "ppt/slideMasters/_rels/slideMaster1.xml.rels",
            """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="\(rel)/slideLayout" Target="../slideLayouts/slideLayout1.xml"/><Relationship Id="rId2" Type="\(rel)/theme" Target="../theme/theme1.xml"/></Relationships>
            """)
        zip.add(
            "ppt/slideLayouts/slideLayout1.xml",
            """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <p:sldLayout \(ns) type="obj"><p:cSld name="Title and Content"><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/></p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sldLayout>
            """)
        zip.add(
            "ppt/slideLayouts/_rels/slideLayout1.xml.rels",
            """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="\(rel)/slideMaster" Target="../slideMasters/slideMaster1.xml"/></Relationships>
            """)
        zip.add("ppt/theme/theme1.xml", theme)
        return zip.finish()
    }

    private static func shape(_ id: Int, _ name: String, placeholder: String?, index: Int?, paragraphs: [String]) -> String {
        var ph = "<p:ph"
        if let placeholder { ph += " type=\"\(placeholder)\"" }
        if let index { ph += " idx=\"\(index)\"" }
        ph += "/>"
        let body = paragraphs.map { "<a:p><a:r><a:rPr lang=\"en-US\" dirty=\"0\"/><a:t>\($0.xmlEscaped)</a:t></a:r></a:p>" }.joined()
        return
            "<p:sp><p:nvSpPr><p:cNvPr id=\"\(id)\" name=\"\(name)\"/><p:cNvSpPr><a:spLocks noGrp=\"1\"/></p:cNvSpPr><p:nvPr>\(ph)</p:nvPr></p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/><a:lstStyle/>\(body.isEmpty ? "<a:p/>" : body)</p:txBody></p:sp>"
    }

    private static let theme = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" name="Office Theme"><a:themeElements><a:clrScheme name="Office"><a:dk1><a:sysClr val="windowText" lastClr="000000"/></a:dk1><a:lt1><a:sysClr val="window" lastClr="FFFFFF"/></a:lt1><a:dk2><a:srgbClr val="1F497D"/></a:dk2><a:lt2><a:srgbClr val="EEECE1"/></a:lt2><a:accent1><a:srgbClr val="4F81BD"/></a:accent1><a:accent2><a:srgbClr val="C0504D"/></a:accent2><a:accent3><a:srgbClr val="9BBB59"/></a:accent3><a:accent4><a:srgbClr val="8064A2"/></a:accent4><a:accent5><a:srgbClr val="4BACC6"/></a:accent5><a:accent6><a:srgbClr val="F79646"/></a:accent6><a:hlink><a:srgbClr val="0000FF"/></a:hlink><a:folHlink><a:srgbClr val="800080"/></a:folHlink></a:clrScheme><a:fontScheme name="Office"><a:majorFont><a:latin typeface="Calibri"/><a:ea typeface=""/><a:cs typeface=""/></a:majorFont><a:minorFont><a:latin typeface="Calibri"/><a:ea typeface=""/><a:cs typeface=""/></a:minorFont></a:fontScheme><a:fmtScheme name="Office"><a:fillStyleLst><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:fillStyleLst><a:lnStyleLst><a:ln w="9525"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln><a:ln w="25400"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln><a:ln w="38100"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln></a:lnStyleLst><a:effectStyleLst><a:effectStyle><a:effectLst/></a:effectStyle><a:effectStyle><a:effectLst/></a:effectStyle><a:effectStyle><a:effectLst/></a:effectStyle></a:effectStyleLst><a:bgFillStyleLst><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:bgFillStyleLst></a:fmtScheme></a:themeElements></a:theme>
        """
}
