import CallCoachCrypto
import CallCoachHTTP
import CallCoachServer
import CallCoachTesting
import Foundation
import Testing

/// A live server with one company whose administrator can sign in.
struct IdentityFixture {
    static let password = "correct-horse-battery"
    let server: LiveServer
    let clock: TestClock
    let companyID: String
    let adminEmail = "admin@example.com"

    static func make(clock: TestClock = TestClock(), directory: TemporaryDirectory? = nil) async throws
        -> IdentityFixture
    {
        let server = try await LiveServer.start(in: directory, clock: clock)
        let (company, _) = try await server.runtime.identity.createCompany(
            name: "Acme Collections", adminEmail: "admin@example.com", password: password)
        return IdentityFixture(server: server, clock: clock, companyID: company.id)
    }

    var client: TestClient { server.client() }

    func login(_ email: String, _ password: String = IdentityFixture.password, from address: String = "198.51.100.7")
        async -> Response
    {
        await server.client(remoteAddress: address).send(
            .post, "/api/v1/auth/login", json: #"{"email":"\#(email)","password":"\#(password)"}"#)
    }

    /// Signs in and returns the token pair's fields.
    func signIn(_ email: String? = nil, _ password: String = IdentityFixture.password) async throws -> [String: Any] {
        let response = await login(email ?? adminEmail, password)
        #expect(response.status == 200, "sign-in answered \(response.status): \(response.bodyText)")
        return try object(response)
    }

    func get(_ path: String, token: String) async -> Response {
        await client.get(path, headers: ["Authorization": "Bearer \(token)"])
    }

    func send(_ method: HTTPMethod, _ path: String, token: String, json: String = "{}") async -> Response {
        await client.send(method, path, json: json, headers: ["Authorization": "Bearer \(token)"])
    }

    /// Every `.eml` file the file outbox wrote, after delivering what is due.
    func deliveredMail() async throws -> [String] {
        try await server.deliverMail()
        let directory = server.directory.file("outbox")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return try names.sorted().map { try String(contentsOfFile: directory + "/" + $0, encoding: .utf8) }
    }
}

func object(_ response: Response) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
}

/// A response body that is a JSON array of objects.
func objects(_ response: Response) throws -> [[String: Any]] {
    try #require(
        try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]], "\(response.bodyText)")
}

func string(_ response: Response, _ key: String) throws -> String {
    try #require(try object(response)[key] as? String)
}

/// The token after `#token=` in a mail body.
func linkToken(in mail: String) throws -> String {
    let range = try #require(mail.range(of: "#token="))
    return String(mail[range.upperBound...].prefix { !$0.isWhitespace })
}
