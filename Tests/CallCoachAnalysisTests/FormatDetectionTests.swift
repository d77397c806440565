import CallCoachAnalysis
import Testing

@Suite struct FormatDetectionTests {
    private func detect(_ text: String, type: String? = nil, name: String? = nil) -> TranscriptFormat? {
        TranscriptFormat.detect(bytes: Fixtures.bytes(text), contentType: type, filename: name)
    }

    @Test func contentTypesWin() {
        #expect(detect("WEBVTT", type: "application/json; charset=utf-8") == .json)
        #expect(detect("", type: "text/vtt") == .webVTT)
        #expect(detect("", type: "application/x-subrip") == .srt)
        #expect(detect("", type: "Text/SRT") == .srt)
    }

    @Test func extensionsComeNext() {
        #expect(detect("", type: "application/octet-stream", name: "call.VTT") == .webVTT)
        #expect(detect("", name: "call.srt") == .srt)
        #expect(detect("", name: "export.json") == .json)
        #expect(detect("", name: "notes.txt") == nil)
    }

    @Test func theBytesDecideLast() {
        #expect(detect("WEBVTT\n\n00:01.000 --> 00:02.000\nhi") == .webVTT)
        #expect(detect("\u{FEFF}WEBVTT") == .webVTT)
        #expect(detect("WEBVTTX") == nil)
        #expect(detect("  \n{\"speakers\":[]}") == .json)
        #expect(detect("\r\n1\r\n00:00:01,000 --> 00:00:02,000\r\nhi") == .srt)
        #expect(detect("1\n00:00:01.000 --> 00:00:02.000\nhi") == nil)
        #expect(detect("hello") == nil)
    }
}
