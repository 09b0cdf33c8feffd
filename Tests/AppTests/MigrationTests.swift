import FluentKit
import Foundation
import Logging
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

@Suite("Schema across releases")
struct SchemaHistoryTests {
    /// `AddConnectionDetailsToUserIntegrations` as it first shipped, before `sites` was added to it.
    struct FirstAddConnectionDetails: AsyncMigration {
        var name: String { "AddConnectionDetailsToUserIntegrations" }
        func prepare(on database: any Database) async throws {
            for name in ["provider_account_id", "site_id", "site_url"] {
                try await database.schema("user_integrations").field(.string(name), .string).update()
            }
            for name in ["last_refreshed_at", "refresh_failed_at"] {
                try await database.schema("user_integrations").field(.string(name), .datetime).update()
            }
        }
        func revert(on database: any Database) async throws {}
    }

    /// Each list of migrations as a release shipped it, oldest first; the last is today's.
    static var releases: [[any Migration]] {
        let all = CirrusMigrations.all
        let base = Array(all.prefix(11))
        return [
            base,
            base + [FirstAddConnectionDetails()],
            base + [FirstAddConnectionDetails(), AddImportItemFileDetails()],
            base + [FirstAddConnectionDetails(), AddImportItemFileDetails(), CreateKnowledgeChanges(), AddEmbeddingModelToDocuments()],
            base + [FirstAddConnectionDetails(), AddImportItemFileDetails(), CreateKnowledgeChanges(), AddEmbeddingModelToDocuments(), CreateChatTurns()],
            all,
        ]
    }

    /// Every table's columns (name, type, nullability) and every index (columns, uniqueness), in
    /// a stable order: column order differs between a fresh table and one grown by ALTER TABLE.
    static func schema(of store: Store) async throws -> [String] {
        let sql = store.sql
        var lines: [String] = []
        if store.engine == .sqlite {
            let tables = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all()
                .map { try $0.decode(column: "name", as: String.self) }
            for table in tables {
                for column in try await sql.raw("SELECT name, type, \"notnull\" AS required FROM pragma_table_info(\(bind: table))").all() {
                    lines.append(
                        "\(table).\(try column.decode(column: "name", as: String.self)) \(try column.decode(column: "type", as: String.self)) required=\(try column.decode(column: "required", as: Int.self))"
                    )
                }
                for index in try await sql.raw("SELECT name, \"unique\" AS isunique FROM pragma_index_list(\(bind: table))").all() {
                    let name = try index.decode(column: "name", as: String.self)
                    let columns = try await sql.raw("SELECT name FROM pragma_index_info(\(bind: name))").all().map {
                        try $0.decode(column: "name", as: String?.self) ?? "?"
                    }
                    // Automatic indexes (UNIQUE constraints) are named by position; name them by their columns.
                    let label = name.hasPrefix("sqlite_autoindex") ? "auto" : name
                    lines.append("\(table) index \(label) (\(columns.joined(separator: ","))) unique=\(try index.decode(column: "isunique", as: Int.self))")
                }
            }
        } else {
            for column in try await sql.raw(
                """
                SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = current_schema()
                """
            ).all() {
                lines.append(
                    "\(try column.decode(column: "table_name", as: String.self)).\(try column.decode(column: "column_name", as: String.self)) \(try column.decode(column: "data_type", as: String.self)) nullable=\(try column.decode(column: "is_nullable", as: String.self))"
                )
            }
            for index in try await sql.raw("SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema()").all() {
                // Constraint indexes are named after their table and columns by position; the definition says it all.
                let definition = try index.decode(column: "indexdef", as: String.self)
                lines.append(
                    "\(try index.decode(column: "tablename", as: String.self)) \(definition.replacingOccurrences(of: #"INDEX \S+ ON"#, with: "INDEX ON", options: .regularExpression))"
                )
            }
        }
        return lines.sorted()
    }

    @Test("a store migrated release by release ends with the same schema as a fresh one")
    func stepByStep() async throws {
        // given: one store migrated through every release's list in turn, and one migrated at once
        let stepped = try await TestHarness.make()
        let fresh = try await TestHarness.make()
        let steppedSchema = try await stepped.withStore(migrated: false) { store in
            for release in Self.releases { try await store.migrate(release) }
            return try await Self.schema(of: store)
        }
        let freshSchema = try await fresh.withStore { try await Self.schema(of: $0) }
        // then: they are the same, column for column and index for index
        #expect(freshSchema.contains { $0.hasPrefix("user_integrations.sites ") })
        #expect(steppedSchema == freshSchema, "\(Set(steppedSchema).symmetricDifference(freshSchema).sorted())")
    }
}

@Suite("Store logging")
struct StoreLoggingTests {
    /// Keeps every message logged through it.
    final class Capture: LogHandler, @unchecked Sendable {
        let lines = NSLockedLines()
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            lines.append("\(message) \(metadata ?? [:]) \(self.metadata)")
        }
    }

    final class NSLockedLines: @unchecked Sendable {
        private let lock = NSLock()
        private var storage: [String] = []
        func append(_ line: String) { lock.withLock { storage.append(line) } }
        var all: [String] { lock.withLock { storage } }
    }

    @Test("at trace level the store logs no bound values (tokens and document text are binds)")
    func noBindsInLogs() async throws {
        // given: a store whose logger is at trace level
        let harness = try await TestHarness.make()
        let capture = Capture()
        var logger = Logger(label: "capture") { _ in capture }
        logger.logLevel = .trace
        let store = try Store(config: harness.config, logger: logger)
        // when: a statement carries a secret as a bound value
        try await store.migrate()
        _ = try await store.sql.raw("SELECT \(bind: "SECRET-BIND-VALUE-1234") AS echoed").all()
        await store.shutdown()
        // then: no log line shows it
        #expect(!capture.lines.all.contains { $0.contains("SECRET-BIND-VALUE-1234") })
    }
}
