import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit

/// The database: a SQLite file under the data directory by default, PostgreSQL when a
/// `DATABASE_URL` is configured. Owns the connection pools; call ``shutdown()`` when done.
public final class Store: Sendable {
    /// Which engine is behind the store.
    public enum Engine: String, Sendable {
        case sqlite
        case postgres
    }

    public let engine: Engine
    private let databases: Databases
    private let logger: Logger
    /// SQLite: every query runs on one connection of one event loop. Two connections to the
    /// same file contend for its write lock, and the driver's busy handler retries forever on
    /// the shared thread pool; one connection serializes writes instead.
    private let pinnedLoop: (any EventLoop)?
    /// One handle per event loop, made while the pools are open: after ``shutdown()`` a query
    /// fails with the pool's error instead of the process trapping on a missing database.
    private let handles: [any Database]

    /// Opens (without migrating) the store described by `config`. From here on the process
    /// creates owner-only files (``DataDirectory``): every command that opens the store does.
    public init(config: AppConfig, logger: Logger) throws {
        DataDirectory.restrictNewFiles()
        // The drivers log each statement with its bound values at trace level, and binds carry
        // CSRF tokens, sealed tokens and document text: the store's logger never goes below debug.
        var logger = logger
        if logger.logLevel < .debug { logger.logLevel = .debug }
        let databases = Databases(threadPool: .singleton, on: MultiThreadedEventLoopGroup.singleton)
        if let url = config.databaseURL?.revealed {
            guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
                throw ConfigError.invalid(key: AppConfig.Key.databaseURL, reason: "expected a postgres:// URL")
            }
            do {
                databases.use(try .postgres(url: url, maxConnectionsPerEventLoop: 4, sqlLogLevel: .trace), as: .psql)
            } catch {
                throw ConfigError.invalid(key: AppConfig.Key.databaseURL, reason: "not a valid PostgreSQL URL")
            }
            self.engine = .postgres
            self.pinnedLoop = nil
        } else {
            try DataDirectory.create(URL(fileURLWithPath: config.dataDirectory))
            let path = URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("cirrus.sqlite").path
            databases.use(.sqlite(.file(path), sqlLogLevel: .trace), as: .sqlite)
            self.engine = .sqlite
            self.pinnedLoop = MultiThreadedEventLoopGroup.singleton.next()
        }
        self.databases = databases
        self.logger = logger
        let loops: [any EventLoop] = pinnedLoop.map { [$0] } ?? Array(MultiThreadedEventLoopGroup.singleton.makeIterator())
        self.handles = loops.compactMap { databases.database(logger: logger, on: $0) }
        guard !handles.isEmpty else { throw ConfigError.invalid(key: AppConfig.Key.databaseURL, reason: "no database could be opened") }
    }

    /// A handle on the database for one unit of work.
    public var database: any Database {
        handles[Int.random(in: handles.indices)]
    }

    /// The same database for statements Fluent's query builder cannot express (both drivers speak SQL).
    public var sql: any SQLDatabase {
        database as! any SQLDatabase
    }

    /// Applies every migration that has not run yet.
    /// SQLite: write-ahead logging and `synchronous=NORMAL`, so a commit is one append to the
    /// log instead of several fsyncs of the database file (durable across process crashes; a
    /// power cut may lose the last moments, never corrupt the file). Run once on the pinned
    /// connection before serving.
    public func tune() async throws {
        guard engine == .sqlite, let sql = database as? any SQLDatabase else { return }
        try await sql.raw("PRAGMA journal_mode=WAL").run()
        try await sql.raw("PRAGMA synchronous=NORMAL").run()
    }

    public func migrate() async throws {
        try await migrate(CirrusMigrations.all)
    }

    /// Applies those of `list` that have not run yet (tests replay older releases' lists).
    func migrate(_ list: [any Migration]) async throws {
        let migrations = Migrations()
        migrations.add(list)
        let migrator = Migrator(
            databases: databases, migrations: migrations, logger: logger,
            on: MultiThreadedEventLoopGroup.singleton.any(), migrationLogLevel: .info)
        try await migrator.setupIfNeeded().get()
        try await migrator.prepareBatch().get()
    }

    /// Closes every connection.
    public func shutdown() async {
        await databases.shutdownAsync()
    }
}
