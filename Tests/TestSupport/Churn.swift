import Foundation

/// Random churn at one provider, as a model: which operation comes next, and what a fresh import
/// of the synced folder would hold once they are all made. The caller makes each operation at
/// the provider (the sandbox's control API) and records it, so tests and benchmarks share one
/// generator and one oracle.
public struct ChurnWorld: Sendable {
    /// One thing done at the provider. Ids are the provider's (the sandbox's).
    public enum Operation: Sendable {
        case createFile(name: String, parent: String, text: String)
        case createFolder(name: String, parent: String)
        case edit(id: String, text: String)
        case rename(id: String, name: String)
        case move(id: String, parent: String)
        case delete(id: String)
        case trash(id: String)
        case restore(id: String)
        /// The file's owner stops sharing it with the connected account.
        case unshare(id: String)
        /// The owner shares it again.
        case share(id: String)
    }

    public struct Node: Sendable {
        public var name: String
        public var parent: String
        /// `nil` for a folder.
        public var text: String?
        public var trashed = false
        /// Out of the connected account's view: the provider answers as if it were gone, and
        /// nothing can be done to it until it is shared again.
        public var unshared = false
        public var isFolder: Bool { text == nil }
    }

    public let label: String
    /// The synced folder, and one beside it that is out of scope.
    public let root: String
    public let outside: String
    public private(set) var nodes: [String: Node] = [:]
    public private(set) var operations = 0
    private var counter = 0

    public init(label: String, root: String, outside: String) {
        self.label = label
        self.root = root
        self.outside = outside
    }

    /// The files a fresh import of the synced folder would hold, by name, with their text:
    /// under it, nothing trashed on the way up.
    public var expected: [String: String] {
        var files: [String: String] = [:]
        for node in nodes.values {
            guard let text = node.text, !node.trashed, !node.unshared else { continue }
            var parent = node.parent
            for _ in 0..<64 {
                if parent == root {
                    files[node.name] = text
                    break
                }
                guard let folder = nodes[parent], !folder.trashed else { break }
                parent = folder.parent
            }
        }
        return files
    }

    private var folders: [String] { [root, outside] + nodes.filter { $0.value.isFolder && !$0.value.trashed }.map(\.key).sorted() }
    /// The files the connected account can see (only the churn's files are ever unshared).
    private var files: [String] { nodes.filter { !$0.value.isFolder && !$0.value.unshared }.map(\.key).sorted() }

    /// The next operation: creations (three in ten, two in three of them inside the synced
    /// folder), edits, renames, moves (two in ten, one in three of them out of the synced
    /// folder, the rest into or within it), deletions, trashing or unsharing, and restoring what
    /// is trashed or sharing again what is unshared.
    public mutating func next(_ random: inout ChurnRandom) -> Operation {
        operations += 1
        counter += 1
        let files = self.files
        let folders = self.folders
        let text = "Churn note \(counter) for \(label): the marker is zq\(counter)x\(random.next(9000) + 1000)."
        switch files.isEmpty ? 0 : random.next(10) {
        case 0, 1, 2:
            // Two in three land in the synced folder's tree, so it grows while the rest churns it.
            let inside = folders.filter { $0 != outside }
            let parent = random.next(3) == 0 ? outside : inside[random.next(inside.count)]
            return .createFile(name: "file-\(counter).txt", parent: parent, text: text)
        case 3: return .edit(id: files[random.next(files.count)], text: text)
        case 4: return .rename(id: files[random.next(files.count)], name: "renamed-\(counter).txt")
        case 5, 6:
            // Out of the synced folder one time in three, else to a folder inside it.
            let inside = folders.filter { $0 != outside }
            return .move(id: files[random.next(files.count)], parent: random.next(3) == 0 ? outside : inside[random.next(inside.count)])
        case 7: return .delete(id: files[random.next(files.count)])
        case 8:
            let present = files.filter { nodes[$0]?.trashed == false }
            if present.isEmpty { return .edit(id: files[random.next(files.count)], text: text) }
            let id = present[random.next(present.count)]
            return random.next(2) == 0 ? .trash(id: id) : .unshare(id: id)
        default:
            let trashed = nodes.filter { $0.value.trashed && !$0.value.unshared }.keys.sorted()
            let unshared = nodes.filter { $0.value.unshared }.keys.sorted()
            if !unshared.isEmpty, trashed.isEmpty || random.next(2) == 0 { return .share(id: unshared[random.next(unshared.count)]) }
            if let id = trashed.first { return .restore(id: id) }
            return .createFolder(name: "folder-\(counter)", parent: folders[random.next(min(folders.count, 2))])
        }
    }

    /// Records an operation the provider carried out; `created` is the new item's id.
    public mutating func record(_ operation: Operation, created: String? = nil) {
        switch operation {
        case .createFile(let name, let parent, let text): if let created { nodes[created] = Node(name: name, parent: parent, text: text) }
        case .createFolder(let name, let parent): if let created { nodes[created] = Node(name: name, parent: parent, text: nil) }
        case .edit(let id, let text): nodes[id]?.text = text
        case .rename(let id, let name): nodes[id]?.name = name
        case .move(let id, let parent): nodes[id]?.parent = parent
        case .delete(let id): nodes[id] = nil
        case .trash(let id): nodes[id]?.trashed = true
        case .restore(let id): nodes[id]?.trashed = false
        case .unshare(let id): nodes[id]?.unshared = true
        case .share(let id): nodes[id]?.unshared = false
        }
    }

    /// Makes the next operation at the provider through the sandbox's control API (`send`:
    /// method, path, JSON body → JSON answer) and records it.
    public mutating func step(
        _ random: inout ChurnRandom, platform: String,
        send: (_ method: String, _ path: String, _ body: [String: any Sendable]) async throws -> [String: Any]
    ) async throws {
        let operation = next(&random)
        switch operation {
        case .createFile(let name, let parent, let text):
            record(
                operation, created: try await send("POST", "/_sandbox/files", Self.newItem(platform, name: name, parent: parent, text: text))["id"] as? String)
        case .createFolder(let name, let parent):
            record(
                operation, created: try await send("POST", "/_sandbox/files", Self.newItem(platform, name: name, parent: parent, text: nil))["id"] as? String)
        case .edit(let id, let text): try await change(id, ["content": Data(text.utf8).base64EncodedString()], operation, send)
        case .rename(let id, let name): try await change(id, ["name": name], operation, send)
        case .move(let id, let parent): try await change(id, ["parentId": parent], operation, send)
        case .trash(let id): try await change(id, ["trashed": true], operation, send)
        case .restore(let id): try await change(id, ["trashed": false], operation, send)
        case .unshare(let id): try await change(id, ["shared": false], operation, send)
        case .share(let id): try await change(id, ["shared": true], operation, send)
        case .delete(let id):
            _ = try await send("DELETE", "/_sandbox/files/\(id)", [:])
            record(operation)
        }
    }

    private mutating func change(
        _ id: String, _ body: [String: any Sendable], _ operation: Operation,
        _ send: (String, String, [String: any Sendable]) async throws -> [String: Any]
    ) async throws {
        let reply = try await send("PATCH", "/_sandbox/files/\(id)", body)
        guard reply["id"] as? String == id else { throw ChurnError(description: "the sandbox did not make \(operation): \(reply)") }
        record(operation)
    }

    /// The control API body that creates a text file, or (`text` nil) a folder — a page holding
    /// the synced notes on Confluence, where pages are the folders.
    public static func newItem(_ platform: String, name: String, parent: String?, text: String?) -> [String: any Sendable] {
        var body: [String: any Sendable] = ["platform": platform, "name": name]
        if let parent { body["parentId"] = parent }
        if let text {
            body["mimeType"] = "text/plain"
            body["content"] = Data(text.utf8).base64EncodedString()
        } else if platform == "confluence" {
            body["mimeType"] = "text/html"
            body["content"] = Data("<p>\(name) collects the synced notes.</p>".utf8).base64EncodedString()
        } else {
            body["mimeType"] = platform == "google_drive" ? "application/vnd.google-apps.folder" : "folder"
        }
        return body
    }
}

/// The sandbox did not carry out an operation of the churn.
public struct ChurnError: Error, CustomStringConvertible {
    public let description: String
}

/// A small deterministic generator (a 64-bit LCG), so a failing run can be repeated from its seed.
public struct ChurnRandom: Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// A number in `0..<bound`.
    public mutating func next(_ bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(max(1, bound)))
    }
}
