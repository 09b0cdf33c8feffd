/// What kind of failure an error is, independent of transport. The web layer maps each kind
/// to one HTTP status in a single place.
public enum FailureKind: Sendable {
    case badRequest
    case unauthorized
    case forbidden
    case notFound
    case conflict
    case rateLimited(retryAfterSeconds: Int)
    case unavailable
    /// Something this server depends on answered wrongly (a provider's malformed or refused answer).
    case upstream
    case `internal`
}

/// An error whose message is safe to show to the person who caused it.
///
/// Every module's typed errors conform, so the one error mapper can answer with a stable
/// machine-readable `code`, a human `safeMessage`, and never a stack trace or secret.
public protocol UserFacingError: Error {
    /// A stable snake_case code for API clients, e.g. `invalid_credentials`.
    var code: String { get }
    /// A sentence for a person; it must not contain tokens, secrets or internal details.
    var safeMessage: String { get }
    var kind: FailureKind { get }
}
