import CallCoachHTTP
import CallCoachStore

/// Store failures as HTTP problems: an unreachable or busy database is a temporary 503, never an
/// internal error, and no detail of the database reaches the client.
extension DatabaseError: ProblemConvertible {
    public var httpError: HTTPError {
        switch code {
        case .unavailable, .busy:
            HTTPError(503, detail: "The service is temporarily unavailable.", headers: ["Retry-After": "5"])
        default:
            .internalError
        }
    }
}
