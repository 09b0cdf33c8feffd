import CirrusCore

/// Failures of making, using and revoking API keys.
enum APIKeyError: UserFacingError, Equatable {
    case notFound
    case invalidName
    case invalidExpiry
    /// The key's scope is narrower than what the route needs.
    case insufficientScope(needed: APIKeyScope)
    /// Routes that only a person may call (keys, passwords, connecting accounts).
    case personOnly

    var code: String {
        switch self {
        case .notFound: "api_key_not_found"
        case .invalidName, .invalidExpiry: "invalid_request"
        case .insufficientScope: "insufficient_scope"
        case .personOnly: "api_key_not_allowed"
        }
    }

    var safeMessage: String {
        switch self {
        case .notFound: "There is no such API key."
        case .invalidName: "Give the key a name of 1 to 100 characters."
        case .invalidExpiry: "A key expires in 1 to 3,650 days, or never."
        case .insufficientScope(let needed): "This API key's scope does not allow this; it needs the \(needed.rawValue) scope."
        case .personOnly: "API keys cannot do this; sign in as a person (POST /api/v1/auth/login) instead."
        }
    }

    var kind: FailureKind {
        switch self {
        case .notFound: .notFound
        case .invalidName, .invalidExpiry: .badRequest
        case .insufficientScope, .personOnly: .forbidden
        }
    }
}
