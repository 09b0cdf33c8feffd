import CirrusCore

/// How a document remembers the file it came from, unique per workspace and platform: the
/// connector's file id, qualified by the chosen resource where the platform has a
/// ``ResourceChoice``: Confluence numbers pages and attachments per site (two sites both have a
/// page 98305; without the site one would overwrite the other). Other providers' ids are unique
/// across the provider.
enum SourceKey {
    static func make(platform: Platform, siteID: String?, fileID: String) -> String {
        guard ConnectorRegistry.resourceChoice(platform) != nil, let siteID, !siteID.isEmpty else { return fileID }
        return siteID + "/" + fileID
    }

    /// The connector's file id inside a stored key (Confluence ids never contain a slash).
    static func fileID(_ key: String, platform: Platform) -> String {
        guard ConnectorRegistry.resourceChoice(platform) != nil, let slash = key.firstIndex(of: "/") else { return key }
        return String(key[key.index(after: slash)...])
    }

    /// The site inside a stored key; `nil` for other platforms and for keys stored before sites were.
    static func siteID(_ key: String, platform: Platform) -> String? {
        guard ConnectorRegistry.resourceChoice(platform) != nil, let slash = key.firstIndex(of: "/") else { return nil }
        return String(key[..<slash])
    }
}
