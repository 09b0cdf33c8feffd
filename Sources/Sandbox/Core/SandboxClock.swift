import Foundation
import Synchronization

/// The emulated providers' one clock: token and code lifetimes, channel and subscription ends,
/// modification times and feed delays all read it. The control API moves it forward
/// (`POST /_sandbox/clock`) to age the provider's world without waiting — Cirrus keeps its own
/// time, as it would against a real provider.
public final class SandboxClock: Sendable {
    private let base: @Sendable () -> Date
    private let offset = Mutex<TimeInterval>(0)

    /// - Parameter base: the time before any advance (the wall clock, or a test's own).
    public init(base: @escaping @Sendable () -> Date = { Date() }) {
        self.base = base
    }

    /// The provider's time now.
    public func now() -> Date { base().addingTimeInterval(offsetSeconds) }

    /// How far ahead of the base time the provider's clock runs.
    public var offsetSeconds: TimeInterval { offset.withLock { $0 } }

    /// Moves the clock forward (never back: tokens and feeds assume time only grows).
    public func advance(by seconds: TimeInterval) {
        precondition(seconds >= 0, "the sandbox clock only moves forward")
        offset.withLock { $0 += seconds }
    }

    /// Back to the base time (a sandbox reset).
    func reset() { offset.withLock { $0 = 0 } }
}
