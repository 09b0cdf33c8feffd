import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The data directory and what Cirrus writes in it are the owner's alone: the directory is
/// 0700 and the process's umask is 077, so the SQLite database, its WAL, the key file and
/// downloaded files are created 0600 (never created wider and narrowed afterwards).
enum DataDirectory {
    /// Sets the umask for everything the process creates from now on.
    static func restrictNewFiles() {
        umask(0o077)
    }

    static func create(_ directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }
}
