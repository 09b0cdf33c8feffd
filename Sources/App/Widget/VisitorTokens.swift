import CirrusCore
import Foundation

/// Short-lived tokens for the widget's anonymous visitors: which site and which visitor, until
/// when. Sealed by the token vault (Fernet: encrypted and authenticated), so a visitor can
/// neither read nor forge one, nor move it to another site.
struct VisitorTokens: Sendable {
    let vault: TokenVault
    /// How long a token lasts; the widget asks for a new one when it has run out.
    var lifetime: TimeInterval = 3600

    struct Claims: Codable, Equatable {
        let site: String
        let visitor: String
        let expires: Date
    }

    func issue(site: String, visitor: String = SecureToken.make(), now: Date = Date()) -> (token: String, claims: Claims) {
        let claims = Claims(site: site, visitor: visitor, expires: now.addingTimeInterval(lifetime))
        return (vault.seal(JSONCoding.text(claims)), claims)
    }

    /// The visitor a token names, or ``WidgetError/visitorTokenInvalid`` when it is not one of
    /// ours, is for another site, or has expired.
    func visitor(in token: String?, site: String, now: Date = Date()) throws(WidgetError) -> String {
        guard let token, token.count < 2000, let text = try? vault.open(token),
            let claims = try? JSONCoding.decoder().decode(Claims.self, from: Data(text.utf8)),
            claims.site == site, claims.expires > now
        else { throw .visitorTokenInvalid }
        return claims.visitor
    }
}

/// Questions per minute for each visitor and each site, in a sliding window, in memory (each
/// server process counts its own; behind several, a site's allowance is per process).
actor WidgetRateLimiter {
    private let perVisitor: Int
    private let perSite: Int
    private var byVisitor: SlidingWindow
    private var bySite: SlidingWindow

    init(perVisitor: Int, perSite: Int) {
        self.perVisitor = perVisitor
        self.perSite = perSite
        byVisitor = SlidingWindow(window: 60, capacity: 50_000, keptPerKey: perVisitor)
        bySite = SlidingWindow(window: 60, capacity: 50_000, keptPerKey: perSite)
    }

    /// Counts a question, or throws ``WidgetError/rateLimited(retryAfterSeconds:)`` without counting it.
    func admit(visitor: String, site: String, now: Date = Date()) throws(WidgetError) {
        let wait = max(byVisitor.wait(visitor, limit: perVisitor, now: now), bySite.wait(site, limit: perSite, now: now))
        if wait > 0 { throw .rateLimited(retryAfterSeconds: wait) }
        byVisitor.record(visitor, now: now)
        bySite.record(site, now: now)
    }
}
