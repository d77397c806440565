import Foundation

/// Where a call stands in the pipeline.
public enum CallStatus: String, Sendable, Codable, CaseIterable {
    case queued, decoding, transcribing, analyzing, ready, failed
}

/// What was uploaded for a call.
public enum CallSource: String, Sendable, Codable {
    case audio, transcript
}

/// A recorded (or transcribed) conversation between an agent and a customer.
public struct Call: Sendable, Equatable, Codable {
    public var id: String
    public var companyID: String
    public var agentID: String?
    public var teamID: String?
    /// `inbound` or `outbound`.
    public var direction: String?
    public var startedAt: Date?
    public var customerPhone: String?
    /// An IANA time-zone name.
    public var customerTimeZone: String?
    public var externalID: String?
    /// The account or debt the call is about, for the per-debt limits of Regulation F.
    public var debtID: String?
    /// Which channel carries whom, e.g. `{"left":"agent","right":"customer"}`.
    public var channelMap: [String: String]?
    public var source: CallSource
    /// `wav`, `mp3`, `flac`, `ogg`, or the transcript format.
    public var mediaFormat: String
    public var status: CallStatus
    public var progress: Int
    /// Why processing failed, in words fit for the person who uploaded it.
    public var failure: String?
    public var duration: Double?
    public var uploadedBy: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, companyID: String, source: CallSource, mediaFormat: String, uploadedBy: String, createdAt: Date
    ) {
        self.id = id
        self.companyID = companyID
        self.source = source
        self.mediaFormat = mediaFormat
        self.status = .queued
        self.progress = 0
        self.uploadedBy = uploadedBy
        self.createdAt = createdAt
        self.updatedAt = createdAt
    }
}
