import CirrusCore
import Connectors
import Extraction
import FluentKit
import Foundation
import Knowledge
import Testing

@testable import App

/// Documents are one per source file: for Confluence, per site and page (page ids are numbered per site).
@Suite("Source keys")
struct SourceKeyTests {
    static let siteA = "1324a887-45db-1bf4-1e99-ef0ff456d421"
    static let siteB = "8f2c1d6e-0b9a-4c3d-9e8f-7a6b5c4d3e2f"

    /// Saves `file` as imported from `site` through the indexer, as an import job would.
    static func index(_ file: CloudFile, site: String?, owner: User, store: Store) async throws {
        let job = try await ImportQueue(store: store).enqueue(
            platform: .confluence, category: "Wiki", fileIDs: [file.id], userID: try owner.requireID(), workspaceID: owner.$workspace.id)
        let item = try #require(try await ImportItem.query(on: store.database).filter(\.$job.$id == job.requireID()).first())
        let chunk = Chunk(ordinal: 0, text: "Text of \(file.name) on \(site ?? "no site")", headingPath: [], location: .none)
        try await DocumentIndexer(store: store).save(
            file: file, sourceKey: SourceKey.make(platform: .confluence, siteID: site, fileID: file.id),
            downloaded: DownloadedFile(url: URL(fileURLWithPath: "/dev/null"), bytes: 10, mimeType: "text/html", fileName: file.name),
            title: file.name, platform: .confluence, job: job, chunks: [chunk], vectors: nil, embeddingModel: nil, ocr: nil, item: item)
    }

    @Test("two Confluence sites with the same page id keep two documents; a re-import from one site replaces only its own")
    func samePageIDOnTwoSites() async throws {
        // given
        let harness = try await TestHarness.make()
        let owner = try await harness.bootstrapOwner()
        try await harness.withStore { store in
            let page = CloudFile(id: "page:98305", name: "Onboarding", mimeType: "text/html", revision: "1")
            // when: the same page id arrives from site A, then from site B, then site A again
            try await Self.index(page, site: Self.siteA, owner: owner, store: store)
            try await Self.index(
                CloudFile(id: "page:98305", name: "Labs onboarding", mimeType: "text/html", revision: "1"), site: Self.siteB, owner: owner, store: store)
            try await Self.index(
                CloudFile(id: "page:98305", name: "Onboarding v2", mimeType: "text/html", revision: "2"), site: Self.siteA, owner: owner, store: store)
            // then
            let documents = try await KnowledgeDocument.query(on: store.database).sort(\.$title).all()
            #expect(documents.map(\.title) == ["Labs onboarding", "Onboarding v2"])
            #expect(Set(documents.map(\.sourceFileID)) == ["\(Self.siteA)/page:98305", "\(Self.siteB)/page:98305"])
        }
    }

    @Test("existing Confluence documents get their importer's site; a page imported before keys named the site is found and re-keyed")
    func legacyKeys() async throws {
        // given: a document keyed by the bare page id, and its importer's connection on site A
        let harness = try await TestHarness.make()
        let owner = try await harness.bootstrapOwner()
        try await harness.withStore { store in
            let legacy = try await DocumentsPageTests.makeDocument("Legacy", category: "Wiki", workspace: owner.$workspace.id, on: store)
            legacy.sourcePlatform = .confluence
            legacy.sourceFileID = "page:7"
            legacy.$importedBy.id = try owner.requireID()
            try await legacy.save(on: store.database)
            let orphan = try await DocumentsPageTests.makeDocument("Orphan", category: "Wiki", workspace: owner.$workspace.id, on: store)
            orphan.sourcePlatform = .confluence
            orphan.sourceFileID = "page:8"
            try await orphan.save(on: store.database)
            let connection = UserIntegration(
                userID: try owner.requireID(), workspaceID: owner.$workspace.id, platform: .confluence, sealedAccessToken: "sealed",
                sealedRefreshToken: nil, tokenExpiresAt: nil, accountEmail: nil, accountName: nil, scopes: [])
            connection.siteID = Self.siteA
            try await connection.create(on: store.database)
            // when: the migration runs
            try await QualifyConfluenceDocumentKeys().prepare(on: store.database)
            // then: the first names its site; the one without a known site keeps its id and is re-keyed by its next import
            let keys = try await KnowledgeDocument.query(on: store.database).sort(\.$title).all().map(\.sourceFileID)
            #expect(keys == ["\(Self.siteA)/page:7", "page:8"])
            try await Self.index(CloudFile(id: "page:8", name: "Orphan", mimeType: "text/html", revision: "2"), site: Self.siteA, owner: owner, store: store)
            let after = try await KnowledgeDocument.query(on: store.database).sort(\.$title).all().map(\.sourceFileID)
            #expect(after == ["\(Self.siteA)/page:7", "\(Self.siteA)/page:8"])
        }
    }

    @Test("keys round-trip, and only Confluence keys carry a site")
    func keyShape() {
        let key = SourceKey.make(platform: .confluence, siteID: Self.siteA, fileID: "att:12:34")
        #expect(SourceKey.fileID(key, platform: .confluence) == "att:12:34")
        #expect(SourceKey.siteID(key, platform: .confluence) == Self.siteA)
        #expect(SourceKey.make(platform: .googleDrive, siteID: Self.siteA, fileID: "abc/def") == "abc/def")
        #expect(SourceKey.fileID("abc/def", platform: .googleDrive) == "abc/def")
        #expect(SourceKey.siteID("page:1", platform: .confluence) == nil)
    }
}
