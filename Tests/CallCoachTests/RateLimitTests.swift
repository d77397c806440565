import CallCoachHTTP
import CallCoachServer
import CallCoachTesting
import Foundation
import Testing

@Suite struct RateLimitTests {
    @Test func eachAddressGetsItsLimitPerMinuteWithHeaders() async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_800_000_000))
        let server = try await LiveServer.start(clock: clock) { $0.rateLimitPerMinute = 3 }
        let client = server.client(remoteAddress: "192.0.2.10")
        for remaining in [2, 1, 0] {
            let response = await client.get("/api/v1/me")
            #expect(response.status == 401)
            #expect(response.headers["RateLimit-Limit"] == "3")
            #expect(response.headers["RateLimit-Remaining"] == String(remaining))
        }
        let refused = await client.get("/api/v1/me")
        #expect(refused.status == 429)
        #expect(refused.headers["Retry-After"] == "60")
        #expect(refused.headers["Content-Type"] == "application/problem+json")
        #expect(await client.get("/healthz").status == 200, "health checks are outside the limit")
        #expect(await server.client(remoteAddress: "192.0.2.11").get("/api/v1/me").status == 401, "another address")
        clock.advance(by: 60)
        #expect(await client.get("/api/v1/me").status == 401, "a new window")
        #expect(server.runtime.metrics.value(of: "callcoach_ratelimit_denials_total") == 1)
    }

    @Test func anUnreachableCounterStoreRefusesRatherThanAllows() async throws {
        let server = try await LiveServer.start()
        server.runtime.database.close()
        let response = await server.client().send(
            .post, "/api/v1/auth/login", json: #"{"email":"a@b.example","password":"x"}"#)
        #expect(response.status == 503)
        #expect(server.runtime.metrics.value(of: "callcoach_ratelimit_store_failures_total") == 1)
    }
}
