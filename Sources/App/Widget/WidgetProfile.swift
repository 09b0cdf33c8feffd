import CirrusCore
import Foundation

/// Which corner of the page the widget's launcher sits in.
enum WidgetPosition: String, Codable, Sendable, CaseIterable {
    case right, left
}

/// The website widget as visitors get it, and the origins that may embed it.
struct WidgetProfile: Sendable, Equatable {
    let siteKey: String
    var enabled: Bool
    /// `scheme://host[:port]`, lowercased, each once.
    var allowedOrigins: [String]
    /// `#rrggbb`.
    var colour: String
    var position: WidgetPosition
    var launcherText: String

    static func defaults(siteKey: String) -> WidgetProfile {
        WidgetProfile(siteKey: siteKey, enabled: false, allowedOrigins: [], colour: "#2563eb", position: .right, launcherText: "Ask us")
    }

    /// Whether a request from `origin` may use the widget: one of the allowed origins while it
    /// is switched on, or the server's own (`ownOrigin`: the settings page's preview) always.
    func admits(_ origin: String?, ownOrigin: String) -> Bool {
        guard let origin = origin.flatMap(Self.origin) else { return false }
        if origin == Self.origin(ownOrigin) { return true }
        return enabled && allowedOrigins.contains(origin)
    }

    /// `text` as an origin (`scheme://host[:port]`, lowercased, default ports dropped), or nil when it is none.
    static func origin(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = components.host?.lowercased(), !host.isEmpty, components.user == nil, components.query == nil, components.fragment == nil,
            components.path.isEmpty || components.path == "/"
        else { return nil }
        let port = components.port.flatMap { (scheme == "https" && $0 == 443) || (scheme == "http" && $0 == 80) ? nil : $0 }
        return "\(scheme)://\(host)\(port.map { ":\($0)" } ?? "")"
    }
}

/// A change to the widget: the fields given replace the current ones.
struct WidgetChange: Decodable, Sendable {
    var enabled: Bool?
    var allowedOrigins: [String]?
    var colour: String?
    var position: WidgetPosition?
    var launcherText: String?

    func applied(to profile: WidgetProfile) throws -> WidgetProfile {
        var profile = profile
        if let enabled { profile.enabled = enabled }
        if let allowedOrigins {
            var origins: [String] = []
            for text in allowedOrigins where !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                guard let origin = WidgetProfile.origin(text) else {
                    throw WidgetError.invalid(field: "allowedOrigins", reason: "origins like https://www.example.com (“\(text.prefix(80))” is not one)")
                }
                if !origins.contains(origin) { origins.append(origin) }
            }
            guard origins.count <= 50 else { throw WidgetError.invalid(field: "allowedOrigins", reason: "at most 50 origins") }
            profile.allowedOrigins = origins
        }
        if let colour {
            let hex = colour.trimmingCharacters(in: .whitespaces).lowercased()
            guard hex.count == 7, hex.first == "#", hex.dropFirst().allSatisfy(\.isHexDigit) else {
                throw WidgetError.invalid(field: "colour", reason: "a colour like #2563eb")
            }
            profile.colour = hex
        }
        if let position { profile.position = position }
        if let launcherText {
            let text = launcherText.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty, text.count <= 40 else { throw WidgetError.invalid(field: "launcherText", reason: "1 to 40 characters") }
            profile.launcherText = text
        }
        return profile
    }
}

/// Failures of the widget, in words for an admin or a visitor's browser.
enum WidgetError: UserFacingError {
    case invalid(field: String, reason: String)
    /// The request's `Origin` is not one the widget may be embedded on (or it is switched off).
    case originNotAllowed
    case visitorTokenInvalid
    case rateLimited(retryAfterSeconds: Int)

    var code: String {
        switch self {
        case .invalid: "invalid_widget_settings"
        case .originNotAllowed: "origin_not_allowed"
        case .visitorTokenInvalid: "visitor_token_invalid"
        case .rateLimited: "rate_limited"
        }
    }

    var safeMessage: String {
        switch self {
        case .invalid(let field, let reason): "\(field) must be \(reason)."
        case .originNotAllowed: "This website may not use this chat widget."
        case .visitorTokenInvalid: "The chat session has expired; start it again."
        case .rateLimited: "Too many questions at once; wait a moment and ask again."
        }
    }

    var kind: FailureKind {
        switch self {
        case .invalid: .badRequest
        case .originNotAllowed: .forbidden
        case .visitorTokenInvalid: .unauthorized
        case .rateLimited(let seconds): .rateLimited(retryAfterSeconds: seconds)
        }
    }
}
