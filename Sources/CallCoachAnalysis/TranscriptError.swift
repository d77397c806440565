/// A transcript that cannot be imported.
///
/// The message is fixed text plus positions (utterance, cue, speaker or word numbers); it never
/// repeats transcript text, speaker names or field names taken from the input, so it is safe to log
/// and to return to the uploader.
public struct TranscriptError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem the transcript has.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String {
            case invalidEncoding, malformed, unknownField, invalidField, invalidRole, duplicateSpeaker
            case undeclaredSpeaker, missingSpeaker, tooManySpeakers, invalidTime, timeOutOfRange, endBeforeStart
            case outOfOrder, selfOverlap, wordOutsideUtterance, textTooLong, tooManyWords, tooManyUtterances
        }
        private let kind: Kind

        /// The bytes are not UTF-8.
        public static let invalidEncoding = Code(kind: .invalidEncoding)
        /// The bytes do not follow the format's syntax.
        public static let malformed = Code(kind: .malformed)
        /// A JSON object has a field the format does not define.
        public static let unknownField = Code(kind: .unknownField)
        /// A field is missing, of the wrong type or out of its range.
        public static let invalidField = Code(kind: .invalidField)
        /// A speaker's role is neither `agent` nor `customer`.
        public static let invalidRole = Code(kind: .invalidRole)
        /// Two speakers share one id.
        public static let duplicateSpeaker = Code(kind: .duplicateSpeaker)
        /// An utterance names a speaker that was not declared.
        public static let undeclaredSpeaker = Code(kind: .undeclaredSpeaker)
        /// A subtitle cue has no speaker and no earlier cue to take one from.
        public static let missingSpeaker = Code(kind: .missingSpeaker)
        /// More speakers than the format allows.
        public static let tooManySpeakers = Code(kind: .tooManySpeakers)
        /// A time is negative or not a finite number.
        public static let invalidTime = Code(kind: .invalidTime)
        /// A time lies beyond ``TranscriptLimits/maximumTime``.
        public static let timeOutOfRange = Code(kind: .timeOutOfRange)
        /// An utterance or word ends before it starts.
        public static let endBeforeStart = Code(kind: .endBeforeStart)
        /// An utterance starts before the one listed before it.
        public static let outOfOrder = Code(kind: .outOfOrder)
        /// A speaker's utterance starts before that same speaker's previous utterance ends.
        public static let selfOverlap = Code(kind: .selfOverlap)
        /// A word's timing lies outside its utterance.
        public static let wordOutsideUtterance = Code(kind: .wordOutsideUtterance)
        /// An utterance's text is longer than ``TranscriptLimits/maximumTextLength``.
        public static let textTooLong = Code(kind: .textTooLong)
        /// An utterance has more than ``TranscriptLimits/maximumWords`` words.
        public static let tooManyWords = Code(kind: .tooManyWords)
        /// More than ``TranscriptLimits/maximumUtterances`` utterances.
        public static let tooManyUtterances = Code(kind: .tooManyUtterances)

        public var description: String { kind.rawValue }
    }

    public let code: Code
    /// A fixed explanation with positions only; safe to log and to show the uploader.
    public let message: String
    /// Where the error was thrown, for debugging.
    public let file: String
    public let line: Int

    public init(_ code: Code, _ message: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public static func == (lhs: TranscriptError, rhs: TranscriptError) -> Bool { lhs.code == rhs.code }

    public var description: String { "transcript error (\(code)): \(message)" }
}
