import CirrusCore
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Reads files in a small pool of long-lived child processes (`cirrus extract`), so no file can
/// crash, exhaust or wedge the server: a child that crashes, runs out of memory or overruns its
/// time is killed and replaced, and the file gets a reason a person understands.
///
/// Children start on first use and serve one file at a time each; a process start is paid once
/// per child, not per file.
public final class IsolatedReader: DocumentReader {
    /// How to start a child, e.g. the `cirrus` binary with `["extract", "--memory-mb", "3072"]`.
    public struct Command: Sendable {
        public var executable: URL
        public var arguments: [String]

        public init(executable: URL, arguments: [String]) {
            self.executable = executable
            self.arguments = arguments
        }
    }

    private let command: Command
    private let size: Int
    /// Wall-clock time a file may take, parsing and answering included; CPU time is bounded
    /// by the same number inside the child.
    private let timeout: Duration
    private let state = Mutex(PoolState())

    private struct PoolState {
        var idle: [ReaderChild] = []
        var started = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
        var closed = false
    }

    public init(command: Command, size: Int, timeout: Duration) {
        // A write to a child that just died must be an error, not a signal that ends the server.
        signal(SIGPIPE, SIG_IGN)
        self.command = command
        self.size = max(1, size)
        self.timeout = timeout
    }

    public func read(fileAt path: String, mimeType: String, fileName: String) async throws -> ExtractedDocument {
        let child = try await checkOut()
        let seconds = Int(timeout.components.seconds)
        let request = ReadRequest(path: path, mimeType: mimeType, fileName: fileName)
        let outcome: ReaderChild.Outcome
        do {
            outcome = try await child.run(request, within: timeout + .seconds(2))
        } catch {
            // Cancelled (the server is stopping): the child may be mid-file; it is not reused.
            child.kill()
            checkIn(nil)
            throw error
        }
        switch outcome {
        case .answered(let response):
            checkIn(child)
            if let document = response.document { return document }
            throw response.error ?? ExtractionError.corrupt("the reader gave no answer")
        case .stopped(let reason):
            checkIn(nil)
            throw ExtractionError.readerStopped(reason.description(timeout: seconds))
        }
    }

    /// Stops every idle child (busy ones stop when their file is done or killed).
    public func shutdown() {
        let idle = state.withLock { state in
            state.closed = true
            defer { state.idle = [] }
            return state.idle
        }
        for child in idle { child.close() }
    }

    /// An idle child, a new one while the pool has room, or the next one to come free.
    private func checkOut() async throws -> ReaderChild {
        while true {
            enum Next {
                case use(ReaderChild)
                case start, wait
            }
            let next: Next = state.withLock { state in
                if let child = state.idle.popLast() { return .use(child) }
                if state.started < size {
                    state.started += 1
                    return .start
                }
                return .wait
            }
            switch next {
            case .use(let child):
                return child
            case .start:
                do {
                    return try ReaderChild(command)
                } catch {
                    checkIn(nil)
                    throw ExtractionError.readerStopped("the document reader could not be started")
                }
            case .wait:
                await withCheckedContinuation { continuation in
                    let resumeNow = state.withLock { state in
                        // A child may have come back between the check and here.
                        if !state.idle.isEmpty || state.started < size { return true }
                        state.waiting.append(continuation)
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
        }
    }

    /// Returns a child to the pool, or (nil) gives up its place for a fresh one.
    private func checkIn(_ child: ReaderChild?) {
        let (waiter, surplus): (CheckedContinuation<Void, Never>?, ReaderChild?) = state.withLock { state in
            var surplus: ReaderChild?
            if let child {
                if state.closed {
                    surplus = child
                    state.started -= 1
                } else {
                    state.idle.append(child)
                }
            } else {
                state.started -= 1
            }
            return (state.waiting.isEmpty ? nil : state.waiting.removeFirst(), surplus)
        }
        surplus?.close()
        waiter?.resume()
    }

    deinit {
        for child in state.withLock({ $0.idle }) { child.close() }
    }
}

/// Why a child stopped without answering.
enum StopReason: Equatable {
    case timedOut
    case outOfMemory
    case crashed(signal: Int32)
    case exited(status: Int32)

    func description(timeout seconds: Int) -> String {
        switch self {
        case .timedOut: "the reader stopped after \(seconds) s"
        case .outOfMemory: "the reader ran out of memory"
        case .crashed(let signal): "the reader crashed on it (signal \(signal))"
        case .exited(let status): "the reader stopped unexpectedly (exit status \(status))"
        }
    }
}

/// One `cirrus extract` process and its pipes.
final class ReaderChild: Sendable {
    enum Outcome {
        case answered(ReadResponse)
        case stopped(StopReason)
    }

    private let process: Process
    private let input: FileHandle
    private let output: FileHandle
    /// The end of what the child wrote to standard error, to tell an allocation failure from a crash.
    private let errorTail = ErrorTail()

    init(_ command: IsolatedReader.Command) throws {
        let process = Process()
        process.executableURL = command.executable
        process.arguments = command.arguments
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        self.process = process
        input = stdin.fileHandleForWriting
        output = stdout.fileHandleForReading
        let tail = errorTail
        stderr.fileHandleForReading.readabilityHandler = { handle in
            let bytes = [UInt8](handle.availableData)
            if bytes.isEmpty {
                handle.readabilityHandler = nil
                tail.finish()
                return
            }
            tail.append(bytes)
        }
    }

    /// Sends one request and waits for the answer, at most `limit`.
    func run(_ request: ReadRequest, within limit: Duration) async throws -> Outcome {
        let body = try JSONEncoder().encode(request)
        let input = self.input.fileDescriptor
        let output = self.output.fileDescriptor
        let answer = try await firstResult(within: limit) {
            await withCheckedContinuation { (continuation: CheckedContinuation<[UInt8]?, Never>) in
                // Blocking pipe I/O on a thread of its own, never on the cooperative pool.
                Thread.detachNewThread {
                    guard Frames.write(Array(body), to: input) else { return continuation.resume(returning: nil) }
                    continuation.resume(returning: Frames.read(from: output))
                }
            }
        }
        switch answer {
        case .some(.some(let frame)):
            guard let response = try? JSONDecoder().decode(ReadResponse.self, from: Data(frame)) else {
                kill()
                return .stopped(.exited(status: -1))
            }
            return .answered(response)
        case .some(.none):
            return .stopped(await stopReason())
        case .none:
            kill()
            return .stopped(.timedOut)
        }
    }

    /// Why the child ended, once it has.
    private func stopReason() async -> StopReason {
        let process = self.process
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                process.waitUntilExit()
                continuation.resume()
            }
        }
        // What the child wrote last arrives on another thread: wait (briefly) for the pipe's end.
        for _ in 0..<100 where !errorTail.finished { try? await Task.sleep(for: .milliseconds(10)) }
        let tail = errorTail.text.lowercased()
        let memory =
            tail.contains("could not allocate") || tail.contains("bad_alloc") || tail.contains("out of memory")
            || tail.contains("cannot allocate")
        if process.terminationReason == .uncaughtSignal {
            let signal = process.terminationStatus
            if signal == SIGXCPU { return .timedOut }
            if memory || signal == SIGKILL { return .outOfMemory }
            return .crashed(signal: signal)
        }
        return memory ? .outOfMemory : .exited(status: process.terminationStatus)
    }

    func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        try? input.close()
    }

    /// Ends the child by closing its input (it exits when the input ends).
    func close() {
        try? input.close()
    }
}

/// The last few kilobytes a child wrote to standard error.
private final class ErrorTail: Sendable {
    private let state = Mutex<(bytes: [UInt8], finished: Bool)>(([], false))

    func append(_ more: [UInt8]) {
        state.withLock { state in
            state.bytes.append(contentsOf: more)
            if state.bytes.count > 4096 { state.bytes.removeFirst(state.bytes.count - 4096) }
        }
    }

    /// The child closed its standard error (it has exited).
    func finish() { state.withLock { $0.finished = true } }

    var finished: Bool { state.withLock { $0.finished } }
    var text: String { String(decoding: state.withLock { $0.bytes }, as: UTF8.self) }
}
