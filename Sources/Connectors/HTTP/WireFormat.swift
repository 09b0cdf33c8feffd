import Foundation

/// Pieces of the providers' JSON that come in more than one spelling.
enum WireFormat {
    /// What went wrong in a decoding, in a few words for a log or an error (no values).
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not JSON" }
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            return keys.isEmpty ? "the top level" : keys.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "no \(path(context) == "the top level" ? key.stringValue : path(context) + "." + key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "unexpected \(path(context))"
        case .dataCorrupted(let context): return context.codingPath.isEmpty ? "not JSON" : "unexpected \(path(context))"
        @unknown default: return "unexpected shape"
        }
    }
}

/// An identifier sent as a string by some endpoints and as a number by others (Confluence's v1
/// and v2 APIs), read as text.
struct FlexibleID: Decodable, Sendable, Hashable {
    let value: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            value = text
        } else {
            value = String(try container.decode(Int64.self))
        }
    }
}

/// A whole number sent as a JSON number or, as Google does for int64 fields and some OAuth
/// servers for `expires_in`, as a string.
struct FlexibleInt: Decodable, Sendable, Hashable {
    let value: Int64

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            value = number
        } else if let text = try? container.decode(String.self), let number = Int64(text) {
            value = number
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a whole number")
        }
    }
}

/// A field that is text in one provider's dialect and something else in another's: the text,
/// or `nil` when it is not a string.
struct OptionalText: Decodable, Sendable, Hashable {
    let text: String?

    init(from decoder: any Decoder) throws {
        text = try? decoder.singleValueContainer().decode(String.self)
    }
}
