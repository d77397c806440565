import Foundation

/// One version of a company's scorecard, its definition as the JSON it was saved as.
public struct StoredScorecard: Sendable, Equatable {
    public let id: String
    public let version: Int
    public let name: String
    public let definition: String
    /// Whether calls are scored with it; kept on the newest version.
    public let active: Bool
    public let createdAt: Date
    public let createdBy: String

    public init(
        id: String, version: Int, name: String, definition: String, active: Bool, createdAt: Date, createdBy: String
    ) {
        self.id = id
        self.version = version
        self.name = name
        self.definition = definition
        self.active = active
        self.createdAt = createdAt
        self.createdBy = createdBy
    }
}

/// A call's evaluation against one scorecard version, as stored.
public struct StoredEvaluation: Sendable, Equatable {
    public let callID: String
    public let scorecardID: String
    public let scorecardVersion: Int
    public let total: Double?
    public let complete: Bool
    /// The evaluation's JSON: answers with their evidence, section scores.
    public let result: String
    public let createdAt: Date

    public init(
        callID: String, scorecardID: String, scorecardVersion: Int, total: Double?, complete: Bool, result: String,
        createdAt: Date
    ) {
        self.callID = callID
        self.scorecardID = scorecardID
        self.scorecardVersion = scorecardVersion
        self.total = total
        self.complete = complete
        self.result = result
        self.createdAt = createdAt
    }
}

/// The scope's company's scorecards (every version is kept; an edit adds one) and evaluations.
public struct ScorecardRecords: Sendable {
    let scope: TenantScope

    public init(scope: TenantScope) {
        self.scope = scope
    }

    /// Adds a version; the first of a new scorecard is version 1.
    public func save(_ scorecard: StoredScorecard, _ connection: any DatabaseConnection) throws {
        try connection.execute(
            """
            INSERT INTO scorecards (company_id, id, version, name, definition, active, created_at, created_by) \
            VALUES (\(scope.companyID), \(scorecard.id), \(scorecard.version), \(scorecard.name), \
            \(scorecard.definition), \(scorecard.active), \(scorecard.createdAt), \(scorecard.createdBy))
            """)
    }

    /// The newest version of each scorecard, by name.
    public func current(_ connection: any DatabaseConnection) throws -> [StoredScorecard] {
        try connection.query(
            """
            SELECT s.* FROM scorecards s WHERE s.company_id = \(scope.companyID) AND s.version = \
            (SELECT MAX(v.version) FROM scorecards v WHERE v.company_id = s.company_id AND v.id = s.id) \
            ORDER BY s.name, s.id
            """
        ).map(Self.scorecard)
    }

    public func versions(id: String, _ connection: any DatabaseConnection) throws -> [StoredScorecard] {
        try connection.query(
            "SELECT * FROM scorecards WHERE company_id = \(scope.companyID) AND id = \(id) ORDER BY version DESC"
        ).map(Self.scorecard)
    }

    public func setActive(id: String, version: Int, _ active: Bool, _ connection: any DatabaseConnection) throws {
        try connection.execute(
            """
            UPDATE scorecards SET active = \(active) WHERE company_id = \(scope.companyID) AND id = \(id) \
            AND version = \(version)
            """)
    }

    /// Replaces the call's evaluation against that scorecard.
    public func record(_ evaluation: StoredEvaluation, _ connection: any DatabaseConnection) throws {
        try connection.execute(
            """
            DELETE FROM evaluations WHERE company_id = \(scope.companyID) AND call_id = \(evaluation.callID) \
            AND scorecard_id = \(evaluation.scorecardID)
            """)
        try connection.execute(
            """
            INSERT INTO evaluations (company_id, call_id, scorecard_id, scorecard_version, total, complete, result, \
            created_at) VALUES (\(scope.companyID), \(evaluation.callID), \(evaluation.scorecardID), \
            \(evaluation.scorecardVersion), \(evaluation.total), \(evaluation.complete), \(evaluation.result), \
            \(evaluation.createdAt))
            """)
    }

    public func evaluation(callID: String, scorecardID: String, _ connection: any DatabaseConnection) throws
        -> StoredEvaluation?
    {
        try evaluations(callID: callID, connection).first { $0.scorecardID == scorecardID }
    }

    /// Every evaluation the company has against a scorecard, any version: for agreement figures.
    public func evaluations(scorecardID: String, _ connection: any DatabaseConnection) throws -> [StoredEvaluation] {
        try connection.query(
            """
            SELECT * FROM evaluations WHERE company_id = \(scope.companyID) AND scorecard_id = \(scorecardID) \
            ORDER BY call_id
            """
        ).map(Self.evaluation)
    }

    /// The company's evaluations made at or after `time`, against any scorecard: the scores of
    /// the calls a page lists, read in one query bounded by the oldest of them.
    public func evaluations(since time: Date, _ connection: any DatabaseConnection) throws -> [StoredEvaluation] {
        try connection.query(
            """
            SELECT * FROM evaluations WHERE company_id = \(scope.companyID) AND created_at >= \(time) \
            ORDER BY call_id
            """
        ).map(Self.evaluation)
    }

    public func evaluations(callID: String, _ connection: any DatabaseConnection) throws -> [StoredEvaluation] {
        try connection.query(
            """
            SELECT * FROM evaluations WHERE company_id = \(scope.companyID) AND call_id = \(callID) \
            ORDER BY scorecard_id
            """
        ).map(Self.evaluation)
    }

    static func evaluation(_ row: Row) throws -> StoredEvaluation {
        StoredEvaluation(
            callID: try row.decode("call_id"), scorecardID: try row.decode("scorecard_id"),
            scorecardVersion: try row.decode("scorecard_version"), total: try row.decode("total"),
            complete: try row.decode("complete"), result: try row.decode("result"),
            createdAt: try row.decode("created_at"))
    }

    static func scorecard(_ row: Row) throws -> StoredScorecard {
        StoredScorecard(
            id: try row.decode("id"), version: try row.decode("version"), name: try row.decode("name"),
            definition: try row.decode("definition"), active: try row.decode("active"),
            createdAt: try row.decode("created_at"), createdBy: try row.decode("created_by"))
    }
}
