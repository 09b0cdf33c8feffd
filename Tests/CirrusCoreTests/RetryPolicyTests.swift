import Foundation
import Testing

@testable import CirrusCore

@Suite("Retry policy")
struct RetryPolicyTests {
    @Test("429 and gateway errors are transient; client errors are not", arguments: [429, 500, 502, 503, 504])
    func transient(status: Int) {
        #expect(RetryPolicy.isTransient(status: status))
    }

    @Test("permanent statuses are not retried", arguments: [400, 401, 403, 404, 409, 410, 501])
    func permanent(status: Int) {
        #expect(!RetryPolicy.isTransient(status: status))
    }

    @Test("backoff doubles up to the cap, scaled by the jitter")
    func backoff() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(100), maxDelay: .seconds(1))
        #expect(policy.delay(afterAttempt: 1, random: 0.999_999)! <= .milliseconds(100))
        #expect(policy.delay(afterAttempt: 3, random: 0.5) == .milliseconds(200))
        #expect(policy.delay(afterAttempt: 9, random: 0.5) == .milliseconds(500))
        #expect(policy.delay(afterAttempt: 10) == nil)
    }

    @Test("an absurd Retry-After is capped, not overflowed")
    func hugeRetryAfter() {
        #expect(RetryPolicy.parseRetryAfter("1e300") == .seconds(86_400))
        #expect(RetryPolicy.parseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT") == .seconds(86_400))
    }

    @Test("Retry-After in seconds or as an HTTP date wins over backoff")
    func retryAfter() {
        let policy = RetryPolicy()
        let now = Date(timeIntervalSince1970: 1_700_000_000)  // Tue, 14 Nov 2023 22:13:20 GMT
        #expect(policy.delay(afterAttempt: 1, retryAfter: "7", now: now, random: 0) == .seconds(7))
        #expect(policy.delay(afterAttempt: 1, retryAfter: "Tue, 14 Nov 2023 22:13:50 GMT", now: now, random: 0) == .seconds(30))
        #expect(policy.delay(afterAttempt: 1, retryAfter: "3600", now: now) == .seconds(60))
        #expect(RetryPolicy.parseRetryAfter("soon") == nil)
    }

    @Test("the retry loop asks again while an answer is transient, and returns the last one when out of attempts")
    func retryLoop() async throws {
        // given: a fast policy of three attempts
        let policy = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(1), maxDelay: .milliseconds(2))
        // when: the second attempt succeeds
        let second = try await policy.run { attempt in attempt < 2 ? .again(retryAfter: nil, otherwise: attempt) : .done(attempt) }
        // and when every attempt is transient
        let exhausted = try await policy.run { attempt in RetryPolicy.Outcome<Int>.again(retryAfter: "0", otherwise: attempt) }
        // then
        #expect(second == 2)
        #expect(exhausted == 3)
    }

    @Test("a thrown error is tried again, then handed to giveUp")
    func thrownErrors() async throws {
        struct Broken: Error {}
        struct GaveUp: Error { let attempts: Int }
        let policy = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(1), maxDelay: .milliseconds(2))
        let counter = Counter()
        await #expect(throws: GaveUp.self) {
            let _: Int = try await policy.run(
                { _ in
                    await counter.increment()
                    throw Broken()
                }, giveUp: { _ in GaveUp(attempts: 4) })
        }
        #expect(await counter.value == 4)
    }

    actor Counter {
        var value = 0
        func increment() { value += 1 }
    }
}
