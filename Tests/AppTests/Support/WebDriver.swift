import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Sandbox
import TestSupport

/// A small W3C WebDriver client for Debian's chromedriver + chromium, enough to drive the
/// admin UI like a person: open pages, type, click, read, resize and take screenshots.
final class WebDriver: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static let chromedriverPath = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    static let chromiumPath = ["/usr/bin/chromium", "/usr/lib/chromium/chromium"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Whether the browser tests can run here; in CI they always run (and fail if the browser is missing).
    static var available: Bool {
        (chromedriverPath != nil && chromiumPath != nil) || ProcessInfo.processInfo.environment["CI"] == "true"
    }

    private let process: Process
    private let base: String
    private let http = HTTPClient(eventLoopGroupProvider: .singleton)
    private var sessionID = ""

    private init(process: Process, port: Int) {
        self.process = process
        self.base = "http://127.0.0.1:\(port)"
    }

    /// Starts chromedriver and a headless browser session; always call ``quit()``.
    static func start(width: Int = 1280, height: Int = 900) async throws -> WebDriver {
        guard let chromedriverPath, let chromiumPath else { throw Failure(description: "chromium and chromedriver are not installed") }
        // A free port: a random one could be taken, and chromedriver would then fail to start
        // while another process answered on it.
        let port = try LoopbackPort.free()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromedriverPath)
        process.arguments = ["--port=\(port)", "--allowed-ips=127.0.0.1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let driver = WebDriver(process: process, port: port)
        do {
            try await driver.waitUntilReady()
            let response = try await driver.command(
                "POST", "/session",
                [
                    "capabilities": [
                        "alwaysMatch": [
                            "browserName": "chrome",
                            "goog:chromeOptions": [
                                "binary": chromiumPath,
                                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=\(width),\(height)"],
                            ],
                        ]
                    ]
                ])
            guard let id = (response as? [String: Any])?["sessionId"] as? String else {
                throw Failure(description: "no session id: \(String(describing: response))")
            }
            driver.sessionID = id
            return driver
        } catch {
            await driver.quit()
            throw error
        }
    }

    private func waitUntilReady() async throws {
        try await eventually("chromedriver starts") {
            (try? await command("GET", "/status") as? [String: Any])?["ready"] as? Bool == true
        }
    }

    func quit() async {
        if !sessionID.isEmpty { _ = try? await command("DELETE", "/session/\(sessionID)") }
        // chromedriver ignores SIGTERM (seen: every run left its drivers behind), so it is killed.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? await http.shutdown()
    }

    // MARK: Commands

    func open(_ url: String) async throws { try await session("POST", "/url", ["url": url]) }

    func currentURL() async throws -> String { try await session("GET", "/url") as? String ?? "" }

    /// The first element matching a CSS selector, waiting up to `timeout` for it to appear.
    func element(_ css: String, timeout: Duration = .seconds(5)) async throws -> String {
        try await element(using: "css selector", css, timeout: timeout)
    }

    /// The first element matching an XPath expression (to find an element by its text).
    func element(xpath: String, timeout: Duration = .seconds(5)) async throws -> String {
        try await element(using: "xpath", xpath, timeout: timeout)
    }

    /// Clicks an element found earlier.
    func click(element id: String) async throws {
        try await session("POST", "/element/\(id)/click", [:])
    }

    private func element(using strategy: String, _ css: String, timeout: Duration) async throws -> String {
        try await eventually("an element matches \(css)", timeout: timeout) {
            (try? await session("POST", "/element", ["using": strategy, "value": css]) as? [String: Any])?.values.first as? String
        }
    }

    func elements(_ css: String) async throws -> [String] {
        let found = try await session("POST", "/elements", ["using": "css selector", "value": css]) as? [[String: Any]] ?? []
        return found.compactMap { $0.values.first as? String }
    }

    func type(_ text: String, into css: String) async throws {
        let id = try await element(css)
        try await session("POST", "/element/\(id)/value", ["text": text])
    }

    func click(_ css: String, timeout: Duration = .seconds(5)) async throws {
        let id = try await element(css, timeout: timeout)
        try await session("POST", "/element/\(id)/click", [:])
    }

    func text(of elementID: String) async throws -> String {
        try await session("GET", "/element/\(elementID)/text") as? String ?? ""
    }

    func rect(of elementID: String) async throws -> (x: Double, y: Double, width: Double) {
        let rect = try await session("GET", "/element/\(elementID)/rect") as? [String: Any] ?? [:]
        return ((rect["x"] as? Double) ?? 0, (rect["y"] as? Double) ?? 0, (rect["width"] as? Double) ?? 0)
    }

    func execute(_ script: String) async throws -> Any? {
        try await session("POST", "/execute/sync", ["script": script, "args": []])
    }

    /// Runs an asynchronous script: it calls its last argument with the result.
    func executeAsync(_ script: String) async throws -> Any? {
        try await session("POST", "/execute/async", ["script": script, "args": []])
    }

    /// WebDriver's codes for the keys the tests press.
    static let tabKey = "\u{E004}"
    static let escapeKey = "\u{E00C}"

    func pressTab() async throws { try await press(Self.tabKey) }

    /// Presses and releases one key (a WebDriver key code) wherever the focus is.
    func press(_ key: String) async throws {
        try await session(
            "POST", "/actions",
            ["actions": [["type": "key", "id": "keyboard", "actions": [["type": "keyDown", "value": key], ["type": "keyUp", "value": key]]]]])
    }

    func resize(width: Int, height: Int) async throws {
        try await session("POST", "/window/rect", ["width": width, "height": height])
    }

    func windowHandle() async throws -> String { try await session("GET", "/window") as? String ?? "" }

    func windowHandles() async throws -> [String] { try await session("GET", "/window/handles") as? [String] ?? [] }

    func switchTo(window handle: String) async throws { try await session("POST", "/window", ["handle": handle]) }

    /// Waits for a window other than `known` to open and returns its handle.
    func waitForNewWindow(besides known: Set<String>, timeout: Duration = .seconds(5)) async throws -> String {
        try await eventually("a new window opens", timeout: timeout) {
            try await windowHandles().first(where: { !known.contains($0) })
        }
    }

    func screenshotPNG() async throws -> Data {
        guard let base64 = try await session("GET", "/screenshot") as? String, let data = Data(base64Encoded: base64) else {
            throw Failure(description: "no screenshot")
        }
        return data
    }

    /// Waits until the page's path is `path`.
    func waitForPath(_ path: String, timeout: Duration = .seconds(5)) async throws {
        try await eventually("the browser reaches \(path)", timeout: timeout) {
            URL(string: try await currentURL())?.path == path
        }
    }

    // MARK: Wire

    @discardableResult
    private func session(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
        try await command(method, "/session/\(sessionID)\(path)", body)
    }

    @discardableResult
    private func command(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
        var request = HTTPClientRequest(url: base + path)
        request.method = HTTPMethod(rawValue: method)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        let data = try await response.body.collect(upTo: 50 << 20)
        let json = try JSONSerialization.jsonObject(with: Data(buffer: data), options: [.fragmentsAllowed]) as? [String: Any]
        let value = json?["value"]
        if response.status.code >= 400 {
            throw Failure(description: "\(method) \(path) → \(response.status.code): \(String(describing: value))")
        }
        return value is NSNull ? nil : value
    }
}
