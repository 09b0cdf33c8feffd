import CirrusCore
import Foundation
import Hummingbird
import NIOCore

/// Imports: `POST /integrations/{platform}/import` starts a job at once; `GET /imports/{id}`
/// reports it; `GET /imports/{id}/events` streams each file's progress as Server-Sent Events.
struct ImportsAPI {
    let imports: ImportService

    struct ImportRequest: Decodable {
        let fileIds: [String]
        let category: String?
        /// Keep the selection in sync with the provider (a synced source), the default; `false`: import once.
        let sync: Bool?
    }

    struct ItemDTO: Codable, Equatable {
        let id: UUID
        let fileId: String
        let name: String
        let state: ImportItemState
        let reason: String?
        let chunkCount: Int
        let isFolder: Bool
        let attempts: Int
        let documentId: UUID?

        init(_ item: ImportItem) {
            id = item.id ?? UUID()
            fileId = item.sourceFileID
            name = item.name
            state = item.state
            reason = item.reason
            chunkCount = item.chunkCount
            isFolder = item.isFolder ?? false
            attempts = item.attempts
            documentId = item.$document.id
        }
    }

    struct JobDTO: ResponseEncodable, Decodable {
        let id: UUID
        let platform: Platform
        let category: String
        let status: ImportJobStatus
        let createdAt: Date?
        let finishedAt: Date?
        /// Files only (folders are expanded into their files): total, and how many in each state.
        let counts: [String: Int]
        let total: Int
        let completed: Int
        /// Seconds left, estimated from the pace so far; absent until there is a pace.
        let etaSeconds: Int?
        let items: [ItemDTO]
        /// Where the job's progress streams as Server-Sent Events.
        let eventsUrl: String
        /// The synced source the job imports for, if any.
        let sourceId: UUID?

        init(_ report: ImportService.Report) {
            id = report.job.id ?? UUID()
            eventsUrl = SiteRoute.importEvents(id).path
            sourceId = report.job.syncedSourceID
            platform = report.job.platform
            category = report.job.category
            status = report.job.status
            createdAt = report.job.createdAt
            finishedAt = report.job.finishedAt
            counts = Dictionary(uniqueKeysWithValues: report.counts.map { ($0.key.rawValue, $0.value) })
            total = report.total
            completed = report.completed
            etaSeconds = report.etaSeconds
            items = report.items.map(ItemDTO.init)
        }
    }

    struct JobListResponse: ResponseEncodable {
        let imports: [JobDTO]
    }

    struct Progress: Encodable {
        let status: ImportJobStatus
        let total: Int
        let completed: Int
        let counts: [String: Int]
        let etaSeconds: Int?
    }

    func addRoutes(signedIn: RouterGroup<SignedInContext>, admin: RouterGroup<AdminContext>) {
        admin.post(SiteRoute.startImport(nil).pattern) { request, context -> Response in
            let body = try await request.decode(as: ImportRequest.self, context: context)
            let jobID = try await imports.start(
                try context.platformParameter(), fileIDs: body.fileIds, category: body.category, keepInSync: body.sync ?? true, by: context.identity,
                clientAddress: context.clientAddress)
            var response = try JobDTO(try await imports.report(jobID, for: context.identity)).response(from: request, context: context)
            response.status = .accepted
            response.headers[.location] = SiteRoute.importJob(jobID).path
            return response
        }
        admin.post(SiteRoute.reimport(nil).pattern) { request, context -> Response in
            let jobID = try await imports.reimport(
                try context.idParameter(orThrow: DocumentError.notFound), by: context.identity, clientAddress: context.clientAddress)
            var response = try JobDTO(try await imports.report(jobID, for: context.identity)).response(from: request, context: context)
            response.status = .accepted
            return response
        }
        signedIn.get(SiteRoute.imports.pattern) { request, context -> JobListResponse in
            // `?status=running` lists every running job (up to 200), not only among the newest.
            let status = try request.uri.queryParameters["status"].map { raw in
                guard let status = ImportJobStatus(rawValue: String(raw)) else { throw ImportError.unknownStatus }
                return status
            }
            return JobListResponse(
                imports: try await imports.recent(for: context.identity, status: status, limit: status == nil ? 20 : 200).map(JobDTO.init))
        }
        signedIn.get(SiteRoute.importJob(nil).pattern) { _, context -> JobDTO in
            JobDTO(try await imports.report(try context.idParameter(orThrow: ImportError.notFound), for: context.identity))
        }
        signedIn.get(SiteRoute.importEvents(nil).pattern) { _, context -> Response in
            let identity = context.identity
            let jobID = try context.idParameter(orThrow: ImportError.notFound)
            _ = try await imports.report(jobID, for: identity)  // 404 before the stream starts
            return ServerSentEvents.response { writer in try await stream(jobID, identity: identity, to: &writer) }
        }
    }

    /// Polls the store (so progress made by any worker process is seen) and sends what changed.
    private func stream(_ jobID: UUID, identity: Identity, to writer: inout any ResponseBodyWriter) async throws {
        var sent: [UUID: ItemDTO] = [:]
        var lastBeat = ContinuousClock.now
        try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
        while !Task.isCancelled {
            let job = JobDTO(try await imports.report(jobID, for: identity))
            for item in job.items where sent[item.id] != item {
                sent[item.id] = item
                try await writer.write(ByteBuffer(string: ServerSentEvents.event("item", item)))
            }
            let progress = Progress(status: job.status, total: job.total, completed: job.completed, counts: job.counts, etaSeconds: job.etaSeconds)
            try await writer.write(ByteBuffer(string: ServerSentEvents.event("progress", progress)))
            if job.status != .running {
                let done = Progress(status: job.status, total: job.total, completed: job.completed, counts: job.counts, etaSeconds: 0)
                try await writer.write(ByteBuffer(string: ServerSentEvents.event("done", done)))
                break
            }
            if ContinuousClock.now - lastBeat > .seconds(15) {
                try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                lastBeat = .now
            }
            try await Task.sleep(for: .milliseconds(400))
        }
        try await writer.finish(nil)
    }
}

/// Import request errors, in words for the person who made the request.
enum ImportError: UserFacingError {
    case nothingSelected
    case tooManyFiles
    case notFound
    case unknownStatus

    var code: String {
        switch self {
        case .nothingSelected: "nothing_selected"
        case .tooManyFiles: "too_many_files"
        case .notFound: "import_not_found"
        case .unknownStatus: "unknown_status"
        }
    }

    var safeMessage: String {
        switch self {
        case .nothingSelected: "Select at least one file or folder to import."
        case .tooManyFiles: "Select at most 5,000 items at once; select their folder instead."
        case .notFound: "There is no such import."
        case .unknownStatus: "status must be running, completed or completed_with_errors."
        }
    }

    var kind: FailureKind {
        switch self {
        case .nothingSelected, .tooManyFiles, .unknownStatus: .badRequest
        case .notFound: .notFound
        }
    }
}
