extension VoiceActivityDetector {
    /// The numbers behind the detector; `docs/audio.md` explains each one.
    public struct Parameters: Sendable, Hashable {
        /// Length of the window whose RMS level is measured.
        public var frameDuration = 0.030
        /// Step between windows; times are reported on this grid.
        public var hopDuration = 0.010
        /// A frame below this level (dBFS) is never speech.
        public var absoluteThreshold = -50.0
        /// Speech must be this many dB above the noise floor.
        public var noiseMargin = 12.0
        /// Once speech has started, frames count as speech down to this many dB below the threshold.
        public var releaseHysteresis = 3.0
        /// The noise floor is this percentile of frame levels in the noise window.
        public var noisePercentile = 0.10
        /// Seconds of frames (past and look-ahead) the noise floor is taken over.
        public var noiseWindow = 10.0
        /// Seconds of future frames the noise floor sees before a frame is classified.
        public var lookahead = 1.0
        /// Consecutive speech frames needed to start a segment; it starts at the first of them.
        public var onsetFrames = 3
        /// Seconds of non-speech that end a segment; it ends with the last speech frame.
        public var hangover = 0.300
        /// Segments separated by less than this many seconds are joined.
        public var mergeGap = 0.300
        /// Segments shorter than this many seconds, after joining, are dropped.
        public var minimumDuration = 0.200

        public init() {}
    }
}
