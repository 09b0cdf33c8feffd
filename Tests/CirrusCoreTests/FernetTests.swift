import Foundation
import Testing

@testable import CirrusCore

@Suite("Fernet and MultiFernet")
struct FernetTests {
    @Test(
        "what is encrypted decrypts to the same bytes, for empty, text and binary messages",
        arguments: [
            Data(), Data("ya29.a0AfH6SMB-access-token".utf8), Data((0...255).map { UInt8($0) }), Data(repeating: 7, count: 10_000),
        ])
    func roundTrip(message: Data) throws {
        let fernet = try Fernet(key: Fernet.generateKey())
        let token = fernet.encrypt(message)
        #expect(try fernet.decrypt(token) == message)
        #expect(token.hasPrefix("gAAAAA"))
    }

    @Test("two encryptions of one message differ (random IV)")
    func randomIV() throws {
        let fernet = try Fernet(key: Fernet.generateKey())
        #expect(fernet.encrypt(Data("same".utf8)) != fernet.encrypt(Data("same".utf8)))
    }

    @Test("flipping any byte of a token makes it invalid")
    func tampering() throws {
        // given
        let fernet = try Fernet(key: Fernet.generateKey())
        let token = fernet.encrypt(Data("refresh-token".utf8))
        var raw = Data(base64Encoded: token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/"))!
        // when / then: every position, version byte to last MAC byte
        for index in raw.indices {
            raw[index] ^= 0x01
            let forged = raw.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            #expect(throws: FernetError.invalidToken) { try fernet.decrypt(forged) }
            raw[index] ^= 0x01
        }
    }

    @Test("a token made with another key is rejected")
    func wrongKey() throws {
        let token = try Fernet(key: Fernet.generateKey()).encrypt(Data("secret".utf8))
        #expect(throws: FernetError.invalidToken) { try Fernet(key: Fernet.generateKey()).decrypt(token) }
    }

    @Test(
        "keys that are not 32 bytes of URL-safe base64 are refused",
        arguments: ["", "short", String(repeating: "A", count: 42) + "==", "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4"])
    func badKeys(key: String) {
        if key == "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4" {
            // unpadded but otherwise right: accepted, as it denotes the same 32 bytes
            #expect((try? Fernet(key: key)) != nil)
        } else {
            #expect(throws: FernetError.invalidKey) { try Fernet(key: key) }
        }
    }

    @Test("TTL: fresh tokens pass, old ones fail; without a TTL age does not matter")
    func ttl() throws {
        let fernet = try Fernet(key: Fernet.generateKey())
        let made = Date(timeIntervalSince1970: 1_700_000_000)
        let token = fernet.encrypt(Data("x".utf8), at: made)
        #expect(throws: Never.self) { try fernet.decrypt(token, ttl: 60, now: made.addingTimeInterval(59)) }
        #expect(throws: FernetError.invalidToken) { try fernet.decrypt(token, ttl: 60, now: made.addingTimeInterval(61)) }
        #expect(throws: Never.self) { try fernet.decrypt(token, now: made.addingTimeInterval(1e9)) }
        #expect(try fernet.extractTimestamp(token) == made)
    }

    @Test("MultiFernet: the first key encrypts, every key decrypts")
    func multiFernet() throws {
        let old = Fernet.generateKey()
        let new = Fernet.generateKey()
        let oldToken = try Fernet(key: old).encrypt(Data("a".utf8))
        let keys = try MultiFernet(keys: [new, old])
        #expect(try keys.decrypt(oldToken) == Data("a".utf8))
        let newToken = keys.encrypt(Data("b".utf8))
        #expect(try Fernet(key: new).decrypt(newToken) == Data("b".utf8))
        #expect(throws: FernetError.invalidToken) { try Fernet(key: old).decrypt(newToken) }
        #expect(throws: FernetError.invalidKey) { try MultiFernet(keys: []) }
    }

    @Test("rotate re-encrypts under the first key and keeps the original timestamp")
    func rotate() throws {
        let old = Fernet.generateKey()
        let new = Fernet.generateKey()
        let made = Date(timeIntervalSince1970: 1_600_000_000)
        let token = try Fernet(key: old).encrypt(Data("refresh".utf8), at: made)
        let keys = try MultiFernet(keys: [new, old])
        let rotated = try keys.rotate(token)
        #expect(try Fernet(key: new).decrypt(rotated) == Data("refresh".utf8))
        #expect(try Fernet(key: new).extractTimestamp(rotated) == made)
        #expect(!keys.isCurrent(token))
        #expect(keys.isCurrent(rotated))
        #expect(throws: FernetError.invalidToken) { try MultiFernet(keys: [new]).rotate(token) }
    }

    @Test("the vault seals strings and says when a value needs rotating")
    func vault() throws {
        let old = Fernet.generateKey()
        let sealed = try TokenVault(keys: [old]).seal("1//0gRefreshToken")
        #expect(!sealed.contains("RefreshToken"))
        let vault = try TokenVault(keys: [Fernet.generateKey(), old])
        #expect(try vault.open(sealed) == "1//0gRefreshToken")
        let rotated = try #require(try vault.rotated(sealed))
        #expect(try vault.rotated(rotated) == nil)
    }

    @Test("secrets print as <redacted>")
    func secretDescription() {
        let secret = Secret("hunter2")
        #expect("\(secret)" == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        #expect(secret.revealed == "hunter2")
    }
}

@Suite("Fernet edge cases that once trapped")
struct FernetTrapTests {
    @Test("a caller's IV of the wrong length is an error, not a crash")
    func wrongIVLength() throws {
        let fernet = try Fernet(key: Fernet.generateKey())
        #expect(throws: FernetError.invalidIV) { try fernet.encrypt(Data("x".utf8), iv: Array(repeating: 0, count: 15)) }
    }

    @Test("a token stamped near the end of time is refused under a TTL, not overflowed")
    func farFutureTimestamp() throws {
        // given a well-signed token whose timestamp is Int64.max
        let fernet = try Fernet(key: Fernet.generateKey())
        let token = fernet.encrypt(Data("x".utf8), timestamp: UInt64(Int64.max))
        // when it is opened with a TTL, then it is refused
        #expect(throws: FernetError.invalidToken) { try fernet.decrypt(token, ttl: Int.max) }
    }

    @Test("dates before 1970 or not finite stamp zero")
    func oddDates() {
        #expect(Fernet.timestamp(Date(timeIntervalSince1970: -10)) == 0)
        #expect(Fernet.timestamp(Date(timeIntervalSince1970: .infinity)) == 0)
        #expect(Fernet.timestamp(Date(timeIntervalSince1970: 1e30)) == UInt64.max)
    }
}
