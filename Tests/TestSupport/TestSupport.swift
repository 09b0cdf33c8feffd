import Foundation
import Synchronization

/// A test's failure in its own words.
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Polls `probe` until it returns a value and returns it; fails naming `what` once `timeout`
/// has passed. The suite's one way to wait for something another task or process does: the
/// timeout is a ceiling against a hang, never a bet on how long the work takes (on two busy
/// cores a server can take many seconds to start), so waits keep the default unless the
/// thing waited for is itself bounded. In-process servers announce their port instead
/// (``Announcement``).
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

/// A value another task announces once, such as a server's port when it starts listening:
/// waited for, not polled, so a busy machine slows the wait down instead of failing it.
public final class Announcement<Value: Sendable>: Sendable {
    private let stream: AsyncStream<Value>
    private let continuation: AsyncStream<Value>.Continuation

    public init() {
        (stream, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    public func announce(_ value: Value) {
        continuation.yield(value)
    }

    /// The announced value. `ceiling` only guards against an announcement that never comes
    /// (a server that fails to start), so the suite fails instead of hanging.
    public func value(_ what: String, ceiling: Duration = .seconds(120)) async throws -> Value {
        let stream = stream
        return try await withThrowingTaskGroup(of: Value?.self) { group in
            group.addTask {
                for await value in stream { return value }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: ceiling)
                return nil
            }
            defer { group.cancelAll() }
            if let first = try await group.next(), let value = first { return value }
            throw TestFailure("\(what) did not happen within \(ceiling)")
        }
    }
}
