import Foundation
import Synchronization

/// Request counts and latency histograms, exposed in the Prometheus text format.
public final class Metrics: Sendable {
    /// Upper bounds of the latency buckets, in seconds.
    public static let latencyBuckets: [Double] = [
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    struct RequestKey: Hashable, Comparable {
        var method: String
        var route: String
        var status: Int

        static func < (lhs: RequestKey, rhs: RequestKey) -> Bool {
            (lhs.route, lhs.method, lhs.status) < (rhs.route, rhs.method, rhs.status)
        }
    }

    struct Histogram {
        var buckets = [Int](repeating: 0, count: Metrics.latencyBuckets.count)
        var count = 0
        var sum = 0.0

        mutating func observe(_ seconds: Double) {
            count += 1
            sum += seconds
            for (index, bound) in Metrics.latencyBuckets.enumerated() where seconds <= bound {
                buckets[index] += 1
            }
        }
    }

    private let requests = Mutex<[RequestKey: Histogram]>([:])
    private let counters = Mutex<[String: Int]>([:])
    /// Gauge series by name, then by their label text.
    private let gauges = Mutex<[String: [String: Double]]>([:])

    public init() {}

    /// Records one finished request under its route pattern (never the raw path).
    public func recordRequest(method: String, route: String, status: Int, seconds: Double) {
        let key = RequestKey(method: method, route: route, status: status)
        requests.withLock { $0[key, default: Histogram()].observe(seconds) }
    }

    /// Adds one to a named counter, e.g. `callcoach_http_protocol_errors_total`.
    public func increment(_ name: StaticString) {
        counters.withLock { $0[name.description, default: 0] += 1 }
    }

    /// The current value of a named counter.
    public func value(of name: StaticString) -> Int {
        counters.withLock { $0[name.description, default: 0] }
    }

    /// Sets a gauge, e.g. `callcoach_engine_memory_bytes{engine="whisper:tiny.en"}`.
    public func setGauge(_ name: StaticString, labels: [String: String] = [:], _ value: Double) {
        let text = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\(RequestKey.escaped($0.value))" }
            .joined(separator: ",")
        gauges.withLock { $0[name.description, default: [:]][text] = value }
    }

    /// All metrics in the Prometheus text exposition format, version 0.0.4.
    public func exposition() -> String {
        let snapshot = requests.withLock { $0 }
        var text = "# HELP callcoach_http_requests_total HTTP requests by method, route and status.\n"
        text += "# TYPE callcoach_http_requests_total counter\n"
        for key in snapshot.keys.sorted() {
            text += "callcoach_http_requests_total{\(key.labels)} \(snapshot[key]!.count)\n"
        }
        text += "# HELP callcoach_http_request_duration_seconds HTTP request latency by method, route and status.\n"
        text += "# TYPE callcoach_http_request_duration_seconds histogram\n"
        for key in snapshot.keys.sorted() {
            text += Self.histogramLines(key: key, histogram: snapshot[key]!)
        }
        for (name, value) in counters.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            text += "# TYPE \(name) counter\n\(name) \(value)\n"
        }
        for (name, series) in gauges.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            text += "# TYPE \(name) gauge\n"
            for (labels, value) in series.sorted(by: { $0.key < $1.key }) {
                text += labels.isEmpty ? "\(name) \(value)\n" : "\(name){\(labels)} \(value)\n"
            }
        }
        return text
    }

    private static func histogramLines(key: RequestKey, histogram: Histogram) -> String {
        let name = "callcoach_http_request_duration_seconds"
        var text = ""
        for (index, bound) in latencyBuckets.enumerated() {
            text += "\(name)_bucket{\(key.labels),le=\"\(bound)\"} \(histogram.buckets[index])\n"
        }
        text += "\(name)_bucket{\(key.labels),le=\"+Inf\"} \(histogram.count)\n"
        text += "\(name)_sum{\(key.labels)} \(histogram.sum)\n"
        text += "\(name)_count{\(key.labels)} \(histogram.count)\n"
        return text
    }
}

extension Metrics.RequestKey {
    var labels: String {
        "method=\(Self.escaped(method)),route=\(Self.escaped(route)),status=\"\(status)\""
    }

    static func escaped(_ value: String) -> String {
        var out = "\""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out + "\""
    }
}
