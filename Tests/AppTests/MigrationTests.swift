import FluentKit
import Foundation
import SQLKit
import Testing

@testable import App

@Suite("Migrations")
struct MigrationTests {
    @Test("every table is created, and running the migrations again changes nothing")
    func migrateTwice() async throws {
        // given
        let harness = try await TestHarness.make()
        // when
        try await harness.withStore { store in
            try await store.migrate()
            try await store.migrate()
        }
        // then
        try await harness.withStore { store in
            let database = store.database
            #expect(try await Workspace.query(on: database).count() == 0)
            #expect(try await User.query(on: database).count() == 0)
            #expect(try await BrowserSession.query(on: database).count() == 0)
            #expect(try await APIToken.query(on: database).count() == 0)
            #expect(try await UserIntegration.query(on: database).count() == 0)
            #expect(try await OAuthState.query(on: database).count() == 0)
            #expect(try await KnowledgeDocument.query(on: database).count() == 0)
            #expect(try await KnowledgeChunk.query(on: database).count() == 0)
            #expect(try await ImportJob.query(on: database).count() == 0)
            #expect(try await ImportItem.query(on: database).count() == 0)
            #expect(try await AuditEvent.query(on: database).count() == 0)
            let applied = try await (database as! any SQLDatabase).raw("SELECT name FROM _fluent_migrations").all()
            #expect(applied.count == CirrusMigrations.all.count)
        }
    }

    @Test("a user can connect each platform once: UNIQUE(user, platform)")
    func uniqueIntegrationPerPlatform() async throws {
        let harness = try await TestHarness.make()
        let user = try await harness.createUser(email: "sarah@example.com")
        try await harness.withStore { store in
            let first = UserIntegration(
                userID: try user.requireID(), workspaceID: user.$workspace.id, platform: .googleDrive, sealedAccessToken: "a",
                sealedRefreshToken: nil, tokenExpiresAt: nil, accountEmail: nil, accountName: nil, scopes: ["drive.readonly"])
            try await first.create(on: store.database)
            let second = UserIntegration(
                userID: try user.requireID(), workspaceID: user.$workspace.id, platform: .googleDrive, sealedAccessToken: "b",
                sealedRefreshToken: nil, tokenExpiresAt: nil, accountEmail: nil, accountName: nil, scopes: [])
            await #expect(throws: (any Error).self) { try await second.create(on: store.database) }
            let stored = try await UserIntegration.query(on: store.database).first()
            #expect(stored?.scopes == ["drive.readonly"])
        }
    }
}

@Suite("Database engine")
struct EngineTests {
    @Test("the suite runs on the engine it was asked for: PostgreSQL when CIRRUS_TEST_DATABASE_URL is set, else SQLite")
    func engine() async throws {
        let harness = try await TestHarness.make()
        let engine = try await harness.withStore { $0.engine }
        #expect(engine.rawValue == TestHarness.engineName)
    }
}
