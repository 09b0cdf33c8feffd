import Testing

@testable import Sandbox

@Suite("Host-prefix routing")
struct ProviderHostTests {
    @Test("a sandbox path names the real host first and keeps the real path after it")
    func route() {
        #expect(ProviderHost.route("/graph.microsoft.com/v1.0/me/drive/root/children")! == (.microsoftGraph, "/v1.0/me/drive/root/children"))
        #expect(ProviderHost.route("/accounts.google.com/o/oauth2/v2/auth")! == (.googleAccounts, "/o/oauth2/v2/auth"))
        #expect(ProviderHost.route("/api.dropboxapi.com")! == (.dropboxAPI, "/"))
        #expect(ProviderHost.route("/evil.example.com/x") == nil)
        #expect(ProviderHost.route("/_sandbox/files") == nil)
    }

    @Test("connectors get one base URL per host")
    func baseURL() {
        #expect(ProviderHost.atlassianAPI.sandboxBaseURL(port: 9100) == "http://127.0.0.1:9100/api.atlassian.com")
    }
}
