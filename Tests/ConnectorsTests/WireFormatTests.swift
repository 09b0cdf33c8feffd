import Foundation
import NIOHTTP1
import Testing

@testable import Connectors

/// Provider answers are decoded into their documented shapes; anything else is a clear
/// "malformed answer", never an empty id.
@Suite("Wire formats")
struct WireFormatTests {
    static func reply(_ json: String, status: Int = 200) -> ProviderHTTP.Reply {
        ProviderHTTP.Reply(status: status, headers: HTTPHeaders(), body: Array(json.utf8))
    }

    @Test("a Drive file list whose entry lacks its id is refused, naming the key")
    func missingID() throws {
        // given: an entry with a misspelt key
        let reply = Self.reply(#"{"files": [{"ID": "1abc", "name": "Plan.docx"}]}"#)
        // when / then
        #expect(throws: ConnectorError.malformedResponse("Drive's file list could not be read (no files.0.id)")) {
            try reply.decode(GoogleWire.FileList.self, "Drive's file list")
        }
    }

    @Test("int64 fields sent as strings and ids sent as numbers both read")
    func flexibleFields() throws {
        // given: Google's string sizes and Confluence's numeric ids
        let file = try Self.reply(#"{"id": "1", "size": "2048", "version": "7"}"#).decode(GoogleWire.File.self, "a file")
        let page = try Self.reply(#"{"id": 98305, "title": "Home", "spaceId": "65541"}"#).decode(ConfluenceWire.Content.self, "a page")
        // then
        #expect(file.size?.value == 2048 && file.version?.value == 7)
        #expect(page.id.value == "98305" && page.spaceId?.value == "65541")
    }

    @Test("a token response without access_token is malformed; an OAuth error keeps its code")
    func tokenResponses() throws {
        #expect(throws: ConnectorError.malformedResponse("the token response could not be read (no access_token)")) {
            try ProviderHTTP.tokenSet(Self.reply(#"{"token_type": "Bearer"}"#), requestedScopes: [])
        }
        let tokens = try ProviderHTTP.tokenSet(
            Self.reply(#"{"access_token": "a", "expires_in": "3600", "scope": "x y"}"#), requestedScopes: [], now: Date(timeIntervalSince1970: 0))
        #expect(tokens.expiresAt == Date(timeIntervalSince1970: 3600) && tokens.scopes == ["x", "y"] && tokens.refreshToken == nil)
        #expect(ProviderHTTP.oauthError(Self.reply(#"{"error": "invalid_grant", "error_description": "revoked"}"#, status: 400)) == .invalidGrant("revoked"))
        #expect(ProviderHTTP.oauthError(Self.reply(#"{"error": "invalid_client"}"#, status: 401)) == .misconfigured("HTTP 401"))
    }

    @Test("each provider's error shape gives its words for the logs")
    func errorSummaries() {
        #expect(
            ProviderHTTP.errorSummary(
                Self.reply(#"{"error": {"code": 403, "message": "Export too large", "errors": [{"reason": "exportSizeLimitExceeded"}]}}"#))
                == "exportSizeLimitExceeded: Export too large")
        #expect(ProviderHTTP.errorSummary(Self.reply(#"{"error": {"code": "itemNotFound", "message": "Gone"}}"#)) == "itemNotFound: Gone")
        #expect(ProviderHTTP.errorSummary(Self.reply(#"{"error_summary": "path/not_found/..", "error": {".tag": "path"}}"#)) == "path/not_found/..")
        #expect(ProviderHTTP.errorSummary(Self.reply(#"{"errors": [{"status": 400, "title": "Bad cursor"}]}"#)) == "Bad cursor")
    }
}
