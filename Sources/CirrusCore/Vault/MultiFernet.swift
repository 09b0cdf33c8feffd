import Foundation

/// Several Fernet keys used together for key rotation, with the semantics of Python's
/// `cryptography.fernet.MultiFernet`: the first key encrypts, every key decrypts, and
/// ``rotate(_:)`` re-encrypts a token under the first key keeping its original timestamp.
public struct MultiFernet: Sendable {
    private let fernets: [Fernet]

    /// - Parameter keys: newest first. At least one.
    public init(keys: [String]) throws(FernetError) {
        var fernets: [Fernet] = []
        for key in keys { fernets.append(try Fernet(key: key)) }
        guard !fernets.isEmpty else { throw .invalidKey }
        self.fernets = fernets
    }

    /// Encrypts with the first (newest) key.
    public func encrypt(_ plaintext: some DataProtocol, at date: Date = Date()) -> String {
        fernets[0].encrypt(plaintext, at: date)
    }

    /// Decrypts with whichever key made the token.
    public func decrypt(_ token: String, ttl: Int? = nil, now: Date = Date()) throws(FernetError) -> Data {
        for fernet in fernets {
            if let plaintext = try? fernet.decrypt(token, ttl: ttl, now: now) { return plaintext }
        }
        throw .invalidToken
    }

    /// Re-encrypts `token` under the first key, keeping the time it was first made.
    public func rotate(_ token: String) throws(FernetError) -> String {
        for fernet in fernets {
            guard let plaintext = try? fernet.decrypt(token),
                let stamped = try? fernet.extractTimestamp(token)
            else { continue }
            return fernets[0].encrypt(plaintext, timestamp: Fernet.timestamp(stamped))
        }
        throw .invalidToken
    }

    /// Whether `token` was made with the first key (and so needs no rotation).
    public func isCurrent(_ token: String) -> Bool {
        (try? fernets[0].decrypt(token)) != nil
    }
}
