import Plot

/// Escaping for text and attribute values we render from data.
///
/// Plot escapes `<`, `>` and stray `&` in text but leaves attribute values as given and keeps
/// entity-like sequences in text; everything that comes from a user, a provider or the store
/// goes through these helpers instead, so the page shows exactly the characters stored.
enum HTMLEscape {
    static func text(_ value: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count)
        for character in value {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}

extension Node {
    /// Text from data, escaped.
    static func safeText(_ value: String) -> Node { .raw(HTMLEscape.text(value)) }

    /// An attribute whose value comes from data, escaped for a double-quoted attribute.
    static func attr(_ name: String, _ value: String) -> Node {
        .attribute(named: name, value: HTMLEscape.text(value), ignoreIfValueIsEmpty: false)
    }
}

extension Attribute {
    /// An attribute whose value comes from data, escaped for a double-quoted attribute.
    static func attr(_ name: String, _ value: String) -> Attribute {
        Attribute(name: name, value: HTMLEscape.text(value), ignoreIfValueIsEmpty: false)
    }
}
