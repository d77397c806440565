import Foundation

/// A comment pinned to a moment of a call.
public struct CallComment: Sendable, Equatable, Encodable {
    public let id: String
    public let callID: String
    public let authorID: String
    /// Seconds from the start of the call.
    public let at: Double
    public let text: String
    public let createdAt: Date

    public init(id: String, callID: String, authorID: String, at: Double, text: String, createdAt: Date) {
        self.id = id
        self.callID = callID
        self.authorID = authorID
        self.at = at
        self.text = text
        self.createdAt = createdAt
    }

    private enum CodingKeys: String, CodingKey {
        case id, at, text, createdAt
        case callID = "callId"
        case authorID = "authorId"
    }
}

/// A call and the criteria an agent is to work on, until they mark it done.
public struct CoachingAssignment: Sendable, Equatable, Encodable {
    public let id: String
    public let callID: String
    public let agentID: String
    public let criteria: [String]
    public let note: String?
    public let assignedBy: String
    public let createdAt: Date
    public var doneAt: Date?

    public init(
        id: String, callID: String, agentID: String, criteria: [String], note: String?, assignedBy: String,
        createdAt: Date, doneAt: Date? = nil
    ) {
        self.id = id
        self.callID = callID
        self.agentID = agentID
        self.criteria = criteria
        self.note = note
        self.assignedBy = assignedBy
        self.createdAt = createdAt
        self.doneAt = doneAt
    }

    private enum CodingKeys: String, CodingKey {
        case id, criteria, note, assignedBy, createdAt, doneAt
        case callID = "callId"
        case agentID = "agentId"
    }
}

/// The scope's company's call comments and coaching assignments.
public struct CoachingRecords: Sendable {
    let scope: TenantScope

    public init(scope: TenantScope) {
        self.scope = scope
    }

    public func add(_ comment: CallComment, _ connection: any DatabaseConnection) throws {
        try connection.execute(
            """
            INSERT INTO call_comments (company_id, id, call_id, author_id, at_seconds, text, created_at) VALUES \
            (\(scope.companyID), \(comment.id), \(comment.callID), \(comment.authorID), \(comment.at), \
            \(comment.text), \(comment.createdAt))
            """)
    }

    public func comments(callID: String, _ connection: any DatabaseConnection) throws -> [CallComment] {
        try connection.query(
            """
            SELECT * FROM call_comments WHERE company_id = \(scope.companyID) AND call_id = \(callID) \
            ORDER BY at_seconds, created_at
            """
        ).map { row in
            CallComment(
                id: try row.decode("id"), callID: try row.decode("call_id"), authorID: try row.decode("author_id"),
                at: try row.decode("at_seconds"), text: try row.decode("text"), createdAt: try row.decode("created_at"))
        }
    }

    public func add(_ assignment: CoachingAssignment, _ connection: any DatabaseConnection) throws {
        let criteria = String(decoding: try JSONEncoder().encode(assignment.criteria), as: UTF8.self)
        try connection.execute(
            """
            INSERT INTO coaching_assignments (company_id, id, call_id, agent_id, criteria, note, assigned_by, \
            created_at, done_at) VALUES (\(scope.companyID), \(assignment.id), \(assignment.callID), \
            \(assignment.agentID), \(criteria), \(assignment.note), \(assignment.assignedBy), \(assignment.createdAt), \
            \(assignment.doneAt))
            """)
    }

    /// The company's assignments, newest first.
    public func assignments(_ connection: any DatabaseConnection) throws -> [CoachingAssignment] {
        try connection.query(
            "SELECT * FROM coaching_assignments WHERE company_id = \(scope.companyID) ORDER BY created_at DESC, id"
        ).map(Self.assignment)
    }

    public func assignment(id: String, _ connection: any DatabaseConnection) throws -> CoachingAssignment? {
        try connection.queryOne(
            "SELECT * FROM coaching_assignments WHERE company_id = \(scope.companyID) AND id = \(id)"
        ).map(Self.assignment)
    }

    public func markDone(id: String, at time: Date, _ connection: any DatabaseConnection) throws {
        try connection.execute(
            "UPDATE coaching_assignments SET done_at = \(time) WHERE company_id = \(scope.companyID) AND id = \(id)")
    }

    static func assignment(_ row: Row) throws -> CoachingAssignment {
        let criteria: String = try row.decode("criteria")
        return CoachingAssignment(
            id: try row.decode("id"), callID: try row.decode("call_id"), agentID: try row.decode("agent_id"),
            criteria: (try? JSONDecoder().decode([String].self, from: Data(criteria.utf8))) ?? [],
            note: try row.decode("note"), assignedBy: try row.decode("assigned_by"),
            createdAt: try row.decode("created_at"), doneAt: try row.decode("done_at"))
    }
}

/// A calibration session: graders score one call blind against one scorecard version.
public struct StoredCalibration: Sendable, Equatable {
    public let id: String
    public let callID: String
    public let scorecardID: String
    public let scorecardVersion: Int
    public let graders: [String]
    /// Grader → criterion → answer, for those who have submitted.
    public var scores: [String: [String: String]]
    public let createdBy: String
    public let createdAt: Date

    public init(
        id: String, callID: String, scorecardID: String, scorecardVersion: Int, graders: [String],
        scores: [String: [String: String]], createdBy: String, createdAt: Date
    ) {
        self.id = id
        self.callID = callID
        self.scorecardID = scorecardID
        self.scorecardVersion = scorecardVersion
        self.graders = graders
        self.scores = scores
        self.createdBy = createdBy
        self.createdAt = createdAt
    }
}

extension CoachingRecords {
    public func add(_ calibration: StoredCalibration, _ connection: any DatabaseConnection) throws {
        let graders = String(decoding: try JSONEncoder().encode(calibration.graders), as: UTF8.self)
        let scores = String(decoding: try JSONEncoder().encode(calibration.scores), as: UTF8.self)
        try connection.execute(
            """
            INSERT INTO calibrations (company_id, id, call_id, scorecard_id, scorecard_version, graders, scores, \
            created_by, created_at) VALUES (\(scope.companyID), \(calibration.id), \(calibration.callID), \
            \(calibration.scorecardID), \(calibration.scorecardVersion), \(graders), \(scores), \
            \(calibration.createdBy), \(calibration.createdAt))
            """)
    }

    public func calibration(id: String, _ connection: any DatabaseConnection) throws -> StoredCalibration? {
        try connection.queryOne("SELECT * FROM calibrations WHERE company_id = \(scope.companyID) AND id = \(id)").map {
            row in
            let graders: String = try row.decode("graders")
            let scores: String = try row.decode("scores")
            return StoredCalibration(
                id: try row.decode("id"), callID: try row.decode("call_id"),
                scorecardID: try row.decode("scorecard_id"),
                scorecardVersion: try row.decode("scorecard_version"),
                graders: (try? JSONDecoder().decode([String].self, from: Data(graders.utf8))) ?? [],
                scores: (try? JSONDecoder().decode([String: [String: String]].self, from: Data(scores.utf8))) ?? [:],
                createdBy: try row.decode("created_by"), createdAt: try row.decode("created_at"))
        }
    }

    public func setScores(id: String, _ scores: [String: [String: String]], _ connection: any DatabaseConnection) throws
    {
        let text = String(decoding: try JSONEncoder().encode(scores), as: UTF8.self)
        try connection.execute(
            "UPDATE calibrations SET scores = \(text) WHERE company_id = \(scope.companyID) AND id = \(id)")
    }
}
