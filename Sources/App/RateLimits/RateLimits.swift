import Foundation

/// How many expensive requests a person (or an API key) and a whole workspace may make per
/// minute, by kind. Set with `CIRRUS_RATE_LIMITS`, e.g. `chat=30/120,import=10/40` (per person /
/// per workspace; `0` means no limit for that side), or `off`; kinds not named keep their defaults.
public struct RateLimits: Sendable, Equatable {
    /// The kinds of request that cost enough to limit.
    public enum Action: String, CaseIterable, Sendable {
        /// Starting an OAuth flow.
        case connect
        /// Listing a folder of a connected account (a call to the provider each).
        case browse
        /// Starting an import or a re-import.
        case `import`
        /// Running a synced source now.
        case sync
        /// Asking the chatbot.
        case chat
    }

    /// Requests per minute; 0: unlimited.
    public struct Limit: Sendable, Equatable {
        public var perUser: Int
        public var perWorkspace: Int

        public init(perUser: Int, perWorkspace: Int) {
            self.perUser = perUser
            self.perWorkspace = perWorkspace
        }
    }

    public var limits: [Action: Limit]

    /// Generous for a person at a keyboard, and well below what would load the providers or
    /// the embedder for everyone else.
    public static let defaults = RateLimits(limits: [
        .connect: Limit(perUser: 10, perWorkspace: 30),
        .browse: Limit(perUser: 240, perWorkspace: 600),
        .import: Limit(perUser: 30, perWorkspace: 60),
        .sync: Limit(perUser: 12, perWorkspace: 30),
        .chat: Limit(perUser: 30, perWorkspace: 120),
    ])

    public static let off = RateLimits(limits: [:])

    public init(limits: [Action: Limit]) {
        self.limits = limits
    }

    /// The length of the window the limits count in.
    public static let window: TimeInterval = 60

    /// Parses `CIRRUS_RATE_LIMITS`; the error says what is wrong in words.
    public static func parse(_ text: String) throws(RateLimitsSyntaxError) -> RateLimits {
        let text = text.trimmingCharacters(in: .whitespaces)
        if text.lowercased() == "off" { return .off }
        var parsed = defaults
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let action = Action(rawValue: parts[0].lowercased()) else {
                throw RateLimitsSyntaxError(
                    reason: "expected kind=perUser/perWorkspace, kinds \(Action.allCases.map(\.rawValue).joined(separator: ", ")), or off")
            }
            let numbers = parts[1].split(separator: "/").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard numbers.count == 2, let user = numbers[0], let workspace = numbers[1], (0...1_000_000).contains(user),
                (0...1_000_000).contains(workspace)
            else {
                throw RateLimitsSyntaxError(reason: "\(action.rawValue): expected two whole numbers per minute, e.g. 30/120 (0: no limit)")
            }
            parsed.limits[action] = Limit(perUser: user, perWorkspace: workspace)
        }
        return parsed
    }
}

/// Why `CIRRUS_RATE_LIMITS` could not be read.
public struct RateLimitsSyntaxError: Error, Sendable {
    public let reason: String
}
