/// SVG charts drawn on the server: no script, no external asset, presentation attributes only
/// (the policy allows no inline style). Every chart carries a title and a text alternative.
enum Charts {
    /// A score trend: values 0–100 in order, joined by a line, with the points labelled.
    static func trend(_ title: String, _ points: [(label: String, value: Double)]) -> HTML {
        guard !points.isEmpty else { return "<p class=\"muted\">No scored calls yet.</p>" }
        let width = 1000.0
        let height = 200.0
        let left = 34.0
        let bottom = 22.0
        let step = points.count > 1 ? (width - left - 10) / Double(points.count - 1) : 0
        let position = { (index: Int, value: Double) -> (Double, Double) in
            (left + Double(index) * step, 8 + (height - bottom - 8) * (1 - min(max(value, 0), 100) / 100))
        }
        var grid: [HTML] = []
        for mark in [0.0, 50, 100] {
            let y = position(0, mark).1
            grid.append(
                """
                <line x1="\(left)" y1="\(y)" x2="\(width - 6)" y2="\(y)" stroke="#d9e2ec"/>\
                <text x="\(left - 6)" y="\(y + 4)" text-anchor="end" font-size="11" fill="#52606d">\(Int(mark))</text>
                """)
        }
        let path = points.enumerated().map { index, point in
            let (x, y) = position(index, point.value)
            return "\(index == 0 ? "M" : "L")\(HTML.number(x)) \(HTML.number(y))"
        }.joined(separator: " ")
        let dots = points.enumerated().map { index, point -> HTML in
            let (x, y) = position(index, point.value)
            return """
                <circle cx="\(x)" cy="\(y)" r="4" fill="#1d4ed8"><title>\(point.label): \(point.value, digits: 0)</title></circle>
                """
        }
        let summary = points.map { "\($0.label) \(HTML.number($0.value, digits: 0))" }.joined(separator: ", ")
        return """
            <svg class="chart" viewBox="0 0 \(width) \(height)" role="img" aria-label="\(title): \(summary)">\
            <title>\(title)</title>\(grid)<path d="\(path)" fill="none" stroke="#1d4ed8" stroke-width="2"/>\(dots)</svg>
            """
    }

    /// Horizontal bars, one per row, each 0–100 with an optional benchmark tick.
    static func bars(_ title: String, _ rows: [(label: String, value: Double, benchmark: Double?)], unit: String = "")
        -> HTML
    {
        guard !rows.isEmpty else { return "<p class=\"muted\">Nothing to show yet.</p>" }
        let width = 900.0
        let labelWidth = 170.0
        let rowHeight = 26.0
        let height = Double(rows.count) * rowHeight + 6
        let scale = (width - labelWidth - 60) / 100
        var parts: [HTML] = []
        for (index, row) in rows.enumerated() {
            let y = Double(index) * rowHeight + 4
            let value = min(max(row.value, 0), 100)
            let color = row.benchmark.map { value >= $0 ? "#047857" : "#b91c1c" } ?? "#1d4ed8"
            parts.append(
                """
                <text x="\(labelWidth - 8)" y="\(y + 15)" text-anchor="end" font-size="12" fill="#1f2933">\(row.label)</text>\
                <rect x="\(labelWidth)" y="\(y + 3)" width="\(value * scale)" height="16" rx="3" fill="\(color)">\
                <title>\(row.label): \(row.value, digits: 1)\(unit)</title></rect>\
                <text x="\(labelWidth + value * scale + 6)" y="\(y + 15)" font-size="12" fill="#1f2933">\(row.value, digits: 0)\(unit)</text>
                """)
            if let benchmark = row.benchmark {
                let x = labelWidth + min(max(benchmark, 0), 100) * scale
                parts.append(
                    """
                    <line x1="\(x)" y1="\(y)" x2="\(x)" y2="\(y + 22)" stroke="#1f2933" stroke-width="2" stroke-dasharray="3 2">\
                    <title>Benchmark \(benchmark, digits: 1)\(unit)</title></line>
                    """)
            }
        }
        let summary = rows.map { "\($0.label) \(HTML.number($0.value, digits: 0))\(unit)" }.joined(separator: ", ")
        return """
            <svg class="chart" viewBox="0 0 \(width) \(height)" role="img" aria-label="\(title): \(summary)">\
            <title>\(title)</title>\(parts)</svg>
            """
    }

    /// A mark on the call timeline that seeks the player.
    struct Mark {
        let at: Double
        let end: Double?
        let kind: String
        let label: String
    }

    /// Who spoke when, one lane per speaker, with marks for findings, silences and interruptions.
    /// Every mark is a button that moves the player to its moment.
    static func timeline(duration: Double, lanes: [(name: String, spans: [(Double, Double)])], marks: [Mark]) -> HTML {
        let duration = max(duration, 1)
        let width = 900.0
        let left = 80.0
        let laneHeight = 22.0
        let markTop = Double(lanes.count) * (laneHeight + 6) + 4
        let height = markTop + 34
        let x = { (time: Double) in left + (width - left - 10) * min(max(time, 0), duration) / duration }
        let colors = ["#1d4ed8", "#0f766e", "#7c3aed", "#b45309"]
        var parts: [HTML] = []
        for (index, lane) in lanes.enumerated() {
            let y = Double(index) * (laneHeight + 6) + 4
            parts.append(
                """
                <text x="\(left - 8)" y="\(y + 15)" text-anchor="end" font-size="12" fill="#1f2933">\(lane.name)</text>\
                <rect x="\(left)" y="\(y)" width="\(width - left - 10)" height="\(laneHeight)" fill="#f0f4f8"/>
                """)
            for (start, end) in lane.spans {
                parts.append(
                    """
                    <rect x="\(x(start))" y="\(y)" width="\(max(x(end) - x(start), 1))" height="\(laneHeight)" \
                    fill="\(colors[index % colors.count])" data-seek="\(start, digits: 2)"><title>\(lane.name) \
                    \(WebPages.duration(start))–\(WebPages.duration(end))</title></rect>
                    """)
            }
        }
        let markColors = ["finding": "#b91c1c", "silence": "#52606d", "interruption": "#b45309", "evidence": "#047857"]
        for mark in marks {
            let start = x(mark.at)
            let color = markColors[mark.kind] ?? "#1f2933"
            let shape: HTML =
                if let end = mark.end, end > mark.at {
                    """
                    <rect x="\(start)" y="\(markTop + 4)" width="\(max(x(end) - start, 3))" height="10" fill="\(color)" opacity="0.7"/>
                    """
                } else {
                    """
                    <path d="M\(start) \(markTop + 2) l6 12 h-12 z" fill="\(color)"/>
                    """
                }
            parts.append(
                """
                <g data-seek="\(mark.at, digits: 2)" tabindex="0" role="button" aria-label="\(mark.label) at \
                \(WebPages.duration(mark.at))" class="mark \(mark.kind)"><title>\(mark.label) at \
                \(WebPages.duration(mark.at))</title>\(shape)</g>
                """)
        }
        for tick in stride(from: 0.0, through: duration, by: max((duration / 6).rounded(.up), 1)) {
            parts.append(
                """
                <text x="\(x(tick))" y="\(height - 2)" text-anchor="middle" font-size="11" fill="#52606d">\
                \(WebPages.duration(tick))</text>
                """)
        }
        return """
            <svg class="chart" viewBox="0 0 \(width) \(height)" role="group" aria-label="Talk-time timeline">\
            <title>Talk-time timeline</title>\(parts)</svg>
            """
    }
}
