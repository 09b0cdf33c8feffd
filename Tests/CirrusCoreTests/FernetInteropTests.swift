import Foundation
import Testing

@testable import CirrusCore

/// Tokens and keys cross between Cirrus and Python's `cryptography.fernet` both ways.
///
/// Needs `python3` with the `cryptography` package (`make test` installs it). It skips only
/// where Python is absent outside CI; in CI a missing Python fails the test.
@Suite("Fernet: interoperability with Python's cryptography")
struct FernetInteropTests {
    static let python: String? = {
        for candidate in ["/usr/bin/python3", "/usr/local/bin/python3"]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "")
            .split(separator: ":").map({ "\($0)/python3" })
        where FileManager.default.isExecutableFile(atPath: candidate) {
            if (try? run(candidate, ["-c", "import cryptography.fernet"])) != nil { return candidate }
        }
        return nil
    }()

    static var available: Bool {
        if python != nil { return true }
        return ProcessInfo.processInfo.environment["CI"] == "true"  // in CI, run and fail loudly
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], stdin: String = "") throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw InteropError.pythonFailed(process.terminationStatus) }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    enum InteropError: Error {
        case pythonFailed(Int32)
        case pythonMissing
    }

    static func python(_ script: String, stdin: String = "") throws -> String {
        guard let python else { throw InteropError.pythonMissing }
        return try run(python, ["-c", script], stdin: stdin)
    }

    @Test("Python decrypts a token Cirrus made", .enabled(if: available))
    func pythonOpensSwiftToken() throws {
        // given
        let key = Fernet.generateKey()
        let message = "ya29.token/with+odd=chars ✓"
        let token = try Fernet(key: key).encrypt(Data(message.utf8))
        // when
        let opened = try Self.python(
            "import sys; from cryptography.fernet import Fernet; k, t = sys.stdin.read().split(); "
                + "sys.stdout.write(Fernet(k.encode()).decrypt(t.encode(), ttl=300).decode())",
            stdin: "\(key) \(token)")
        // then
        #expect(opened == message)
    }

    @Test("Cirrus decrypts a token Python made, with a key Python made", .enabled(if: available))
    func swiftOpensPythonToken() throws {
        let output = try Self.python(
            "from cryptography.fernet import Fernet; k = Fernet.generate_key(); "
                + "print(k.decode(), Fernet(k).encrypt('1//refresh-token ✓'.encode()).decode())")
        let parts = output.split(separator: " ").map(String.init)
        try #require(parts.count == 2)
        let plaintext = try Fernet(key: parts[0]).decrypt(parts[1], ttl: 300)
        #expect(String(decoding: plaintext, as: UTF8.self) == "1//refresh-token ✓")
    }

    @Test("Python's MultiFernet.rotate output opens in Cirrus, and Cirrus's rotate output opens in Python", .enabled(if: available))
    func rotationBothWays() throws {
        let old = Fernet.generateKey()
        let new = Fernet.generateKey()
        let original = try Fernet(key: old).encrypt(Data("rotate me".utf8))
        let byPython = try Self.python(
            "import sys; from cryptography.fernet import Fernet, MultiFernet; n, o, t = sys.stdin.read().split(); "
                + "print(MultiFernet([Fernet(n.encode()), Fernet(o.encode())]).rotate(t.encode()).decode())",
            stdin: "\(new) \(old) \(original)")
        #expect(try Fernet(key: new).decrypt(byPython) == Data("rotate me".utf8))
        #expect(try Fernet(key: new).extractTimestamp(byPython) == Fernet(key: old).extractTimestamp(original))

        let bySwift = try MultiFernet(keys: [new, old]).rotate(original)
        let opened = try Self.python(
            "import sys; from cryptography.fernet import Fernet; k, t = sys.stdin.read().split(); "
                + "sys.stdout.write(Fernet(k.encode()).decrypt(t.encode()).decode())",
            stdin: "\(new) \(bySwift)")
        #expect(opened == "rotate me")
    }
}
