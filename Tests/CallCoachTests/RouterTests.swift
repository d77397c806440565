import CallCoachHTTP
import CallCoachTesting
import Testing

@Suite struct RouterTests {
    let client = TestClient(
        makeApplication { router in
            router.add(.get, "/companies/{companyId}/calls/{callId}") { request in
                .text("\(try request.parameter("companyId"))|\(try request.parameter("callId"))")
            }
            router.add(.get, "/companies/{companyId}") { request in
                .text("company \(try request.parameter("companyId"))")
            }
            router.add(.post, "/companies/{companyId}") { _ in Response(status: 201) }
            router.add(.delete, "/items/{id}") { _ in Response(status: 204) }
            router.add(.get, "/search") { request in .text(request.queryValue("q") ?? "-") }
        })

    @Test func encodingEscapesAllButTheUnreservedAndDecodesBack() {
        #expect(PercentEncoding.encode("AZaz09-._~") == "AZaz09-._~")
        #expect(PercentEncoding.encode("a/b?c=d&e f#g%") == "a%2Fb%3Fc%3Dd%26e%20f%23g%25")
        #expect(PercentEncoding.encode("é") == "%C3%A9", "non-ASCII letters are escaped too")
        for text in ["/\\evil.example", "a+b", "日本語 ✓", "\t\n"] {
            #expect(PercentEncoding.decode(PercentEncoding.encode(text)) == text)
        }
    }

    @Test func pathParametersAreDecodedPerSegment() async {
        let response = await client.get("/companies/acme%2Fwest/calls/c%20 1")
        #expect(response.status == 200)
        #expect(response.bodyText == "acme/west|c  1")
    }

    @Test func literalSegmentsMustMatchExactly() async {
        #expect(await client.get("/companies/a/call/b").status == 404)
        #expect(await client.get("/companies/a/calls/b/extra").status == 404)
        #expect(await client.get("/companies//calls/b").status == 404)
    }

    @Test func wrongMethodAnswers405WithAllow() async throws {
        let response = await client.send(.put, "/companies/a")
        #expect(response.status == 405)
        let allow = try #require(response.headers["Allow"])
        #expect(Set(allow.components(separatedBy: ", ")) == ["GET", "POST", "HEAD"])
        #expect(await client.send(.get, "/items/1").headers["Allow"] == "DELETE")
    }

    @Test func headIsServedByTheGetRoute() async {
        let response = await client.send(.head, "/companies/a")
        #expect(response.status == 200)
    }

    @Test func unknownMethodsAnswer501() async throws {
        let response = await client.send(HTTPMethod(rawValue: "BREW"), "/companies/a")
        #expect(response.status == 501)
        #expect(try problem(response.body).status == 501)
    }

    @Test(arguments: ["/companies/%ZZ", "/companies/%C3%28", "/companies/%"])
    func malformedEscapesAndInvalidUTF8Answer400(path: String) async {
        #expect(await client.get(path).status == 400)
    }

    @Test func queryItemsAreDecoded() async {
        #expect(await client.get("/search?q=caf%C3%A9+au+lait").bodyText == "café au lait")
        #expect(await client.get("/search?q=%FF").status == 400)
    }
}
