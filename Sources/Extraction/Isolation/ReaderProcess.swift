import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The child side of ``IsolatedReader``: `cirrus extract` serves read requests from its
/// standard input and answers on its standard output until the input ends.
///
/// The kernel bounds each file: the address space is capped once at start (`RLIMIT_AS`), and
/// before each file the CPU-time limit (`RLIMIT_CPU`) is moved to what was used so far plus the
/// file's allowance, so a parser stuck in one C call is stopped by SIGXCPU. A crash or a stop
/// ends only this process; the server sees the pipe close and says why on the file's row.
public enum ReaderProcess {
    /// Serves requests until standard input closes; returns the exit status.
    public static func serve(memoryLimitMB: Int, extractors: Extractors = Extractors()) -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        if memoryLimitMB > 0 {
            let bytes = rlim_t(memoryLimitMB) << 20
            var limit = rlimit(rlim_cur: bytes, rlim_max: bytes)
            setrlimit(Int32(RLIMIT_AS.rawValue), &limit)
        }
        var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
        setrlimit(Int32(RLIMIT_CORE.rawValue), &noCore)
        let decoder = JSONDecoder()
        let encoder = JSONEncoder()
        while let frame = Frames.read(from: STDIN_FILENO) {
            let response: ReadResponse
            do {
                let request = try decoder.decode(ReadRequest.self, from: Data(frame))
                // The file's CPU allowance is the extractors' own time limit.
                allowCPU(seconds: Int(extractors.limits.timeout.components.seconds))
                response = read(request, extractors: extractors)
            } catch {
                response = ReadResponse(error: .corrupt("the request could not be understood"))
            }
            guard let bytes = try? encoder.encode(response), Frames.write(Array(bytes), to: STDOUT_FILENO) else { return 1 }
        }
        return 0
    }

    private static func read(_ request: ReadRequest, extractors: Extractors) -> ReadResponse {
        let data: [UInt8]
        do {
            data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: request.path), options: .alwaysMapped))
        } catch {
            return ReadResponse(error: .corrupt("the downloaded file could not be opened"))
        }
        do {
            return ReadResponse(document: try extractors.extract(data, mimeType: request.mimeType, fileName: request.fileName))
        } catch {
            return ReadResponse(error: error)
        }
    }

    /// Moves the soft CPU limit to the time used so far plus `seconds` (the hard limit stays
    /// unlimited, so the next file can move it again).
    private static func allowCPU(seconds: Int) {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let used = Int(usage.ru_utime.tv_sec) + Int(usage.ru_stime.tv_sec) + 1
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_CPU.rawValue), &limit)
        limit.rlim_cur = rlim_t(used + max(1, seconds))
        setrlimit(Int32(RLIMIT_CPU.rawValue), &limit)
    }
}
