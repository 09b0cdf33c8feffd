import CirrusCore
import Connectors
import FluentKit
import Foundation
import Hummingbird
import NIOCore

/// Imports: `POST /integrations/{platform}/import` starts a job at once; `GET /imports/{id}`
/// reports it; `GET /imports/{id}/events` streams each file's progress as Server-Sent Events.
struct ImportsAPI {
    let deps: Dependencies
    let tokens: TokenManager
    let queue: ImportQueue

    struct ImportRequest: Decodable {
        let fileIds: [String]
        let category: String?
    }

    struct ItemDTO: Encodable, Equatable {
        let id: UUID
        let fileId: String
        let name: String
        let state: String
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

    struct JobDTO: ResponseEncodable {
        let id: UUID
        let platform: String
        let category: String
        let status: String
        let createdAt: Date?
        let finishedAt: Date?
        /// Files only (folders are expanded into their files): total, and how many in each state.
        let counts: [String: Int]
        let total: Int
        let completed: Int
        /// Seconds left, estimated from the pace so far; absent until there is a pace.
        let etaSeconds: Int?
        let items: [ItemDTO]
    }

    struct JobListResponse: ResponseEncodable {
        let imports: [JobDTO]
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("integrations/:platform/import") { request, context -> Response in
            let identity = try context.requireIdentity()
            guard identity.canAdminister else { throw AuthError.forbidden }
            let platform = try IntegrationsAPI.platform(context)
            let body = try await request.decode(as: ImportRequest.self, context: context)
            let ids = Array(NSOrderedSet(array: body.fileIds.filter { !$0.isEmpty }).compactMap { $0 as? String })
            guard !ids.isEmpty else { throw ImportError.nothingSelected }
            guard ids.count <= 5000 else { throw ImportError.tooManyFiles }
            let category = Self.category(body.category)
            // Refuse at once when there is no connection; everything else is per-file progress.
            _ = try await tokens.connection(platform, userID: identity.userID, workspaceID: identity.workspaceID)
            let job = try await queue.enqueue(
                platform: platform, category: category, fileIDs: ids, userID: identity.userID, workspaceID: identity.workspaceID)
            await deps.audit.record(
                .importStarted, workspaceID: identity.workspaceID, actorID: identity.userID, actorEmail: identity.email, platform: platform.rawValue,
                detail: "\(ids.count) item\(ids.count == 1 ? "" : "s") into \"\(category)\"", clientAddress: context.clientAddress)
            let dto = try await jobDTO(try job.requireID(), identity: identity)
            var response = try dto.response(from: request, context: context)
            response.status = .accepted
            response.headers[.location] = "/api/v1/imports/\(try job.requireID())"
            return response
        }
        group.post("documents/:id/reimport") { request, context -> Response in
            let identity = try context.requireIdentity()
            guard identity.canAdminister else { throw AuthError.forbidden }
            let job = try await reimport(try DocumentsAPI.documentID(context), identity: identity, clientAddress: context.clientAddress)
            var response = try job.response(from: request, context: context)
            response.status = .accepted
            return response
        }
        group.get("imports") { _, context -> JobListResponse in
            let identity = try context.requireIdentity()
            let jobs = try await ImportJob.query(on: deps.store.database).filter(\.$workspace.$id == identity.workspaceID)
                .sort(\.$createdAt, .descending).limit(20).all()
            var result: [JobDTO] = []
            for job in jobs { result.append(try await jobDTO(try job.requireID(), identity: identity)) }
            return JobListResponse(imports: result)
        }
        group.get("imports/:id") { _, context -> JobDTO in
            let identity = try context.requireIdentity()
            return try await jobDTO(try Self.jobID(context), identity: identity)
        }
        group.get("imports/:id/events") { _, context -> Response in
            let identity = try context.requireIdentity()
            let jobID = try Self.jobID(context)
            _ = try await jobDTO(jobID, identity: identity)  // 404 before the stream starts
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-cache", .init("X-Accel-Buffering")!: "no"],
                body: ResponseBody { writer in try await stream(jobID, identity: identity, to: &writer) })
        }
    }

    /// Imports a document's file again from its provider, into the same category: a newer
    /// revision replaces the document in place; an unchanged one is reported as already imported.
    func reimport(_ documentID: UUID, identity: Identity, clientAddress: String?) async throws -> JobDTO {
        guard let document = try await KnowledgeDocument.query(on: deps.store.database).filter(\.$id == documentID)
            .filter(\.$workspace.$id == identity.workspaceID).first(), let platform = Platform(rawValue: document.sourcePlatform)
        else { throw DocumentError.notFound }
        let connection = try await tokens.connection(platform, userID: identity.userID, workspaceID: identity.workspaceID)
        if let site = SourceKey.siteID(document.sourceFileID, platform: platform), site != connection.siteID { throw DocumentError.fromAnotherSite }
        let job = try await queue.enqueue(
            platform: platform, category: document.category, fileIDs: [SourceKey.fileID(document.sourceFileID, platform: platform)],
            userID: identity.userID, workspaceID: identity.workspaceID)
        await deps.audit.record(
            .importStarted, workspaceID: identity.workspaceID, actorID: identity.userID, actorEmail: identity.email, platform: platform.rawValue,
            detail: "Re-import of \"\(document.title)\"", clientAddress: clientAddress)
        return try await jobDTO(try job.requireID(), identity: identity)
    }

    /// Polls the store (so progress made by any worker process is seen) and sends what changed.
    private func stream(_ jobID: UUID, identity: Identity, to writer: inout any ResponseBodyWriter) async throws {
        var sent: [UUID: ItemDTO] = [:]
        var lastBeat = ContinuousClock.now
        try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
        while !Task.isCancelled {
            let job = try await jobDTO(jobID, identity: identity)
            for item in job.items where sent[item.id] != item {
                sent[item.id] = item
                try await writer.write(ByteBuffer(string: Self.event("item", item)))
            }
            try await writer.write(ByteBuffer(string: Self.event("progress", Progress(status: job.status, total: job.total, completed: job.completed, counts: job.counts, etaSeconds: job.etaSeconds))))
            if job.status != ImportJobStatus.running.rawValue {
                try await writer.write(ByteBuffer(string: Self.event("done", Progress(status: job.status, total: job.total, completed: job.completed, counts: job.counts, etaSeconds: 0))))
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

    struct Progress: Encodable {
        let status: String
        let total: Int
        let completed: Int
        let counts: [String: Int]
        let etaSeconds: Int?
    }

    static func event(_ name: String, _ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let json = (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return "event: \(name)\ndata: \(json)\n\n"
    }

    func jobDTO(_ id: UUID, identity: Identity) async throws -> JobDTO {
        guard let job = try await ImportJob.query(on: deps.store.database).filter(\.$id == id)
            .filter(\.$workspace.$id == identity.workspaceID).first()
        else { throw ImportError.notFound }
        let items = try await ImportItem.query(on: deps.store.database).filter(\.$job.$id == id).sort(\.$createdAt).sort(\.$id).all()
        let files = items.filter(\.countsAsFile)
        var counts: [String: Int] = [:]
        for state in ImportItemState.allCases { counts[state.rawValue] = 0 }
        for item in files { counts[item.state, default: 0] += 1 }
        let completed = files.filter { ImportItemState(rawValue: $0.state)?.isFinal == true }.count
        var eta: Int?
        if let created = job.createdAt, completed > 0, completed < files.count {
            let pace = Date().timeIntervalSince(created) / Double(completed)
            eta = Int((pace * Double(files.count - completed)).rounded(.up))
        }
        return JobDTO(
            id: id, platform: job.platform, category: job.category, status: job.status, createdAt: job.createdAt, finishedAt: job.finishedAt,
            counts: counts, total: files.count, completed: completed, etaSeconds: eta, items: items.map(ItemDTO.init))
    }

    static func category(_ raw: String?) -> String {
        let trimmed = (raw ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? "General" : String(trimmed.prefix(100))
    }

    static func jobID(_ context: AppRequestContext) throws -> UUID {
        guard let id = UUID(uuidString: try context.parameters.require("id")) else { throw ImportError.notFound }
        return id
    }
}

/// Import request errors, in words for the person who made the request.
enum ImportError: UserFacingError {
    case nothingSelected
    case tooManyFiles
    case notFound

    var code: String {
        switch self {
        case .nothingSelected: "nothing_selected"
        case .tooManyFiles: "too_many_files"
        case .notFound: "import_not_found"
        }
    }

    var safeMessage: String {
        switch self {
        case .nothingSelected: "Select at least one file or folder to import."
        case .tooManyFiles: "Select at most 5,000 items at once; select their folder instead."
        case .notFound: "There is no such import."
        }
    }

    var kind: FailureKind {
        switch self {
        case .nothingSelected, .tooManyFiles: .badRequest
        case .notFound: .notFound
        }
    }
}
