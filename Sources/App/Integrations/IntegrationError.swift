import CirrusCore
import Connectors

/// Failures of connecting and disconnecting, as the API and pages report them.
enum IntegrationError: UserFacingError, Equatable {
    case unknownPlatform(String)
    case notConfigured(Platform)
    case invalidState
    case expiredState
    case stateBelongsToSomeoneElse
    case startedInAnotherBrowser
    case signInToFinish(String)
    case finishWithStartingClient
    case connectNeedsPost
    case providerDenied(Platform)
    case providerError(Platform, String)
    case notConnected(Platform)
    case needsReconnect(Platform)
    /// The grant reaches none of the resources a connection reads (no Confluence site).
    case noResource(Platform, ResourceChoice)
    case unknownResource(Platform, ResourceChoice)
    /// The platform has nothing to choose after connecting.
    case choosesNoResource(Platform)

    var code: String {
        switch self {
        case .unknownPlatform: "unknown_platform"
        case .notConfigured: "provider_not_configured"
        case .invalidState: "invalid_state"
        case .expiredState: "expired_state"
        case .stateBelongsToSomeoneElse: "state_mismatch"
        case .startedInAnotherBrowser: "state_from_another_browser"
        case .signInToFinish: "sign_in_to_finish"
        case .finishWithStartingClient: "state_bound_to_client"
        case .connectNeedsPost: "connect_needs_post"
        case .providerDenied: "access_denied"
        case .providerError: "provider_error"
        case .notConnected: "not_connected"
        case .needsReconnect: "needs_reconnect"
        case .noResource(_, let choice): "no_\(choice.code)"
        case .unknownResource: "unknown_site"
        case .choosesNoResource: "no_resource_choice"
        }
    }

    var safeMessage: String {
        switch self {
        case .unknownPlatform(let name): "There is no platform called \(name). Use google_drive, microsoft, dropbox or confluence."
        case .notConfigured(let platform): "\(platform.displayName) is not set up on this server yet: its client id and secret are missing."
        case .invalidState: "This sign-in link is not valid (it was already used or never issued). Start connecting again."
        case .expiredState: "This sign-in took longer than 10 minutes. Start connecting again."
        case .stateBelongsToSomeoneElse: "This sign-in was started by another user. Start connecting again from your own account."
        case .startedInAnotherBrowser:
            "This sign-in was started in another browser, so nothing was connected. Start connecting again from the Integrations page here."
        case .signInToFinish(let email): "Sign in as \(email) to finish connecting, then start connecting again. Nothing was connected."
        case .finishWithStartingClient:
            "This sign-in was started by an API client; only that client (with the same token) can finish it. Nothing was connected."
        case .connectNeedsPost: "Start connecting from the Integrations page (a form post), or call this with an API token."
        case .providerDenied(let platform): "Access was not granted at \(platform.displayName), so nothing was connected."
        case .providerError(let platform, let detail): "\(platform.displayName) refused the connection: \(detail)"
        case .notConnected(let platform): "\(platform.displayName) is not connected."
        case .needsReconnect(let platform): "\(platform.displayName) needs to be reconnected: the provider no longer accepts the saved sign-in."
        case .noResource(let platform, let choice):
            "The \(platform.displayName) account granted no \(choice.noun). Connect again and choose a \(choice.noun)."
        case .unknownResource(let platform, let choice):
            "That \(choice.noun) is not one this \(platform.displayName) connection was granted. Connect again and choose it at the provider."
        case .choosesNoResource(let platform): "\(platform.displayName) connections have nothing to choose after connecting."
        }
    }

    var kind: FailureKind {
        switch self {
        case .unknownPlatform, .notConnected: .notFound
        case .notConfigured: .conflict
        case .invalidState, .expiredState, .providerDenied, .noResource, .unknownResource: .badRequest
        case .choosesNoResource: .notFound
        case .providerError: .upstream
        case .stateBelongsToSomeoneElse, .startedInAnotherBrowser, .finishWithStartingClient, .connectNeedsPost: .forbidden
        case .signInToFinish: .unauthorized
        case .needsReconnect: .conflict
        }
    }
}
