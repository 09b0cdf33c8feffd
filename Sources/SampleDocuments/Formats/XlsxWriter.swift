/// SpreadsheetML workbooks: several sheets, shared strings, numbers and real date cells.
public enum XlsxWriter {
    public static func make(_ document: NativeDocument) -> [UInt8] {
        var zip = ZipWriter()
        let sheets = document.sheets
        var strings: [String] = []
        var index: [String: Int] = [:]
        func stringIndex(_ text: String) -> Int {
            if let existing = index[text] { return existing }
            index[text] = strings.count
            strings.append(text)
            return strings.count - 1
        }
        var overrides = ""
        var workbookSheets = ""
        var workbookRels = ""
        for (number, sheet) in sheets.enumerated() {
            let n = number + 1
            overrides +=
                "<Override PartName=\"/xl/worksheets/sheet\(n).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
            workbookSheets += "<sheet name=\"\(sheet.name.xmlEscaped)\" sheetId=\"\(n)\" r:id=\"rId\(n)\"/>"
            workbookRels +=
                "<Relationship Id=\"rId\(n)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\(n).xml\"/>"
            var rows = ""
            for (rowIndex, row) in sheet.rows.enumerated() {
                rows += "<row r=\"\(rowIndex + 1)\">"
                for (columnIndex, cell) in row.enumerated() {
                    let reference = column(columnIndex) + String(rowIndex + 1)
                    switch cell {
                    case .text(let text): rows += "<c r=\"\(reference)\" t=\"s\"><v>\(stringIndex(text))</v></c>"
                    case .number(let value): rows += "<c r=\"\(reference)\"><v>\(value == value.rounded() ? String(Int64(value)) : String(value))</v></c>"
                    case .date(let year, let month, let day): rows += "<c r=\"\(reference)\" s=\"1\"><v>\(serial(year, month, day))</v></c>"
                    }
                }
                rows += "</row>"
            }
            zip.add(
                "xl/worksheets/sheet\(n).xml",
                """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>\(rows)</sheetData></worksheet>
                """)
        }
        let stylesRel = sheets.count + 1
        let stringsRel = sheets.count + 2
        workbookRels +=
            "<Relationship Id=\"rId\(stylesRel)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
        workbookRels +=
            "<Relationship Id=\"rId\(stringsRel)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>"
        zip.add(
            "[Content_Types].xml",
            """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>\(overrides)</Types>
            """)
        zip.add(
            "_rels/.rels",
            """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
            """)
        zip.add(
            "xl/workbook.xml",
            """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>\(workbookSheets)</sheets></workbook>
            """)
        zip.add(
            "xl/_rels/workbook.xml.rels",
            """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\(workbookRels)</Relationships>
            """)
        zip.add(
            "xl/styles.xml",
            """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>
            """)
        let sharedStrings = strings.map { "<si><t xml:space=\"preserve\">\($0.xmlEscaped)</t></si>" }.joined()
        zip.add(
            "xl/sharedStrings.xml",
            """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="\(strings.count)" uniqueCount="\(strings.count)">\(sharedStrings)</sst>
            """)
        return zip.finish()
    }

    /// A1-style column letters: 0 → A, 25 → Z, 26 → AA.
    public static func column(_ index: Int) -> String {
        var index = index
        var letters = ""
        repeat {
            letters = String(UnicodeScalar(UInt8(65 + index % 26))) + letters
            index = index / 26 - 1
        } while index >= 0
        return letters
    }

    /// Excel's date serial: days since 1899-12-30.
    public static func serial(_ year: Int, _ month: Int, _ day: Int) -> Int {
        func days(_ y: Int, _ m: Int, _ d: Int) -> Int {
            let a = (14 - m) / 12
            let y2 = y + 4800 - a
            let m2 = m + 12 * a - 3
            return d + (153 * m2 + 2) / 5 + 365 * y2 + y2 / 4 - y2 / 100 + y2 / 400 - 32045
        }
        return days(year, month, day) - days(1899, 12, 30)
    }
}
