import CirrusCore

/// A request over its rate limit.
enum RateLimitError: UserFacingError, Equatable {
    case limited(RateLimits.Action, retryAfterSeconds: Int)

    var code: String { "rate_limited" }

    var safeMessage: String {
        switch self {
        case .limited(let action, let seconds):
            "Too many \(action.noun) in a short time. Try again in \(seconds) second\(seconds == 1 ? "" : "s")."
        }
    }

    var kind: FailureKind {
        switch self {
        case .limited(_, let seconds): .rateLimited(retryAfterSeconds: seconds)
        }
    }
}

extension RateLimits.Action {
    /// In words, for the refusal.
    var noun: String {
        switch self {
        case .connect: "connection attempts"
        case .browse: "folder listings"
        case .import: "imports"
        case .sync: "sync runs"
        case .chat: "questions"
        }
    }
}
