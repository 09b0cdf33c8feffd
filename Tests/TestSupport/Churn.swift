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
    }

    public struct Node: Sendable {
        public var name: String
        public var parent: String
        /// `nil` for a folder.
        public var text: String?
        public var trashed = false
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
            guard let text = node.text, !node.trashed else { continue }
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
    private var files: [String] { nodes.filter { !$0.value.isFolder }.map(\.key).sorted() }

    /// The next operation: creations (three in ten, two in three of them inside the synced
    /// folder), edits, renames, moves (two in ten, one in three of them out of the synced
    /// folder, the rest into or within it), deletions, trashing, and restoring what is trashed.
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
            return .trash(id: present[random.next(present.count)])
        default:
            if let id = nodes.first(where: { $0.value.trashed })?.key { return .restore(id: id) }
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
        }
    }

    /// The sandbox control API call for an operation: method, path and JSON body (the provider's
    /// `platform` is the caller's to add on creations; content is base64).
    public static func controlRequest(_ operation: Operation) -> (method: String, path: String, body: [String: any Sendable]) {
        switch operation {
        case .createFile(let name, let parent, let text):
            ("POST", "/_sandbox/files", ["name": name, "parentId": parent, "mimeType": "text/plain", "content": Data(text.utf8).base64EncodedString()])
        case .createFolder(let name, let parent): ("POST", "/_sandbox/files", ["name": name, "parentId": parent])
        case .edit(let id, let text): ("PATCH", "/_sandbox/files/\(id)", ["content": Data(text.utf8).base64EncodedString()])
        case .rename(let id, let name): ("PATCH", "/_sandbox/files/\(id)", ["name": name])
        case .move(let id, let parent): ("PATCH", "/_sandbox/files/\(id)", ["parentId": parent])
        case .delete(let id): ("DELETE", "/_sandbox/files/\(id)", [:])
        case .trash(let id): ("PATCH", "/_sandbox/files/\(id)", ["trashed": true])
        case .restore(let id): ("PATCH", "/_sandbox/files/\(id)", ["trashed": false])
        }
    }
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
