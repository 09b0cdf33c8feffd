import Foundation

/// Encrypts provider tokens and other secrets before they are stored, and opens them again.
///
/// Everything Cirrus keeps at rest that would let someone act as a user at a provider goes
/// through here. The stored form is a Fernet token (see ``MultiFernet``).
public struct TokenVault: Sendable {
    private let keys: MultiFernet

    /// - Parameter keys: Fernet keys, newest first (the first encrypts, all decrypt).
    public init(keys: [String]) throws(FernetError) {
        self.keys = try MultiFernet(keys: keys)
    }

    /// The stored form of `plaintext`.
    public func seal(_ plaintext: String) -> String {
        keys.encrypt(Data(plaintext.utf8))
    }

    /// The plaintext of a stored value.
    public func open(_ sealed: String) throws(FernetError) -> String {
        let data = try keys.decrypt(sealed)
        guard let text = String(data: data, encoding: .utf8) else { throw .invalidToken }
        return text
    }

    /// `sealed` re-encrypted under the newest key, or `nil` if it already is.
    public func rotated(_ sealed: String) throws(FernetError) -> String? {
        keys.isCurrent(sealed) ? nil : try keys.rotate(sealed)
    }
}
