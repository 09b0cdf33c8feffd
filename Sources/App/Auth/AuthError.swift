import CirrusCore

/// Failures of sign-in and access control.
enum AuthError: UserFacingError, Equatable {
    case invalidCredentials
    case notSignedIn
    case forbidden
    case csrfRejected
    case tooManyAttempts(retryAfterSeconds: Int)
    case invalidInput(String)

    var code: String {
        switch self {
        case .invalidCredentials: "invalid_credentials"
        case .notSignedIn: "unauthorized"
        case .forbidden: "forbidden"
        case .csrfRejected: "csrf_rejected"
        case .tooManyAttempts: "rate_limited"
        case .invalidInput: "invalid_request"
        }
    }

    var safeMessage: String {
        switch self {
        case .invalidCredentials: "The email or password is not right."
        case .notSignedIn: "Sign in first."
        case .forbidden: "Your role does not allow this."
        case .csrfRejected: "The form expired or did not come from this site. Reload the page and try again."
        case .tooManyAttempts(let seconds):
            "Too many failed sign-ins. Try again in \(max(1, (seconds + 59) / 60)) minute\(seconds > 60 ? "s" : "")."
        case .invalidInput(let message): message
        }
    }

    var kind: FailureKind {
        switch self {
        case .invalidCredentials, .notSignedIn: .unauthorized
        case .forbidden, .csrfRejected: .forbidden
        case .tooManyAttempts(let seconds): .rateLimited(retryAfterSeconds: seconds)
        case .invalidInput: .badRequest
        }
    }
}
