import Foundation
import Hummingbird

/// The names and attributes of Cirrus's cookies. Behind https every cookie is `Secure` and its
/// name carries the `__Host-` prefix, so browsers refuse it unless it was set by this exact
/// origin over https with `Path=/` and no `Domain` (a sibling subdomain cannot plant one).
struct CookieNames: Sendable {
    let secure: Bool

    init(secure: Bool) {
        self.secure = secure
    }

    private func named(_ base: String) -> String { secure ? "__Host-" + base : base }

    /// The browser session.
    var session: String { named("cirrus_session") }
    /// The double-submit CSRF token of the sign-in form, before there is a session.
    var preSessionCSRF: String { named("cirrus_csrf") }
    /// The nonce that binds OAuth flows to the browser that started them.
    var oauthBinding: String { named("cirrus_oauth") }

    /// A cookie with the attributes every Cirrus cookie shares (`HttpOnly`, `Path=/`, `Secure` behind https).
    func cookie(_ name: String, value: String, maxAge: Int? = nil, expires: Date? = nil, sameSite: Cookie.SameSite) -> Cookie {
        Cookie(name: name, value: value, expires: expires, maxAge: maxAge, path: "/", secure: secure, httpOnly: true, sameSite: sameSite)
    }

    /// A `Set-Cookie` that deletes `name`.
    func expired(_ name: String, sameSite: Cookie.SameSite) -> Cookie {
        cookie(name, value: "", maxAge: 0, sameSite: sameSite)
    }
}
