import CirrusCore
import Foundation
import Hummingbird

/// `/api/v1/sources…`: synced sources — list, create, change, run now and delete.
struct SourcesAPI {
    let sync: SyncService

    struct CreateRequest: Decodable {
        let platform: String
        /// The files and folders to keep in sync (`fileIds` is accepted too, as on imports).
        let roots: [String]?
        let fileIds: [String]?
        let category: String?
        let enabled: Bool?
        let intervalSeconds: Int?
    }

    struct UpdateRequest: Decodable {
        let roots: [String]?
        let category: String?
        let enabled: Bool?
        let intervalSeconds: Int?
    }

    struct SourceDTO: ResponseEncodable, Decodable {
        /// Where the source is: `idle` until its next run, `running`, `paused` (switched off, or
        /// waiting for a reconnect: see `lastError`).
        enum Status: String, Codable {
            case idle, running, paused
        }

        let id: UUID
        let platform: Platform
        let roots: [String]
        let category: String
        let enabled: Bool
        let intervalSeconds: Int
        let status: Status
        let lastRunAt: Date?
        let nextRunAt: Date?
        let lastError: String?
        /// What the last run that found changes applied.
        let lastChanges: SyncChangeCounts?
        let totalChanges: SyncChangeCounts
        let documentCount: Int
        /// Whether runs read the provider's change feed (else each compares in full).
        let changeFeed: Bool
        /// When the source was last compared in full with the provider.
        let lastReconciledAt: Date?
        let createdAt: Date?

        init(_ report: SyncService.Report, now: Date = Date()) {
            let source = report.source
            id = source.id ?? UUID()
            platform = source.platform
            roots = source.roots
            category = source.category
            enabled = source.enabled
            intervalSeconds = source.intervalSeconds
            if !source.enabled || source.lastOutcome == .paused {
                status = .paused
            } else if source.claimedAt != nil {
                status = .running
            } else {
                status = .idle
            }
            lastRunAt = source.lastRunAt
            nextRunAt = source.enabled ? source.nextRunAt : nil
            lastError = source.lastError
            lastChanges = source.lastChanges
            totalChanges = source.totalChanges
            documentCount = report.documentCount
            changeFeed = source.feedCursor != nil
            lastReconciledAt = source.reconciledAt
            createdAt = source.createdAt
        }
    }

    struct ListResponse: ResponseEncodable {
        let sources: [SourceDTO]
    }

    struct DeleteResponse: ResponseEncodable {
        let deleted: Bool
        let documentsRemoved: Bool
    }

    func addRoutes(signedIn: RouterGroup<SignedInContext>, admin: RouterGroup<AdminContext>) {
        signedIn.get(SiteRoute.sources.pattern) { _, context -> ListResponse in
            ListResponse(sources: try await sync.list(for: context.identity).map { SourceDTO($0) })
        }
        signedIn.get(SiteRoute.source(nil).pattern) { _, context -> SourceDTO in
            SourceDTO(try await sync.report(try context.idParameter(orThrow: SyncError.notFound), for: context.identity))
        }
        admin.post(SiteRoute.sources.pattern) { request, context -> Response in
            let body = try await request.decode(as: CreateRequest.self, context: context)
            guard let platform = Platform(rawValue: body.platform) else { throw IntegrationError.unknownPlatform(body.platform) }
            let id = try await sync.create(
                platform,
                .init(roots: body.roots ?? body.fileIds, category: body.category, enabled: body.enabled, intervalSeconds: body.intervalSeconds),
                by: context.identity, clientAddress: context.clientAddress)
            var response = try SourceDTO(try await sync.report(id, for: context.identity)).response(from: request, context: context)
            response.status = .created
            response.headers[.location] = SiteRoute.source(id).path
            return response
        }
        admin.patch(SiteRoute.source(nil).pattern) { request, context -> SourceDTO in
            let id = try context.idParameter(orThrow: SyncError.notFound)
            let body = try await request.decode(as: UpdateRequest.self, context: context)
            try await sync.update(
                id, .init(roots: body.roots, category: body.category, enabled: body.enabled, intervalSeconds: body.intervalSeconds),
                by: context.identity, clientAddress: context.clientAddress)
            return SourceDTO(try await sync.report(id, for: context.identity))
        }
        admin.post(SiteRoute.syncSource(nil).pattern) { request, context -> Response in
            let id = try context.idParameter(orThrow: SyncError.notFound)
            try await sync.syncNow(id, for: context.identity)
            var response = try SourceDTO(try await sync.report(id, for: context.identity)).response(from: request, context: context)
            response.status = .accepted
            return response
        }
        admin.delete(SiteRoute.source(nil).pattern) { request, context -> DeleteResponse in
            let id = try context.idParameter(orThrow: SyncError.notFound)
            let remove = try Self.removesDocuments(request.uri.queryParameters["documents"].map(String.init))
            try await sync.delete(id, removingDocuments: remove, by: context.identity, clientAddress: context.clientAddress)
            return DeleteResponse(deleted: true, documentsRemoved: remove)
        }
    }

    /// `documents=keep` (the default) or `documents=remove`.
    static func removesDocuments(_ choice: String?) throws -> Bool {
        switch choice {
        case nil, "", "keep": false
        case "remove": true
        default: throw SyncError.invalidDocumentsChoice
        }
    }
}
