import CirrusCore

/// What Cirrus knows about one provider beyond its API, kept beside its connector: how it signs
/// in, what to choose after connecting, what trips operators up when they register the app, and
/// where a person removes the app when the provider has no way for an app to revoke itself.
public struct ProviderFacts: Sendable {
    public var oauth: OAuthDescription
    public var resourceChoice: ResourceChoice?
    /// Shown on the setup checklist of an unconfigured provider.
    public var setupPitfalls: [String]
    /// Where to remove the app by hand, for providers without revocation.
    public var removeAppAt: String?

    public init(oauth: OAuthDescription, resourceChoice: ResourceChoice? = nil, setupPitfalls: [String], removeAppAt: String? = nil) {
        self.oauth = oauth
        self.resourceChoice = resourceChoice
        self.setupPitfalls = setupPitfalls
        self.removeAppAt = removeAppAt
    }

    /// The scopes requested at consent.
    public var scopes: [String] { oauth.scopes }
}
