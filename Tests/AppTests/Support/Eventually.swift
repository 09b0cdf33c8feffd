import Foundation

/// Polls `probe` until it returns a value and returns it; fails naming `what` once `timeout`
/// has passed. The suite's one way to wait for something another task or process does: the
/// timeout is a ceiling, never a bet on how long the work takes.
func eventually<T>(
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
