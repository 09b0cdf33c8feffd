/// A document whose text the corpus knows, from which every file format is generated: the
/// same content becomes a DOCX, a PDF, HTML, Markdown or plain text, so tests can ask about it.
public struct NativeDocument: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case text
        case spreadsheet
        case presentation
    }

    public struct Section: Sendable, Equatable {
        public var heading: String?
        /// 1 for a top heading, 2 below it, …
        public var level: Int
        public var paragraphs: [String]
        public var bullets: [String]
        public var table: [[String]]

        public init(heading: String? = nil, level: Int = 1, paragraphs: [String] = [], bullets: [String] = [], table: [[String]] = []) {
            self.heading = heading
            self.level = level
            self.paragraphs = paragraphs
            self.bullets = bullets
            self.table = table
        }
    }

    public struct Sheet: Sendable, Equatable {
        public var name: String
        public var rows: [[SheetCell]]

        public init(name: String, rows: [[SheetCell]]) {
            self.name = name
            self.rows = rows
        }
    }

    public enum SheetCell: Sendable, Equatable {
        case text(String)
        case number(Double)
        /// Days since 1899-12-30, shown as a date (how spreadsheets store dates).
        case date(year: Int, month: Int, day: Int)

        public var display: String {
            switch self {
            case .text(let text): text
            case .number(let value): value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
            case .date(let year, let month, let day): String(format: "%04d-%02d-%02d", year, month, day)
            }
        }
    }

    public struct Slide: Sendable, Equatable {
        public var title: String
        public var bullets: [String]
        public var notes: String?

        public init(title: String, bullets: [String], notes: String? = nil) {
            self.title = title
            self.bullets = bullets
            self.notes = notes
        }
    }

    public var kind: Kind
    public var title: String
    public var sections: [Section]
    public var sheets: [Sheet]
    public var slides: [Slide]

    public static func text(_ title: String, _ sections: [Section]) -> NativeDocument {
        NativeDocument(kind: .text, title: title, sections: sections, sheets: [], slides: [])
    }

    public static func spreadsheet(_ title: String, _ sheets: [Sheet]) -> NativeDocument {
        NativeDocument(kind: .spreadsheet, title: title, sections: [], sheets: sheets, slides: [])
    }

    public static func presentation(_ title: String, _ slides: [Slide]) -> NativeDocument {
        NativeDocument(kind: .presentation, title: title, sections: [], sheets: [], slides: slides)
    }

    /// The document as plain text, in reading order: what an extractor should find.
    public var plainText: String {
        switch kind {
        case .text:
            var lines = [title]
            for section in sections {
                if let heading = section.heading { lines.append(heading) }
                lines += section.paragraphs
                lines += section.bullets
                lines += section.table.map { $0.joined(separator: "\t") }
            }
            return lines.joined(separator: "\n")
        case .spreadsheet:
            return sheets.map { sheet in
                ([sheet.name] + sheet.rows.map { $0.map(\.display).joined(separator: "\t") }).joined(separator: "\n")
            }.joined(separator: "\n\n")
        case .presentation:
            return slides.map { slide in
                ([slide.title] + slide.bullets + (slide.notes.map { [$0] } ?? [])).joined(separator: "\n")
            }.joined(separator: "\n\n")
        }
    }
}
