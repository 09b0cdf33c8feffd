import Foundation

/// Drive's `fields` parameter: `nextPageToken,files(id,name,capabilities/canDownload)` or `*`.
struct FieldMask {
    /// `nil` children means "the whole value".
    var children: [String: FieldMask?]
    var all: Bool

    static let everything = FieldMask(children: [:], all: true)

    static func parse(_ text: String) -> FieldMask? {
        var index = text.startIndex
        let mask = parseList(text, &index)
        return index == text.endIndex ? mask : nil
    }

    private static func parseList(_ text: String, _ index: inout String.Index) -> FieldMask {
        var mask = FieldMask(children: [:], all: false)
        while index < text.endIndex, text[index] != ")" {
            var name = ""
            while index < text.endIndex, !",()/".contains(text[index]) {
                name.append(text[index])
                index = text.index(after: index)
            }
            name = name.trimmingCharacters(in: .whitespaces)
            var sub: FieldMask?
            if index < text.endIndex, text[index] == "(" {
                index = text.index(after: index)
                sub = parseList(text, &index)
                if index < text.endIndex, text[index] == ")" { index = text.index(after: index) }
            } else if index < text.endIndex, text[index] == "/" {
                index = text.index(after: index)
                var path = ""
                while index < text.endIndex, !",()".contains(text[index]) {
                    path.append(text[index])
                    index = text.index(after: index)
                }
                sub = FieldMask.parse(path.replacingOccurrences(of: "/", with: "(") + String(repeating: ")", count: path.filter { $0 == "/" }.count))
            }
            if name == "*" { mask.all = true } else if !name.isEmpty { mask.merge(name, sub) }
            if index < text.endIndex, text[index] == "," { index = text.index(after: index) }
        }
        return mask
    }

    private mutating func merge(_ name: String, _ sub: FieldMask?) {
        if let existing = children[name] {
            guard var existing, let sub else {
                children[name] = .some(nil)
                return
            }
            for (key, value) in sub.children { existing.merge(key, value) }
            existing.all = existing.all || sub.all
            children[name] = existing
        } else {
            children[name] = sub
        }
    }

    /// Keeps only the selected keys of a JSON object, recursing into objects and arrays of objects.
    func apply(_ object: [String: Any]) -> [String: Any] {
        if all { return object }
        var result: [String: Any] = [:]
        for (key, sub) in children {
            guard let value = object[key] else { continue }
            guard let sub else {
                result[key] = value
                continue
            }
            switch value {
            case let nested as [String: Any]: result[key] = sub.apply(nested)
            case let list as [[String: Any]]: result[key] = list.map { sub.apply($0) }
            default: result[key] = value
            }
        }
        return result
    }
}
