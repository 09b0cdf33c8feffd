import CirrusCore
import Foundation

/// A change to an item, in the order it happened, for the providers' change feeds.
public struct SandboxChange: Sendable {
    public enum Kind: Sendable { case upsert, delete }
    public var sequence: Int
    public var itemID: String
    public var kind: Kind
    public var time: Date
    /// The item as it was when deleted (feeds report deletions of things they no longer hold).
    public var snapshot: SandboxItem?
    /// Names from the root down to the item, when it was deleted.
    public var path: [String]?
    /// Names from the root down to the item before a rename or move (Dropbox reports a delete there).
    public var previousPath: [String]?
    /// A deletion that is only the connected account losing access (its owner stopped sharing
    /// it): feeds that tell the two apart report it only when asked to.
    public var accessLost = false
}

/// Every emulated provider's files, folders and pages, with a change log per platform.
public actor SandboxStore {
    private var items: [Platform: [String: SandboxItem]] = [:]
    private var children: [Platform: [String: [String]]] = [:]
    private var changes: [Platform: [SandboxChange]] = [:]
    private var sequence = 0
    private var idCounter = 0
    private var pendingFeedResets: Set<Platform> = []
    private var feedDelay: TimeInterval = 0
    /// Items taken out of the connected account's view by ``unshare(_:platform:)``, by the id
    /// that was unshared: that item and everything under it, parents first.
    private var withheld: [Platform: [String: [SandboxItem]]] = [:]
    /// The providers' time, which the emulators read too.
    public nonisolated let clock: SandboxClock
    /// Told of every logged change, after it is logged (outbound notifications start here):
    /// the platform, and the container (drive, space) it is in.
    private let onChange: @Sendable (Platform, String?) -> Void

    public init(clock: SandboxClock = SandboxClock(), onChange: @escaping @Sendable (Platform, String?) -> Void = { _, _ in }) {
        self.clock = clock
        self.onChange = onChange
    }

    // MARK: Reading

    public func item(_ id: String, platform: Platform) -> SandboxItem? {
        items[platform]?[id]
    }

    /// Children in insertion order (folders keep the order the corpus created them in).
    public func children(of id: String, platform: Platform) -> [SandboxItem] {
        (children[platform]?[id] ?? []).compactMap { items[platform]?[$0] }
    }

    public func all(_ platform: Platform) -> [SandboxItem] {
        Array((items[platform] ?? [:]).values)
    }

    /// Ancestors from the root down to the item's parent.
    public func ancestors(of id: String, platform: Platform) -> [SandboxItem] {
        var chain: [SandboxItem] = []
        var current = items[platform]?[id]?.parentID
        while let parent = current, let item = items[platform]?[parent], chain.count < 64 {
            chain.insert(item, at: 0)
            current = item.parentID
        }
        return chain
    }

    /// Whether the item or any ancestor is trashed.
    public func isEffectivelyTrashed(_ id: String, platform: Platform) -> Bool {
        guard let item = items[platform]?[id] else { return false }
        return item.trashed || ancestors(of: id, platform: platform).contains { $0.trashed }
    }

    /// The last change the feeds show: with a propagation delay, the changes younger than it are
    /// not in them yet (listings show them at once), as Drive's change log can trail its
    /// notifications.
    public var currentSequence: Int {
        guard feedDelay > 0 else { return sequence }
        let cutoff = clock.now().addingTimeInterval(-feedDelay)
        let firstHidden = changes.values.compactMap { log in log.first { $0.time > cutoff }?.sequence }.min()
        return firstHidden.map { $0 - 1 } ?? sequence
    }

    /// Changes after `sequence` (exclusive) that the feeds show, oldest first.
    public func changes(after sequence: Int, platform: Platform) -> [SandboxChange] {
        let visible = currentSequence
        return (changes[platform] ?? []).filter { $0.sequence > sequence && $0.sequence <= visible }
    }

    /// How long a change takes to reach the change feeds (0: at once).
    public func setFeedDelay(_ seconds: TimeInterval) {
        feedDelay = max(0, seconds)
    }

    // MARK: Writing

    /// A new unique id with a provider-like prefix.
    public func makeID(prefix: String, length: Int = 28) -> String {
        idCounter += 1
        var generator = SeededGenerator(seed: UInt64(idCounter) &* 0x9E37_79B9_7F4A_7C15)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        let body = String((0..<max(0, length - prefix.count)).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
        return prefix + body
    }

    /// Adds an item (or, with `replacing`, overwrites one in place); logged as a change unless `seeding`.
    public func insert(_ item: SandboxItem, seeding: Bool = false, replacing: Bool = false) {
        let existed = items[item.platform]?[item.id] != nil
        items[item.platform, default: [:]][item.id] = item
        if let parent = item.parentID, !(replacing && existed) { children[item.platform, default: [:]][parent, default: []].append(item.id) }
        if !seeding { log(item, kind: .upsert) }
    }

    /// Applies `edit` to an item, bumping its version and modification time, and logs the change.
    @discardableResult
    public func update(_ id: String, platform: Platform, _ edit: (inout SandboxItem) -> Void) -> SandboxItem? {
        guard var item = items[platform]?[id] else { return nil }
        let oldParent = item.parentID
        let oldName = item.name
        let oldPath = namePath(of: id, platform: platform)
        edit(&item)
        item.version += 1
        item.modifiedAt = max(clock.now(), item.modifiedAt.addingTimeInterval(0.001))
        items[platform]?[id] = item
        if oldParent != item.parentID {
            if let oldParent { children[platform]?[oldParent]?.removeAll { $0 == id } }
            if let newParent = item.parentID { children[platform, default: [:]][newParent, default: []].append(id) }
        }
        log(item, kind: .upsert, previousPath: oldParent != item.parentID || oldName != item.name ? oldPath : nil)
        return item
    }

    /// Names from the root (exclusive) down to the item.
    public func namePath(of id: String, platform: Platform) -> [String] {
        guard let item = items[platform]?[id] else { return [] }
        return ancestors(of: id, platform: platform).dropFirst().map(\.name) + [item.name]
    }

    /// Deletes an item and everything under it, logging each deletion.
    @discardableResult
    public func delete(_ id: String, platform: Platform) -> Int {
        remove(id, platform: platform, accessLost: false)
    }

    /// Takes an item and everything under it out of the connected account's view, as when its
    /// owner stops sharing it: reads answer 404 and the feeds report it as providers report lost
    /// access (Drive `removed`, a Dropbox tombstone, a Graph `deleted` facet only under `Prefer:
    /// deltashowremovedasdeleted`). ``share(_:platform:)`` gives it back unchanged.
    @discardableResult
    public func unshare(_ id: String, platform: Platform) -> Int {
        guard items[platform]?[id] != nil else { return 0 }
        var subtree: [SandboxItem] = []
        var queue = [id]
        while !queue.isEmpty {
            let next = queue.removeFirst()
            guard let item = items[platform]?[next] else { continue }
            subtree.append(item)
            queue += children[platform]?[next] ?? []
        }
        withheld[platform, default: [:]][id] = subtree
        return remove(id, platform: platform, accessLost: true)
    }

    /// Shares an unshared item again, where it was (its folder must still be there); `nil` when
    /// `id` is not an unshared item or its folder is gone.
    public func share(_ id: String, platform: Platform) -> Int? {
        guard let subtree = withheld[platform]?[id], let top = subtree.first,
            top.parentID.map({ items[platform]?[$0] != nil }) ?? true
        else { return nil }
        withheld[platform]?[id] = nil
        for item in subtree { insert(item) }
        return subtree.count
    }

    /// The platform of an unshared item, found by the id that was unshared.
    public func unsharedPlatform(of id: String) -> Platform? {
        withheld.first { $0.value[id] != nil }?.key
    }

    private func remove(_ id: String, platform: Platform, accessLost: Bool) -> Int {
        guard let item = items[platform]?[id] else { return 0 }
        var removed = 0
        let path = namePath(of: id, platform: platform)
        for child in children[platform]?[id] ?? [] { removed += remove(child, platform: platform, accessLost: accessLost) }
        items[platform]?[id] = nil
        children[platform]?[id] = nil
        if let parent = item.parentID { children[platform]?[parent]?.removeAll { $0 == id } }
        log(item, kind: .delete, path: path, accessLost: accessLost)
        return removed + 1
    }

    /// Makes the platform's next change-feed read refuse its bookmark, as providers do after long
    /// disconnections or server-side changes (Graph `410 Gone`, Dropbox `reset`, Drive `400`).
    public func resetFeeds(_ platform: Platform) {
        pendingFeedResets.insert(platform)
    }

    /// Whether this feed read is the one to refuse; the reset is used up by it.
    public func takeFeedReset(_ platform: Platform) -> Bool {
        pendingFeedResets.remove(platform) != nil
    }

    public func removeAll() {
        pendingFeedResets = []
        withheld = [:]
        feedDelay = 0
        items = [:]
        children = [:]
        changes = [:]
        sequence = 0
        idCounter = 0
    }

    private func log(
        _ item: SandboxItem, kind: SandboxChange.Kind, path: [String]? = nil, previousPath: [String]? = nil, accessLost: Bool = false
    ) {
        sequence += 1
        changes[item.platform, default: []].append(
            SandboxChange(
                sequence: sequence, itemID: item.id, kind: kind, time: clock.now(), snapshot: kind == .delete ? item : nil,
                path: path, previousPath: previousPath, accessLost: accessLost))
        onChange(item.platform, item.containerID)
    }
}

/// SplitMix64: deterministic ids and corpus content from a seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
