import CirrusCore
import FluentKit
import Foundation
import Knowledge

/// What the chatbot was asked and how it did: questions per day, answered against "I don't
/// know", the answers people rated down, and the questions it could not answer grouped by
/// similarity — the documents to import next.
struct InsightsService: Sendable {
    let store: Store
    /// Groups unanswered questions by meaning; without it, by shared words.
    let embedder: (any Embedder)?

    struct Day: Sendable, Equatable {
        let date: String
        let answered: Int
        let declined: Int
        var asked: Int { answered + declined }
    }

    struct RatedAnswer: Sendable {
        let question: String
        let answer: String
        let comment: String?
        let ratedAt: Date?
    }

    /// Questions that were not answered and are alike: the latest wording first, how often, and others.
    struct Gap: Sendable {
        let question: String
        let count: Int
        let examples: [String]
    }

    struct Report: Sendable {
        let days: [Day]
        let lowestRated: [RatedAnswer]
        let gaps: [Gap]
        var asked: Int { days.reduce(0) { $0 + $1.asked } }
        var declined: Int { days.reduce(0) { $0 + $1.declined } }
    }

    /// How many days back the page looks, and how many unanswered questions it groups.
    static let window = 30
    static let groupedQuestions = 400
    /// Cosine above which two questions are one gap (MiniLM puts paraphrases around 0.75–0.9).
    static let sameMeaning: Float = 0.7

    func report(for workspaceID: UUID, now: Date = Date()) async throws -> Report {
        let since = Self.windowStart(now)
        let asked = try await AskedQuestion.query(on: store.database).filter(\.$workspace.$id == workspaceID)
            .filter(\.$createdAt >= since).sort(\.$createdAt, .descending).field(\.$createdAt).field(\.$answered).all()
        var byDay: [String: (Int, Int)] = [:]
        for question in asked {
            let key = Self.dayKey(question.createdAt ?? now)
            var counts = byDay[key, default: (0, 0)]
            if question.answered { counts.0 += 1 } else { counts.1 += 1 }
            byDay[key] = counts
        }
        let days = (0..<Self.window).map { offset -> Day in
            let key = Self.dayKey(now.addingTimeInterval(-Double(offset) * 86_400))
            let counts = byDay[key] ?? (0, 0)
            return Day(date: key, answered: counts.0, declined: counts.1)
        }
        let rated = try await ConversationTurn.query(on: store.database)
            .join(Conversation.self, on: \ConversationTurn.$conversation.$id == \Conversation.$id)
            .filter(Conversation.self, \.$workspace.$id == workspaceID).filter(\.$rating == -1)
            .sort(\.$ratedAt, .descending).limit(20).all()
            .map { RatedAnswer(question: $0.question, answer: $0.answer, comment: $0.ratingComment, ratedAt: $0.ratedAt) }
        let unanswered = try await AskedQuestion.query(on: store.database).filter(\.$workspace.$id == workspaceID)
            .filter(\.$createdAt >= since).filter(\.$answered == false).sort(\.$createdAt, .descending).limit(Self.groupedQuestions).all()
            .map(\.question)
        // The store is let go of before the questions are embedded.
        return Report(days: days, lowestRated: rated, gaps: await Self.gaps(unanswered, embedder: embedder))
    }

    /// Groups questions (latest first) greedily: each joins the first group whose first
    /// question is close enough, else starts one. Largest groups first.
    static func gaps(_ questions: [String], embedder: (any Embedder)?) async -> [Gap] {
        guard !questions.isEmpty else { return [] }
        let close: (Int, Int) -> Bool
        if let embedder, let vectors = try? await embedder.embed(questions) {
            close = { a, b in zip(vectors[a], vectors[b]).reduce(0) { $0 + $1.0 * $1.1 } >= Self.sameMeaning }
        } else {
            let tokenizer = WordTokenizer()
            let terms = questions.map { Set(tokenizer.terms($0)).subtracting(WordTokenizer.questionWords) }
            close = { a, b in
                let union = terms[a].union(terms[b]).count
                return union > 0 && Double(terms[a].intersection(terms[b]).count) / Double(union) >= 0.5
            }
        }
        var groups: [[Int]] = []
        for index in questions.indices {
            if let group = groups.firstIndex(where: { close($0[0], index) }) {
                groups[group].append(index)
            } else {
                groups.append([index])
            }
        }
        return groups.enumerated().sorted { ($0.element.count, -$0.offset) > ($1.element.count, -$1.offset) }.map { _, members in
            var seen = Set<String>()
            let distinct = members.map { questions[$0] }.filter { seen.insert($0.lowercased()).inserted }
            return Gap(question: distinct[0], count: members.count, examples: Array(distinct.dropFirst().prefix(3)))
        }
    }

    /// Every question of the window as CSV rows: when, where, the question, the outcome, why.
    func questionsCSV(for workspaceID: UUID, now: Date = Date()) async throws -> String {
        let since = Self.windowStart(now)
        let rows = try await AskedQuestion.query(on: store.database).filter(\.$workspace.$id == workspaceID)
            .filter(\.$createdAt >= since).sort(\.$createdAt, .descending).limit(100_000).all()
        return CSV.document(
            header: ["asked_at", "channel", "question", "outcome", "reason"],
            rows: rows.map { row in
                [
                    row.createdAt.map { $0.formatted(.iso8601) } ?? "", row.channel.rawValue, row.question, row.answered ? "answered" : "declined",
                    row.declinedCode ?? "",
                ]
            })
    }

    /// Every rated answer as CSV rows.
    func ratingsCSV(for workspaceID: UUID) async throws -> String {
        let rows = try await ConversationTurn.query(on: store.database)
            .join(Conversation.self, on: \ConversationTurn.$conversation.$id == \Conversation.$id)
            .filter(Conversation.self, \.$workspace.$id == workspaceID).filter(\.$rating != nil)
            .sort(\.$ratedAt, .descending).limit(100_000).all()
        return CSV.document(
            header: ["rated_at", "question", "answer", "rating", "comment"],
            rows: rows.map { row in
                [row.ratedAt.map { $0.formatted(.iso8601) } ?? "", row.question, row.answer, (row.rating ?? 0) > 0 ? "up" : "down", row.ratingComment ?? ""]
            })
    }

    /// The first moment of the window's first day (UTC), `window` days back counting today.
    static func windowStart(_ now: Date) -> Date {
        startOfDay(now).addingTimeInterval(-Double(window - 1) * 86_400)
    }

    static func startOfDay(_ date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.startOfDay(for: date)
    }

    /// `YYYY-MM-DD` in UTC.
    static func dayKey(_ date: Date) -> String {
        String(date.formatted(.iso8601).prefix(10))
    }
}

/// Comma-separated values as spreadsheets read them (RFC 4180), safe to open: a cell that a
/// spreadsheet would take for a formula (`=`, `+`, `-`, `@`, tab, carriage return first) gets a
/// leading apostrophe, so a visitor's question can never run as one.
enum CSV {
    static func document(header: [String], rows: [[String]]) -> String {
        ([header] + rows).map { $0.map(cell).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    static func cell(_ value: String) -> String {
        var text = value
        if let first = text.first, "=+-@\t\r".contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
