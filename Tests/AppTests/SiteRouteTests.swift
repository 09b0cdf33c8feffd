import CirrusCore
import Foundation
import Testing

@testable import App

/// The one table of paths: links, patterns and query strings.
@Suite("Site routes")
struct SiteRouteTests {
    @Test("a route's link carries its values; its pattern names the parameters")
    func pathsAndPatterns() {
        // given: routes with and without their parameters
        let id = UUID()
        // when / then
        #expect(SiteRoute.disconnectForm(.dropbox).path == "/admin/integrations/dropbox/disconnect")
        #expect(SiteRoute.disconnectForm(nil).pattern.description == "/admin/integrations/{platform}/disconnect")
        #expect(SiteRoute.importEvents(id).path == "/api/v1/imports/\(id.uuidString)/events")
        #expect(SiteRoute.importEvents(nil).pattern.description == "/api/v1/imports/{id}/events")
        #expect(SiteRoute.dashboard.path == "/admin")
        #expect(SiteRoute.home.path == "/")
        #expect(SiteRoute.staticFile("icons/dropbox.svg").path == "/static/icons/dropbox.svg")
        #expect(SiteRoute.staticFile(nil).pattern.description == "/static/**")
        // a parameter cannot add path segments of its own
        #expect(SiteRoute.myToken("a/b?c").path == "/api/v1/me/tokens/a%2Fb%3Fc")
    }

    @Test("query values come back exactly as given, whatever characters they hold")
    func queryRoundTrip() throws {
        // given: a value with every character that means something in a query
        let title = "Q&A = 50% + more? #1 “draft” é"
        // when: it rides in a redirect
        let target = SiteRoute.documentsPage.with(["deleted": title, "sig": "abc"])
        // then: parsed back, it is the same value
        let items = try #require(URLComponents(string: target)?.queryItems)
        #expect(items.first { $0.name == "deleted" }?.value == title)
        #expect(items.first { $0.name == "sig" }?.value == "abc")
        #expect(target.hasPrefix("/admin/documents?"))
    }

    @Test("every file in Web/Static is served as it is on disk")
    func staticFilesEmbedded() throws {
        // given: the files in the source tree
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/App/Web/Static")
        let names = try FileManager.default.subpathsOfDirectory(atPath: directory.path).filter { $0.contains(".") }.sorted()
        #expect(names.count >= 10)
        // then: each one was compiled in with its exact text
        for name in names {
            let onDisk = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            #expect(StaticAssets.files[name] == onDisk, "\(name)")
        }
        #expect(StaticAssets.files.count == names.count)
    }
}
