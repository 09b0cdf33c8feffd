import Foundation

// Writes a Swift file that holds web assets as string literals, so the `cirrus` binary serves
// them with nothing beside it: `embed-web-assets OUTPUT BASE FILE...` keys each FILE by its
// path below BASE ("icons/cirrus.svg").

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: embed-web-assets OUTPUT BASE FILE...\n".utf8))
    exit(2)
}
let output = URL(fileURLWithPath: arguments[arguments.startIndex])
let base = URL(fileURLWithPath: arguments[arguments.startIndex + 1]).standardizedFileURL.path + "/"

/// A raw string literal of `text`: more `#` than any run of them in the text, so neither `"""`
/// nor a backslash inside it can end the literal or start an escape.
func literal(_ text: String) -> String {
    var longest = 0
    var run = 0
    for character in text {
        run = character == "#" ? run + 1 : 0
        longest = max(longest, run)
    }
    let hashes = String(repeating: "#", count: longest + 1)
    // A multi-line literal ends before the line break that precedes its closing delimiter, so
    // the text, trailing line break included, comes back exactly.
    return "\(hashes)\"\"\"\n\(text)\n\"\"\"\(hashes)"
}

var entries: [(String, String)] = []
for path in arguments.dropFirst(2) {
    let file = URL(fileURLWithPath: path).standardizedFileURL.path
    guard file.hasPrefix(base) else {
        FileHandle.standardError.write(Data("\(file) is not below \(base)\n".utf8))
        exit(1)
    }
    entries.append((String(file.dropFirst(base.count)), try String(contentsOfFile: file, encoding: .utf8)))
}
entries.sort { $0.0 < $1.0 }

var swift = "// Generated at build time from the files in Web/Static (the EmbedWebAssets plugin); edit those.\n\n"
swift += "extension StaticAssets {\n    /// Each file's text by its path below Web/Static.\n    static let files: [String: String] = [\n"
for (name, text) in entries {
    swift += "        \"\(name)\": \(literal(text)),\n"
}
swift += "    ]\n}\n"
try swift.write(to: output, atomically: true, encoding: .utf8)
