import Foundation

/// Excel workbooks (.xlsx): every sheet in workbook order, one row per line with cells joined by
/// " | ", shared and inline strings resolved, numbers and dates formatted as a person reads them.
public struct XlsxExtractor: TextExtractor {
    public let mimeTypes: Set<String> = ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]

    public init() {}

    public func extract(_ data: [UInt8], fileName: String, limits: ExtractionLimits) throws(ExtractionError) -> ExtractedDocument {
        var package = try ZipPackage(data, limits: limits)
        guard let workbook = try package.read("xl/workbook.xml") else { throw .corrupt("it has no xl/workbook.xml") }
        let relationships = try package.relationships("xl/_rels/workbook.xml.rels", base: "xl")
        let strings = try Self.sharedStrings(try package.read("xl/sharedStrings.xml"))
        let dateStyles = Self.dateStyles(try package.read("xl/styles.xml"))
        let date1904 = String(decoding: workbook, as: UTF8.self).contains("date1904=\"1\"")
        let deadline = ExtractionDeadline(after: limits.timeout)

        var sheets: [(name: String, path: String)] = []
        MarkupScanner(workbook).scan { event in
            if case .start(let name, let attributes, _) = event, localName(name) == "sheet",
                let sheetName = attributes["name"], let id = attributes["r:id"], let target = relationships[id]?.target
            {
                sheets.append((sheetName, target))
            }
            return true
        }
        var builder = SectionBuilder(limit: limits.maxTextLength)
        for sheet in sheets {
            guard let bytes = try package.read(sheet.path) else { continue }
            builder.locate(.sheet(sheet.name), keepHeadings: false)
            try builder.heading(sheet.name, level: 1)
            var row: [String] = []
            // The row's text so far, so one cell referenced thousands of times is caught at the
            // cap before the row is ever joined.
            var rowLength = 0
            var cellType = ""
            var cellStyle = 0
            var value = ""
            var inValue = false
            try MarkupScanner(bytes).scanForExtraction { event throws(ExtractionError) in
                switch event {
                case .start(let name, let attributes, _):
                    switch localName(name) {
                    case "row":
                        row = []
                        rowLength = 0
                    case "c":
                        cellType = attributes["t"] ?? "n"
                        cellStyle = attributes["s"].flatMap(Int.init) ?? 0
                        value = ""
                    case "v", "t": inValue = true
                    default: break
                    }
                case .end(let name):
                    switch localName(name) {
                    case "v", "t": inValue = false
                    case "c":
                        let cell = Self.display(value, type: cellType, isDate: dateStyles.contains(cellStyle), date1904: date1904, strings: strings)
                        rowLength += cell.utf8.count + 3
                        if rowLength > limits.maxTextLength { throw .tooLarge("its text is longer than \(limits.maxTextLength) characters") }
                        row.append(cell)
                    case "row":
                        while row.last?.isEmpty == true { row.removeLast() }
                        if !row.isEmpty { try builder.paragraph(row.joined(separator: " | ")) }
                        try deadline.check()
                    default: break
                    }
                case .text(let text):
                    if inValue {
                        value += text
                        if value.utf8.count > limits.maxTextLength { throw .tooLarge("its text is longer than \(limits.maxTextLength) characters") }
                    }
                }
            }
        }
        return try builder.finish(title: fileName)
    }

    static func display(_ raw: String, type: String, isDate: Bool, date1904: Bool, strings: [String]) -> String {
        switch type {
        case "s": return Int(raw).flatMap { strings.indices.contains($0) ? strings[$0] : nil } ?? ""
        case "b": return raw == "1" ? "TRUE" : "FALSE"
        case "str", "inlineStr", "e": return raw
        default:
            guard let number = Double(raw) else { return raw }
            if isDate { return formatDate(serial: number, date1904: date1904) }
            return formatNumber(number)
        }
    }

    /// Numbers as a person writes them: no trailing ".0", no exponent for ordinary magnitudes.
    static func formatNumber(_ number: Double) -> String {
        guard number.isFinite else { return number.isNaN ? "NaN" : (number < 0 ? "-∞" : "∞") }
        if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
        var text = String(format: "%.10f", number)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// Excel serial dates (days since 1899-12-30, or 1904-01-01) as ISO dates, with the time when there is one.
    static func formatDate(serial: Double, date1904: Bool) -> String {
        // Excel's dates end at 9999-12-31 (serial 2,958,465); anything else is shown as the number.
        guard serial.isFinite, serial >= 0, serial < 2_958_466 else { return formatNumber(serial) }
        let days = Int(serial.rounded(.down)) + (date1904 ? 1462 : 0)
        let seconds = Int(((serial - serial.rounded(.down)) * 86_400).rounded())
        // Civil date from days since 1899-12-30 (= day -25569 from 1970-01-01).
        let (year, month, day) = civil(fromDaysSince1970: days - 25_569)
        var text = String(format: "%04d-%02d-%02d", year, month, day)
        if seconds > 0 { text += String(format: " %02d:%02d", seconds / 3600, (seconds % 3600) / 60) }
        return text
    }

    /// Howard Hinnant's days-to-civil algorithm.
    static func civil(fromDaysSince1970 days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func sharedStrings(_ bytes: [UInt8]?) throws(ExtractionError) -> [String] {
        guard let bytes else { return [] }
        var strings: [String] = []
        var current = ""
        var inText = false
        var inPhonetic = false
        MarkupScanner(bytes).scan { event in
            switch event {
            case .start(let name, _, let selfClosing):
                switch localName(name) {
                case "si": current = ""
                case "t": inText = !selfClosing
                case "rPh": inPhonetic = true
                default: break
                }
            case .end(let name):
                switch localName(name) {
                case "si": strings.append(current)
                case "t": inText = false
                case "rPh": inPhonetic = false
                default: break
                }
            case .text(let text): if inText, !inPhonetic { current += text }
            }
            return true
        }
        return strings
    }

    /// Indexes of cell formats that show dates: built-in date formats and custom ones with day/month/year codes.
    static func dateStyles(_ bytes: [UInt8]?) -> Set<Int> {
        guard let bytes else { return [] }
        var customDates: Set<Int> = []
        var result: Set<Int> = []
        var inCellFormats = false
        var index = 0
        MarkupScanner(bytes).scan { event in
            switch event {
            case .start(let name, let attributes, _):
                switch localName(name) {
                case "numFmt":
                    if let id = attributes["numFmtId"].flatMap(Int.init), let code = attributes["formatCode"] {
                        // Strip quoted literals and colour/locale brackets before looking for date codes.
                        let bare = code.replacingOccurrences(of: "\"[^\"]*\"", with: "", options: .regularExpression)
                            .replacingOccurrences(of: "\\[[^\\]]*\\]", with: "", options: .regularExpression).lowercased()
                        if bare.contains("y") || bare.contains("d") || (bare.contains("m") && !bare.contains("0")) { customDates.insert(id) }
                    }
                case "cellXfs":
                    inCellFormats = true
                    index = 0
                case "xf" where inCellFormats:
                    let id = attributes["numFmtId"].flatMap(Int.init) ?? 0
                    if (14...22).contains(id) || (45...47).contains(id) || customDates.contains(id) { result.insert(index) }
                    index += 1
                default: break
                }
            case .end(let name): if localName(name) == "cellXfs" { inCellFormats = false }
            case .text: break
            }
            return true
        }
        return result
    }
}
