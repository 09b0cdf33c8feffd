import CirrusCore

/// Failures of sign-in and access control.
enum AuthError: UserFacingError, Equatable {
    case invalidCredentials
    case notSignedIn
    case forbidden
    case csrfRejected
    case tooManyAttempts(retryAfterSeconds: Int)
    case invalidInput(String)
    case tokenNotFound
    case passwordChangeRequired
    case wrongCurrentPassword

    var code: String {
        switch self {
        case .invalidCredentials: "invalid_credentials"
        case .notSignedIn: "unauthorized"
        case .forbidden: "forbidden"
        case .csrfRejected: "csrf_rejected"
        case .tooManyAttempts: "rate_limited"
        case .invalidInput: "invalid_request"
        case .tokenNotFound: "token_not_found"
        case .passwordChangeRequired: "password_change_required"
        case .wrongCurrentPassword: "wrong_current_password"
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
        case .tokenNotFound: "There is no such API token."
        case .wrongCurrentPassword: "The current password is not right."
        case .passwordChangeRequired: "This account still has its one-time password. Choose your own first (PUT /api/v1/me/password, or Settings)."
        }
    }

    var kind: FailureKind {
        switch self {
        case .invalidCredentials, .notSignedIn: .unauthorized
        case .forbidden, .csrfRejected: .forbidden
        case .tooManyAttempts(let seconds): .rateLimited(retryAfterSeconds: seconds)
        case .invalidInput: .badRequest
        case .tokenNotFound: .notFound
        case .passwordChangeRequired: .forbidden
        case .wrongCurrentPassword: .badRequest
        }
    }
}
