import Testing

@testable import Connectors

/// Ids from the browser end up in provider URLs: they must not be able to step out of their place.
@Suite("Provider ids in URLs")
struct IdentifierTests {
    @Test("Confluence accepts only the id shapes it hands out")
    func confluenceIDs() throws {
        for id in ["root", "space:98304", "page:131073", "folder:42", "att:131073:att65537"] {
            try ConfluenceConnector.validate(id)
        }
        for id in ["page:1/../../admin", "space:1?x=y", "page:1#", "../x", "", "page:١٢"] {
            #expect(throws: ConnectorError.notFound) { try ConfluenceConnector.validate(id) }
        }
    }

    @Test("Drive and Graph ids are escaped as one path segment, dot segments included")
    func pathSegments() {
        #expect(GoogleDriveConnector.pathEscape("..") == "%2E%2E")
        #expect(GoogleDriveConnector.pathEscape("a/b?c") == "a%2Fb%3Fc")
        #expect(MicrosoftConnector.escape(".") == "%2E")
        #expect(MicrosoftConnector.escape("01ABC/../x") == "01ABC%2F..%2Fx")
    }
}
