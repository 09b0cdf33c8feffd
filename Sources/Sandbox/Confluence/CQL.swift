import Foundation

/// The subset of Confluence Query Language the sandbox answers: `type`, `space`, `title`, `text`,
/// `id`, `parent`, `ancestor`, `created`, `lastmodified` with `= != ~ !~ > >= < <= in`, `and`,
/// `or`, `not`, parentheses and `order by`. Date literals are read in the user's time zone
/// (Europe/Dublin for the sandbox accounts), as Confluence does.
struct CQL {
    indirect enum Node {
        case and(Node, Node)
        case or(Node, Node)
        case not(Node)
        case term(field: String, op: String, values: [String])
        case all
    }

    struct Subject {
        var type: String
        var space: String
        var title: String
        var text: String
        var id: String
        var parent: String
        var ancestors: [String]
        var created: Date
        var lastModified: Date
        /// The provider's time, for `now("-1d")` and `startOfDay()`.
        var now: Date
    }

    struct SyntaxError: Error {}

    let root: Node
    let order: [(field: String, descending: Bool)]

    static let userTimeZone = TimeZone(identifier: "Europe/Dublin")!

    static func parse(_ text: String) throws -> CQL {
        var tokens = try tokenize(text)
        var order: [(String, Bool)] = []
        if let index = tokens.indices.first(where: { index in
            index + 1 < tokens.count && tokens[index].lowercased() == "order" && tokens[index + 1].lowercased() == "by"
        }) {
            var rest = Array(tokens[(index + 2)...])
            tokens = Array(tokens[..<index])
            while !rest.isEmpty {
                let field = rest.removeFirst().lowercased()
                var descending = false
                if let direction = rest.first?.lowercased(), direction == "asc" || direction == "desc" {
                    descending = direction == "desc"
                    rest.removeFirst()
                }
                if rest.first == "," { rest.removeFirst() }
                order.append((field, descending))
            }
        }
        var parser = Parser(tokens: tokens)
        let root = tokens.isEmpty ? Node.all : try parser.parseOr()
        guard parser.position == tokens.count else { throw SyntaxError() }
        return CQL(root: root, order: order)
    }

    func matches(_ subject: Subject) -> Bool { Self.evaluate(root, subject) }

    func sort(_ items: [SandboxItem]) -> [SandboxItem] {
        guard !order.isEmpty else { return items.sorted { $0.modifiedAt > $1.modifiedAt } }
        return items.sorted { lhs, rhs in
            for (field, descending) in order {
                let result: ComparisonResult
                switch field {
                case "lastmodified":
                    result = lhs.modifiedAt == rhs.modifiedAt ? .orderedSame : (lhs.modifiedAt < rhs.modifiedAt ? .orderedAscending : .orderedDescending)
                case "created":
                    result = lhs.createdAt == rhs.createdAt ? .orderedSame : (lhs.createdAt < rhs.createdAt ? .orderedAscending : .orderedDescending)
                case "title": result = lhs.name.compare(rhs.name)
                default: result = .orderedSame
                }
                if result != .orderedSame { return descending ? result == .orderedDescending : result == .orderedAscending }
            }
            return false
        }
    }

    private static func evaluate(_ node: Node, _ subject: Subject) -> Bool {
        switch node {
        case .all: return true
        case .and(let a, let b): return evaluate(a, subject) && evaluate(b, subject)
        case .or(let a, let b): return evaluate(a, subject) || evaluate(b, subject)
        case .not(let a): return !evaluate(a, subject)
        case .term(let field, let op, let values):
            switch field {
            case "created", "lastmodified":
                guard let value = values.first, let date = parseDate(value, now: subject.now) else { return false }
                let actual = field == "created" ? subject.created : subject.lastModified
                switch op {
                case ">": return actual > date
                case ">=": return actual >= date
                case "<": return actual < date
                case "<=": return actual <= date
                case "=": return abs(actual.timeIntervalSince(date)) < 60
                case "!=": return abs(actual.timeIntervalSince(date)) >= 60
                default: return false
                }
            case "text", "title":
                let haystack = (field == "text" ? subject.text : subject.title).lowercased()
                // `~` is a text search where `*` is a wildcard; the sandbox matches the words around it.
                let contains = values.contains { value in
                    value.lowercased().split(separator: "*").allSatisfy { $0.isEmpty || haystack.contains($0) }
                }
                switch op {
                case "~": return contains
                case "!~": return !contains
                case "=": return values.contains { $0.lowercased() == subject.title.lowercased() }
                case "!=": return !values.contains { $0.lowercased() == subject.title.lowercased() }
                default: return false
                }
            default:
                let actual: [String]
                switch field {
                case "type": actual = [subject.type]
                case "space": actual = [subject.space]
                case "id": actual = [subject.id]
                case "parent": actual = [subject.parent]
                case "ancestor": actual = subject.ancestors
                default: return false
                }
                let hit = values.contains { value in actual.contains { $0.lowercased() == value.lowercased() } }
                switch op {
                case "=", "in": return hit
                case "!=", "not in": return !hit
                default: return false
                }
            }
        }
    }

    static func parseDate(_ text: String, now: Date) -> Date? {
        let lower = text.lowercased()
        if lower.hasPrefix("now(") || lower == "now()" {
            let inner = text.dropFirst(4).dropLast().trimmingCharacters(in: CharacterSet(charactersIn: "\"' "))
            guard !inner.isEmpty else { return now }
            let sign: Double = inner.hasPrefix("-") ? -1 : 1
            let body = inner.trimmingCharacters(in: CharacterSet(charactersIn: "+-"))
            guard let unit = body.last, let amount = Double(body.dropLast()) else { return nil }
            let seconds: Double = ["d": 86400, "h": 3600, "m": 60, "w": 604800][String(unit)] ?? 0
            return now.addingTimeInterval(sign * amount * seconds)
        }
        if lower == "startofday()" {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = userTimeZone
            return calendar.startOfDay(for: now)
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = userTimeZone
        for format in ["yyyy-MM-dd HH:mm", "yyyy/MM/dd HH:mm", "yyyy-MM-dd", "yyyy/MM/dd"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    static func tokenize(_ text: String) throws -> [String] {
        var tokens: [String] = []
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character.isWhitespace {
                index = text.index(after: index)
                continue
            }
            if character == "\"" || character == "'" {
                var value = ""
                index = text.index(after: index)
                var closed = false
                while index < text.endIndex {
                    if text[index] == "\\", text.index(after: index) < text.endIndex {
                        index = text.index(after: index)
                        value.append(text[index])
                    } else if text[index] == character {
                        closed = true
                        break
                    } else {
                        value.append(text[index])
                    }
                    index = text.index(after: index)
                }
                guard closed else { throw SyntaxError() }
                tokens.append("\u{1}" + value)  // marks a quoted literal
                index = text.index(after: index)
            } else if "(),".contains(character) {
                tokens.append(String(character))
                index = text.index(after: index)
            } else if "=!~<>".contains(character) {
                var op = String(character)
                let next = text.index(after: index)
                if next < text.endIndex, "=~".contains(text[next]) {
                    op.append(text[next])
                    index = text.index(after: next)
                } else {
                    index = next
                }
                tokens.append(op)
            } else {
                var word = ""
                while index < text.endIndex, !text[index].isWhitespace, !"(),=!~<>\"'".contains(text[index]) {
                    word.append(text[index])
                    index = text.index(after: index)
                }
                // Functions: now("-1d"), startOfDay()
                if index < text.endIndex, text[index] == "(", ["now", "startofday"].contains(word.lowercased()) {
                    var call = word + "("
                    index = text.index(after: index)
                    while index < text.endIndex, text[index] != ")" {
                        call.append(text[index])
                        index = text.index(after: index)
                    }
                    guard index < text.endIndex else { throw SyntaxError() }
                    index = text.index(after: index)
                    tokens.append("\u{1}" + call + ")")
                } else {
                    tokens.append(word)
                }
            }
        }
        return tokens
    }

    struct Parser {
        let tokens: [String]
        var position = 0

        func peek() -> String? { position < tokens.count ? tokens[position] : nil }
        mutating func next() -> String? {
            defer { position += 1 }
            return peek()
        }

        mutating func parseOr() throws -> Node {
            var lhs = try parseAnd()
            while peek()?.lowercased() == "or" {
                position += 1
                lhs = .or(lhs, try parseAnd())
            }
            return lhs
        }

        mutating func parseAnd() throws -> Node {
            var lhs = try parseUnary()
            while peek()?.lowercased() == "and" {
                position += 1
                lhs = .and(lhs, try parseUnary())
            }
            return lhs
        }

        mutating func parseUnary() throws -> Node {
            if peek()?.lowercased() == "not" {
                position += 1
                return .not(try parseUnary())
            }
            if peek() == "(" {
                position += 1
                let inner = try parseOr()
                guard next() == ")" else { throw SyntaxError() }
                return inner
            }
            guard let field = next()?.lowercased(), !field.hasPrefix("\u{1}") else { throw SyntaxError() }
            guard var op = next()?.lowercased() else { throw SyntaxError() }
            if op == "not", peek()?.lowercased() == "in" {
                position += 1
                op = "not in"
            }
            guard ["=", "!=", "~", "!~", ">", ">=", "<", "<=", "in", "not in"].contains(op) else { throw SyntaxError() }
            var values: [String] = []
            if op.hasSuffix("in") {
                guard next() == "(" else { throw SyntaxError() }
                while let token = next(), token != ")" {
                    if token == "," { continue }
                    values.append(token.hasPrefix("\u{1}") ? String(token.dropFirst()) : token)
                }
            } else {
                guard let token = next() else { throw SyntaxError() }
                values.append(token.hasPrefix("\u{1}") ? String(token.dropFirst()) : token)
            }
            return .term(field: field, op: op, values: values)
        }
    }
}
