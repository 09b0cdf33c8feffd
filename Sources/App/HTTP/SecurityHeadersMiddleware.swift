import HTTPTypes
import Hummingbird

/// Headers that keep pages from being framed, sniffed or fed scripts from elsewhere; that keep
/// account data and API answers out of caches; and, behind https, that keep browsers on https.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    /// Send `Strict-Transport-Security` (the public URL is https).
    var strictTransport = false
    /// Origins forms may lead to besides this one: the providers' consent pages, which the
    /// Connect form's answer redirects to (browsers apply `form-action` to that redirect too).
    var formTargets: @Sendable () -> [String] = { [] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        // Only pages hold forms: other answers need not ask the connectors where consent lives.
        let isPage = response.headers[.contentType]?.hasPrefix("text/html") == true
        let formAction = (["'self'"] + (isPage ? formTargets() : [])).joined(separator: " ")
        response.headers[.contentSecurityPolicy] =
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action \(formAction); base-uri 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        if strictTransport { response.headers[HTTPField.Name("Strict-Transport-Security")!] = "max-age=31536000; includeSubDomains" }
        // Pages and API answers show accounts, tokens and documents: never stored by a browser or
        // a proxy. Static assets set their own caching.
        let path = request.uri.path
        if response.headers[.cacheControl] == nil, path.hasPrefix(SiteRoute.apiPrefix) || path.hasPrefix(SiteRoute.pagesPrefix) || path == SiteRoute.login.path
        {
            response.headers[.cacheControl] = "no-store"
        }
        return response
    }
}
