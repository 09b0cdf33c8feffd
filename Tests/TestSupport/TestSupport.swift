import Foundation
import Synchronization

/// A test's failure in its own words.
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Polls `probe` until it returns a value and returns it; fails naming `what` once `timeout`
/// has passed. The suite's one way to wait for something another task or process does: the
/// timeout is a ceiling, never a bet on how long the work takes.
@discardableResult
public func eventually<T>(
    _ what: String, timeout: Duration = .seconds(120), every interval: Duration = .milliseconds(100),
    _ probe: () async throws -> T?
) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    var lastError: (any Error)?
    while ContinuousClock.now < deadline {
        do {
            if let value = try await probe() { return value }
        } catch {
            lastError = error
        }
        try await Task.sleep(for: interval)
    }
    throw TestFailure("\(what) did not happen within \(timeout)" + (lastError.map { " (last error: \($0))" } ?? ""))
}

/// `eventually` for a condition: waits until `condition` holds.
public func eventually(
    _ what: String, timeout: Duration = .seconds(120), every interval: Duration = .milliseconds(100),
    until condition: () async throws -> Bool
) async throws {
    try await eventually(what, timeout: timeout, every: interval) { try await condition() ? true : nil }
}

/// A wall clock a test moves by hand, for code that takes `now` as a parameter: expiry and
/// leeways are tested by advancing it, never by sleeping.
public final class ManualClock: Sendable {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = Mutex(start)
    }

    /// The clock's time, as a `now` function.
    public var read: @Sendable () -> Date { { [self] in current.withLock { $0 } } }

    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}

extension Collection {
    /// Whether there are elements and each satisfies `predicate`. Unlike `allSatisfy`, an empty
    /// collection does not pass: a check of every item proves nothing when there are none.
    public func every(_ predicate: (Element) throws -> Bool) rethrows -> Bool {
        try !isEmpty && allSatisfy(predicate)
    }
}
