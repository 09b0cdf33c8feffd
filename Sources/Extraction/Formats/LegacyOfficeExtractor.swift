import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Legacy Office files (`.doc`, `.xls`, `.ppt`) and RTF, converted by LibreOffice headless to the
/// OOXML the other extractors read: one `soffice --convert-to` per file, in a process group of
/// its own with a private profile and working folder (removed after), its output streams closed,
/// killed with its group when it outlives the file's time. Without LibreOffice such files are
/// skipped with the reason ("install LibreOffice to import .doc files").
public struct LegacyOfficeExtractor: TextExtractor {
    /// The legacy type → what LibreOffice converts it to and the extension users know it by.
    static let conversions: [String: (target: String, fileExtension: String)] = [
        "application/msword": ("docx", "doc"), "application/vnd.ms-word": ("docx", "doc"),
        "application/vnd.ms-excel": ("xlsx", "xls"), "application/vnd.ms-powerpoint": ("pptx", "ppt"),
        "application/mspowerpoint": ("pptx", "ppt"), "application/rtf": ("docx", "rtf"), "text/rtf": ("docx", "rtf"),
    ]
    public let mimeTypes: Set<String> = Set(conversions.keys)
    /// `soffice`, where it is installed (`CIRRUS_SOFFICE` overrides the search).
    let soffice: String?

    public init(soffice: String? = LegacyOfficeExtractor.installedSoffice()) {
        self.soffice = soffice
    }

    /// The first `soffice` found: `CIRRUS_SOFFICE`, then the usual places.
    public static func installedSoffice() -> String? {
        var candidates = ["/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice", "/usr/local/bin/soffice", "/opt/libreoffice/program/soffice"]
        if let configured = ProcessInfo.processInfo.environment["CIRRUS_SOFFICE"], !configured.isEmpty { candidates.insert(configured, at: 0) }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Why the file cannot be read here, before it is downloaded: LibreOffice is missing.
    func refusal(for type: String) -> ExtractionError? {
        guard soffice == nil, let conversion = Self.conversions[type] else { return nil }
        return .unsupported("install LibreOffice to import .\(conversion.fileExtension) files")
    }

    public func extract(_ data: [UInt8], fileName: String, limits: ExtractionLimits) throws(ExtractionError) -> ExtractedDocument {
        try extract(data, type: Self.type(of: data, fileName: fileName), fileName: fileName, limits: limits)
    }

    func extract(_ data: [UInt8], type: String, fileName: String, limits: ExtractionLimits) throws(ExtractionError) -> ExtractedDocument {
        guard let soffice, let conversion = Self.conversions[type] else {
            throw .unsupported("install LibreOffice to import .\(Self.conversions[type]?.fileExtension ?? "doc") files")
        }
        let converted = try Self.convert(data, to: conversion.target, from: conversion.fileExtension, soffice: soffice, limits: limits)
        let reader: any TextExtractor =
            switch conversion.target {
            case "xlsx": XlsxExtractor()
            case "pptx": PptxExtractor()
            default: DocxExtractor()
            }
        var document = try reader.extract(converted, fileName: fileName, limits: limits)
        if document.title == "input.\(conversion.target)" || document.title == nil { document.title = fileName }
        return document
    }

    /// The legacy type for a file given only its bytes and name (the protocol's entry point).
    static func type(of data: [UInt8], fileName: String) -> String {
        if data.starts(with: Array("{\\rtf".utf8)) { return "application/rtf" }
        switch fileName.split(separator: ".").last?.lowercased() {
        case "xls": return "application/vnd.ms-excel"
        case "ppt": return "application/vnd.ms-powerpoint"
        case "rtf": return "application/rtf"
        default: return "application/msword"
        }
    }

    /// `data`, a `.fileExtension` file, converted by LibreOffice to `target` (an extension it
    /// writes: `docx`, `pdf`, `odt`…), as imports convert legacy files: a private profile, home
    /// and folder, within `limits.timeout`. A LibreOffice that dies of a signal is started once
    /// more on a new profile: its first start on a fresh profile now and then aborts when the
    /// machine is busy ("Unspecified Application Error"), and a second start does not.
    public static func convert(
        _ data: [UInt8], to target: String, from fileExtension: String, soffice: String, limits: ExtractionLimits = ExtractionLimits()
    ) throws(ExtractionError) -> [UInt8] {
        let deadline = ContinuousClock.now + limits.timeout
        if let bytes = try convertOnce(data, to: target, from: fileExtension, soffice: soffice, within: limits.timeout) { return bytes }
        let left = deadline - ContinuousClock.now
        guard left > .seconds(1), let bytes = try convertOnce(data, to: target, from: fileExtension, soffice: soffice, within: left) else {
            throw .corrupt("LibreOffice stopped with an error while converting it")
        }
        return bytes
    }

    /// One conversion in a folder of its own: the converted bytes, or nil when LibreOffice died of a signal.
    private static func convertOnce(
        _ data: [UInt8], to target: String, from fileExtension: String, soffice: String, within timeout: Duration
    ) throws(ExtractionError) -> [UInt8]? {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cirrus-office-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("input.\(fileExtension)")
        do {
            try FileManager.default.createDirectory(
                at: folder.appendingPathComponent("out"), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            guard FileManager.default.createFile(atPath: input.path, contents: Data(data), attributes: [.posixPermissions: 0o600]) else {
                throw ExtractionError.corrupt("the file could not be staged for conversion")
            }
        } catch {
            throw .corrupt("the file could not be staged for conversion")
        }
        let arguments = [
            soffice, "-env:UserInstallation=file://\(folder.path)/profile", "--headless", "--invisible", "--nologo", "--norestore",
            "--nolockcheck", "--nodefault", "--convert-to", target, "--outdir", folder.appendingPathComponent("out").path, input.path,
        ]
        let environment = ["HOME=\(folder.path)", "PATH=/usr/bin:/bin", "LANG=C.UTF-8", "SAL_USE_VCLPLUGIN=svp"]
        // Leave a little of the file's time for reading the converted result.
        let allowed = timeout - min(timeout / 10, .seconds(5))
        guard try run(arguments, environment: environment, within: allowed) else { return nil }
        let output = folder.appendingPathComponent("out").appendingPathComponent("input.\(target)")
        guard let bytes = FileManager.default.contents(atPath: output.path), !bytes.isEmpty else {
            throw .corrupt("LibreOffice could not convert it (damaged, or protected by a password?)")
        }
        return Array(bytes)
    }

    /// Spawns `arguments` in a new process group with its standard streams on /dev/null (the
    /// reader's own streams carry its protocol), and waits; past `duration` the group is killed.
    /// Returns false when the process died of a signal.
    static func run(_ arguments: [String], environment: [String], within duration: Duration) throws(ExtractionError) -> Bool {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Every signal at its default and none blocked: the server ignores some (SIGPIPE, for
        // one) and an ignored disposition would outlive exec into LibreOffice.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var signals = sigset_t()
        sigfillset(&signals)
        posix_spawnattr_setsigdefault(&attributes, &signals)
        sigemptyset(&signals)
        posix_spawnattr_setsigmask(&attributes, &signals)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor: Int32 in [0, 1, 2] {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp) == 0 else {
            throw .unsupported("LibreOffice could not be started")
        }
        let deadline = ContinuousClock.now + duration
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result < 0, errno != EINTR { break }
            if ContinuousClock.now > deadline {
                kill(-pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw .timedOut
            }
            usleep(20_000)
        }
        // LibreOffice may leave helpers in its group; none outlives the conversion.
        kill(-pid, SIGKILL)
        // Not exited normally (WIFEXITED is a macro Swift does not import): killed by a signal.
        return status & 0x7f == 0
    }
}
