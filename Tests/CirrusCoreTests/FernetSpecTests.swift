import Foundation
import Testing

@testable import CirrusCore

/// The published test vectors of the Fernet specification (github.com/fernet/spec:
/// generate.json, verify.json, invalid.json), version 0x80 entries.
@Suite("Fernet: specification vectors")
struct FernetSpecTests {
    static let secret = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="
    static let specToken = "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA=="

    static func date(_ iso: String) -> Date {
        ISO8601DateFormatter().date(from: iso)!
    }

    @Test("generate: the spec's key, time and IV give the spec's token")
    func generate() throws {
        // given
        let fernet = try Fernet(key: Self.secret)
        // when
        let token = try fernet.encrypt(Data("hello".utf8), at: Self.date("1985-10-26T01:20:00-07:00"), iv: Array(0...15))
        // then
        #expect(token == Self.specToken)
    }

    @Test("verify: the spec's token opens to its message within the TTL")
    func verify() throws {
        let fernet = try Fernet(key: Self.secret)
        let plaintext = try fernet.decrypt(Self.specToken, ttl: 60, now: Self.date("1985-10-26T01:20:01-07:00"))
        #expect(String(decoding: plaintext, as: UTF8.self) == "hello")
    }

    struct Invalid: Sendable, CustomTestStringConvertible {
        let desc: String
        let token: String
        let now: String
        var testDescription: String { desc }
    }

    static let invalid: [Invalid] = [
        Invalid(
            desc: "incorrect mac", token: "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykQUFBQUFBQUFBQQ==",
            now: "1985-10-26T01:20:01-07:00"),
        Invalid(desc: "too short", token: "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPA==", now: "1985-10-26T01:20:01-07:00"),
        Invalid(
            desc: "invalid base64", token: "%%%%%%%%%%%%%AECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykRtfsH-p1YsUD2Q==",
            now: "1985-10-26T01:20:01-07:00"),
        Invalid(
            desc: "payload size not multiple of block size",
            token: "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPOm73QeoCk9uGib28Xe5vz6oxq5nmxbx_v7mrfyudzUm", now: "1985-10-26T01:20:01-07:00"),
        Invalid(
            desc: "payload padding error", token: "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0ODz4LEpdELGQAad7aNEHbf-JkLPIpuiYRLQ3RtXatOYREu2FWke6CnJNYIbkuKNqOhw==",
            now: "1985-10-26T01:20:01-07:00"),
        Invalid(
            desc: "far-future TS (unacceptable clock skew)",
            token: "gAAAAAAdwStRAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAnja1xKYyhd-Y6mSkTOyTGJmw2Xc2a6kBd-iX9b_qXQcw==", now: "1985-10-26T01:20:01-07:00"),
        Invalid(
            desc: "expired TTL", token: "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykRtfsH-p1YsUD2Q==",
            now: "1985-10-26T01:21:31-07:00"),
        Invalid(
            desc: "incorrect IV (causes padding error)",
            token: "gAAAAAAdwJ6xBQECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAkLhFLHpGtDBRLRTZeUfWgHSv49TF2AUEZ1TIvcZjK1zQ==", now: "1985-10-26T01:20:01-07:00"),
        Invalid(
            desc: "trailing characters after b64 padding",
            token: "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==trailingdata",
            now: "1985-10-26T01:20:01-07:00"),
        Invalid(
            desc: "invalid characters in b64",
            token: "*gAAAAAAdwJ6wAAECAwQFBgcI!CQoLDA0ODy021?cpGVWKZ_eEwC@GM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==", now: "1985-10-26T01:20:01-07:00"),
        Invalid(
            desc: "invalid non-urlsafe characters in b64",
            token: "gAAAAAAdwJ6wAAEC/AwQFBgcICQoLDA0ODy+021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==", now: "1985-10-26T01:20:01-07:00"),
    ]

    @Test("invalid tokens are rejected", arguments: invalid)
    func rejectsInvalid(_ vector: Invalid) throws {
        let fernet = try Fernet(key: Self.secret)
        #expect(throws: FernetError.invalidToken) {
            try fernet.decrypt(vector.token, ttl: 60, now: Self.date(vector.now))
        }
    }
}
