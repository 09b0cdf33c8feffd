import CirrusCore
import Foundation

/// A failure the control API asked the sandbox to inject into provider responses.
public struct FaultRule: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Answer with this status in the provider's own error shape.
        case status(Int)
        /// Drop the connection without a complete response.
        case reset
        /// Answer normally, after a delay.
        case slow(milliseconds: Int)
        /// Answer `302 Found` to this location, as a compromised or confused provider might.
        case redirect(location: String)
    }

    public var platform: Platform?
    /// Applies to provider paths containing this text (e.g. `/drive/v3/files`); all paths when nil.
    public var path: String?
    /// Applies only to requests whose query string contains this text (e.g. `alt=media`, `q=`).
    public var query: String?
    public var kind: Kind
    /// Fraction of matching requests affected, 0...1.
    public var rate: Double
    /// `Retry-After` seconds sent with 429/503 answers.
    public var retryAfter: Int?

    public init(platform: Platform?, path: String?, query: String? = nil, kind: Kind, rate: Double, retryAfter: Int?) {
        self.platform = platform
        self.path = path
        self.query = query
        self.kind = kind
        self.rate = rate
        self.retryAfter = retryAfter
    }

    func matches(platform: Platform, path: String, query: String) -> Bool {
        (self.platform == nil || self.platform == platform) && (self.path.map { path.contains($0) } ?? true)
            && (self.query.map { query.contains($0) } ?? true)
    }
}

/// Injected faults and request statistics.
public actor SandboxMonitor {
    private var rules: [FaultRule] = []
    private var counts: [Platform: [String: Int]] = [:]
    private var totals: [Platform: Int] = [:]

    public init() {}

    public func add(_ rule: FaultRule) { rules.append(rule) }
    public func clearFaults() { rules = [] }

    /// The fault to apply to this request, if any matching rule fires.
    public func fault(platform: Platform, path: String, query: String = "") -> FaultRule? {
        // OAuth endpoints stay reliable unless a rule names them, so tests of data paths are not
        // derailed by failed sign-ins.
        for rule in rules where rule.matches(platform: platform, path: path, query: query) {
            if rule.path == nil, path.contains("/token") || path.contains("/authorize") || path.contains("/oauth2/v2/auth") { continue }
            if Double.random(in: 0..<1) < rule.rate { return rule }
        }
        return nil
    }

    public func record(platform: Platform, operation: String) {
        counts[platform, default: [:]][operation, default: 0] += 1
        totals[platform, default: 0] += 1
    }

    public func count(platform: Platform, operation: String) -> Int {
        counts[platform]?[operation] ?? 0
    }

    /// Requests per platform, in total and per operation (e.g. `token.refresh_token`).
    public struct PlatformStats: Sendable {
        public var requests: Int
        public var routes: [String: Int]
    }

    public func snapshot() -> [Platform: PlatformStats] {
        var result: [Platform: PlatformStats] = [:]
        for platform in Platform.allCases {
            result[platform] = PlatformStats(requests: totals[platform] ?? 0, routes: counts[platform] ?? [:])
        }
        return result
    }

    public func resetStats() {
        counts = [:]
        totals = [:]
    }
}
