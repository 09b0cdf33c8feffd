import Dispatch
import Synchronization

/// Runs `work` and returns its result, or `nil` once `limit` has passed, whichever comes first.
///
/// Unlike a task group, this does not wait for `work` to finish after the deadline: work that
/// cannot be interrupted (a pool that hands out connections through futures, a C call) goes on
/// in an unstructured task, is cancelled, and its late result is dropped.
public func firstResult<T: Sendable>(
    within limit: Duration, _ work: @escaping @Sendable () async throws -> T
) async throws -> T? {
    try await firstFinished(
        { try await work() },
        {
            try await Task.sleep(for: limit)
            return nil
        })
}

/// Runs both racers in unstructured tasks and returns the result (or error) of the first to
/// finish; the other is cancelled and not waited for. Task-local values (such as a service's
/// graceful-shutdown signal) are inherited by both.
public func firstFinished<T: Sendable>(
    _ first: @escaping @Sendable () async throws -> T, _ second: @escaping @Sendable () async throws -> T
) async throws -> T {
    let race = Race<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            race.install(continuation)
            for racer in [first, second] {
                race.start(
                    Task {
                        do { race.finish(.success(try await racer())) } catch { race.finish(.failure(error)) }
                    })
            }
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// A continuation resumed once, by whichever of several racers comes first; every racer is
/// cancelled once one has won.
private final class Race<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var result: Result<T, any Error>?
        var racers: [Task<Void, Never>] = []
    }
    private let state = Mutex(State())

    func install(_ continuation: CheckedContinuation<T, any Error>) {
        let early: Result<T, any Error>? = state.withLock { state in
            if let result = state.result { return result }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func start(_ racer: Task<Void, Never>) {
        let finished = state.withLock { state in
            state.racers.append(racer)
            return state.result != nil
        }
        if finished { racer.cancel() }
    }

    func finish(_ result: Result<T, any Error>) {
        let (continuation, racers): (CheckedContinuation<T, any Error>?, [Task<Void, Never>]) = state.withLock { state in
            guard state.result == nil else { return (nil, []) }
            state.result = result
            defer { state.continuation = nil }
            return (state.continuation, state.racers)
        }
        continuation?.resume(with: result)
        for racer in racers { racer.cancel() }
    }
}

/// Runs CPU-bound synchronous work on a Dispatch worker thread and waits for it, so Swift's
/// cooperative pool (as many threads as cores, shared by every request) keeps serving while a
/// large document is tokenised or an index is built.
public func onWorkerThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}
