/// A value that must never appear in logs, error messages or `print` output.
///
/// Its `description` is a fixed placeholder, so string interpolation and logging of a
/// configuration struct that holds it reveal nothing. Call ``revealed`` where the value is used.
public struct Secret<Value: Sendable>: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The secret itself. Read it only at the point of use.
    public let revealed: Value

    public init(_ value: Value) {
        self.revealed = value
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}

extension Secret: Equatable where Value: Equatable {}
