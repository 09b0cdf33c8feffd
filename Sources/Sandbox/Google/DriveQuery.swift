import Foundation

/// Drive's `q` search language (providers/google-drive.md §2.2): terms like
/// `'<id>' in parents`, `name contains 'x'`, `mimeType != '…'`, `trashed = false`,
/// `modifiedTime > '2024-06-04T12:00:00'`, combined with `and`, `or`, `not` and parentheses.
indirect enum DriveQuery: Equatable {
    case and(DriveQuery, DriveQuery)
    case or(DriveQuery, DriveQuery)
    case not(DriveQuery)
    case compare(field: String, op: String, value: Value)
    /// `'value' in field` (parents, owners, writers, readers).
    case membership(value: String, field: String)

    enum Value: Equatable {
        case string(String)
        case bool(Bool)
    }

    struct SyntaxError: Error {
        let message: String
    }

    /// What a term is evaluated against.
    struct Subject {
        var name: String
        var mimeType: String
        var parents: [String]
        var trashed: Bool
        var starred: Bool
        var sharedWithMe: Bool
        var modifiedTime: Date
        var createdTime: Date
        var fullText: String
        var owners: [String]
        var shortcutTarget: String?
    }

    /// The folder every match must be in, when the query requires `'X' in parents` at its top level.
    var requiredParent: String? {
        switch self {
        case .membership(let value, "parents"): value
        case .and(let lhs, let rhs): lhs.requiredParent ?? rhs.requiredParent
        default: nil
        }
    }

    static func parse(_ text: String) throws -> DriveQuery {
        var parser = Parser(tokens: try tokenize(text))
        let query = try parser.parseOr()
        guard parser.atEnd else { throw SyntaxError(message: "Invalid Value") }
        return query
    }

    func matches(_ subject: Subject) -> Bool {
        switch self {
        case .and(let lhs, let rhs): return lhs.matches(subject) && rhs.matches(subject)
        case .or(let lhs, let rhs): return lhs.matches(subject) || rhs.matches(subject)
        case .not(let inner): return !inner.matches(subject)
        case .membership(let value, let field):
            switch field {
            case "parents": return subject.parents.contains(value)
            case "owners", "writers", "readers": return subject.owners.contains(value) || value == "me"
            default: return false
            }
        case .compare(let field, let op, let value):
            switch (field, value) {
            case ("name", .string(let text)): return Self.compareText(subject.name, op, text, wordPrefix: true)
            case ("mimeType", .string(let text)): return Self.compareText(subject.mimeType, op, text, wordPrefix: false)
            case ("fullText", .string(let text)): return op == "contains" && subject.fullText.lowercased().contains(text.lowercased())
            case ("trashed", .bool(let flag)): return op == "=" ? subject.trashed == flag : subject.trashed != flag
            case ("starred", .bool(let flag)): return op == "=" ? subject.starred == flag : subject.starred != flag
            case ("sharedWithMe", .bool(let flag)): return op == "=" ? subject.sharedWithMe == flag : subject.sharedWithMe != flag
            case ("modifiedTime", .string(let text)), ("createdTime", .string(let text)), ("viewedByMeTime", .string(let text)):
                guard let date = WireDate.parse(text) else { return false }
                let actual = field == "createdTime" ? subject.createdTime : subject.modifiedTime
                switch op {
                case "<": return actual < date
                case "<=": return actual <= date
                case ">": return actual > date
                case ">=": return actual >= date
                case "=": return abs(actual.timeIntervalSince(date)) < 0.001
                case "!=": return abs(actual.timeIntervalSince(date)) >= 0.001
                default: return false
                }
            case ("shortcutDetails.targetId", .string(let text)): return op == "=" ? subject.shortcutTarget == text : subject.shortcutTarget != text
            default: return false
            }
        }
    }

    /// `contains` on `name` is a word-prefix match, not a substring match.
    private static func compareText(_ actual: String, _ op: String, _ expected: String, wordPrefix: Bool) -> Bool {
        switch op {
        case "=": return actual == expected
        case "!=": return actual != expected
        case "contains":
            let haystack = actual.lowercased()
            let needle = expected.lowercased()
            guard wordPrefix, !needle.contains(" ") else { return haystack.contains(needle) }
            let words = haystack.split { !$0.isLetter && !$0.isNumber }
            return words.contains { $0.hasPrefix(needle) } || haystack.hasPrefix(needle)
        default: return false
        }
    }

    static let fields: Set<String> = [
        "name", "fullText", "mimeType", "modifiedTime", "viewedByMeTime", "createdTime", "trashed", "starred", "sharedWithMe",
        "parents", "owners", "writers", "readers", "visibility", "shortcutDetails.targetId", "properties", "appProperties",
    ]

    // MARK: Lexing and parsing

    enum Token: Equatable {
        case word(String)
        case string(String)
        case op(String)
        case open, close
    }

    static func tokenize(_ text: String) throws -> [Token] {
        var tokens: [Token] = []
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character.isWhitespace {
                index = text.index(after: index)
            } else if character == "(" {
                tokens.append(.open)
                index = text.index(after: index)
            } else if character == ")" {
                tokens.append(.close)
                index = text.index(after: index)
            } else if character == "'" || character == "\"" {
                var value = ""
                index = text.index(after: index)
                var closed = false
                while index < text.endIndex {
                    let current = text[index]
                    if current == "\\" {
                        index = text.index(after: index)
                        guard index < text.endIndex else { break }
                        value.append(text[index])
                    } else if current == character {
                        closed = true
                        break
                    } else {
                        value.append(current)
                    }
                    index = text.index(after: index)
                }
                guard closed else { throw SyntaxError(message: "Invalid Value") }
                tokens.append(.string(value))
                index = text.index(after: index)
            } else if "=!<>".contains(character) {
                var op = String(character)
                let next = text.index(after: index)
                if next < text.endIndex, text[next] == "=" {
                    op.append("=")
                    index = text.index(after: next)
                } else {
                    index = next
                }
                guard ["=", "!=", "<", "<=", ">", ">="].contains(op) else { throw SyntaxError(message: "Invalid Value") }
                tokens.append(.op(op))
            } else {
                var word = ""
                while index < text.endIndex, !text[index].isWhitespace, !"()'\"=!<>".contains(text[index]) {
                    word.append(text[index])
                    index = text.index(after: index)
                }
                tokens.append(.word(word))
            }
        }
        return tokens
    }

    struct Parser {
        var tokens: [Token]
        var position = 0
        var atEnd: Bool { position >= tokens.count }

        mutating func peekWord() -> String? {
            guard position < tokens.count, case .word(let word) = tokens[position] else { return nil }
            return word.lowercased()
        }

        mutating func parseOr() throws -> DriveQuery {
            var lhs = try parseAnd()
            while peekWord() == "or" {
                position += 1
                lhs = .or(lhs, try parseAnd())
            }
            return lhs
        }

        mutating func parseAnd() throws -> DriveQuery {
            var lhs = try parseUnary()
            while peekWord() == "and" {
                position += 1
                lhs = .and(lhs, try parseUnary())
            }
            return lhs
        }

        mutating func parseUnary() throws -> DriveQuery {
            if peekWord() == "not" {
                position += 1
                return .not(try parseUnary())
            }
            guard position < tokens.count else { throw SyntaxError(message: "Invalid Value") }
            if tokens[position] == .open {
                position += 1
                let inner = try parseOr()
                guard position < tokens.count, tokens[position] == .close else { throw SyntaxError(message: "Invalid Value") }
                position += 1
                return inner
            }
            return try parseTerm()
        }

        mutating func parseTerm() throws -> DriveQuery {
            guard position < tokens.count else { throw SyntaxError(message: "Invalid Value") }
            let first = tokens[position]
            position += 1
            if case .string(let value) = first {
                guard peekWord() == "in", position + 1 < tokens.count, case .word(let field) = tokens[position + 1],
                    ["parents", "owners", "writers", "readers"].contains(field)
                else { throw SyntaxError(message: "Invalid Value") }
                position += 2
                return .membership(value: value, field: field)
            }
            guard case .word(let field) = first, DriveQuery.fields.contains(field) else { throw SyntaxError(message: "Invalid Value") }
            guard position < tokens.count else { throw SyntaxError(message: "Invalid Value") }
            let op: String
            switch tokens[position] {
            case .op(let symbol): op = symbol
            case .word(let word) where word.lowercased() == "contains" || word.lowercased() == "has": op = word.lowercased()
            default: throw SyntaxError(message: "Invalid Value")
            }
            position += 1
            guard position < tokens.count else { throw SyntaxError(message: "Invalid Value") }
            let value: Value
            switch tokens[position] {
            case .string(let text): value = .string(text)
            case .word(let word) where word == "true" || word == "false": value = .bool(word == "true")
            default: throw SyntaxError(message: "Invalid Value")
            }
            position += 1
            return .compare(field: field, op: op, value: value)
        }
    }
}
