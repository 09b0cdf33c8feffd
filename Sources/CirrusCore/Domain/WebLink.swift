import Foundation

/// Links to a document at its source, as they may be put in an `href`: only absolute `http`
/// or `https` URLs with a host and no credentials or control characters. Anything else a
/// provider (or a stored row) offers — `javascript:`, `data:`, a relative path — is dropped, so
/// the title is shown without a link. The page's CSP is a second line of defence, not the first.
public enum WebLink {
    public static func safe(_ link: String?) -> String? {
        guard let link, link.utf8.count <= 4096,
            !link.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }),
            let components = URLComponents(string: link), let scheme = components.scheme?.lowercased(),
            scheme == "https" || scheme == "http", let host = components.host, !host.isEmpty,
            components.user == nil, components.password == nil
        else { return nil }
        return link
    }
}
