internal import Foundation

/// A document built once and written as HTML (self-contained: inline CSS and SVG, print
/// stylesheet, well-formed XHTML) and as Markdown with the same tables.
struct PacketDocument {
  enum Block {
    case heading(level: Int, text: String)
    case paragraph(String)
    case keyValues([(String, String)])
    case table(header: [String], rows: [[String]])
    case list([String])
    /// An SVG chart; Markdown gets its caption.
    case chart(svg: String, caption: String)
    case pageBreak
  }

  var title: String
  var blocks: [Block] = []

  var sections: [String] {
    self.blocks.compactMap { if case .heading(2, let text) = $0 { return text } else { return nil } }
  }

  static func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.count)
    for ch in text {
      switch ch {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      default: out.append(ch)
      }
    }
    return out
  }

  static let css = """
    body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "Source Han Sans SC", sans-serif;
      margin: 2em auto; max-width: 60em; color: #1d2430; line-height: 1.5; }
    h1 { font-size: 1.8em; border-bottom: 3px solid #1f4e79; padding-bottom: .3em; }
    h2 { font-size: 1.3em; color: #1f4e79; margin-top: 1.6em; border-bottom: 1px solid #c9d3df; }
    h3 { font-size: 1.05em; margin-bottom: .2em; }
    table { border-collapse: collapse; width: 100%; margin: .6em 0 1em; font-size: .92em; }
    th, td { border: 1px solid #c9d3df; padding: .3em .5em; text-align: left; vertical-align: top; }
    th { background: #eef3f8; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; }
    dl.kv { display: grid; grid-template-columns: max-content auto; gap: .2em 1em; }
    dl.kv dt { font-weight: bold; }
    figure { margin: 1em 0; }
    figcaption { font-size: .85em; color: #555; }
    .page-break { page-break-after: always; break-after: page; }
    @media print {
      body { margin: 0; max-width: none; font-size: 10.5pt; }
      h2 { page-break-after: avoid; break-after: avoid; }
      table, figure { page-break-inside: avoid; break-inside: avoid; }
      a { color: inherit; text-decoration: none; }
    }
    @page { size: A4; margin: 18mm 16mm; }
    """

  var html: String {
    var out = """
      <!DOCTYPE html>
      <html xmlns="http://www.w3.org/1999/xhtml" lang="zh-CN">
      <head>
      <meta charset="utf-8"/>
      <meta name="viewport" content="width=device-width, initial-scale=1"/>
      <title>\(Self.escape(self.title))</title>
      <style>
      \(Self.css)
      </style>
      </head>
      <body>
      <h1>\(Self.escape(self.title))</h1>

      """
    for block in self.blocks {
      switch block {
      case .heading(let level, let text):
        out += "<h\(level)>\(Self.escape(text))</h\(level)>\n"
      case .paragraph(let text):
        out += "<p>\(Self.escape(text))</p>\n"
      case .keyValues(let pairs):
        out += "<dl class=\"kv\">\n"
        for (key, value) in pairs { out += "<dt>\(Self.escape(key))</dt><dd>\(Self.escape(value))</dd>\n" }
        out += "</dl>\n"
      case .table(let header, let rows):
        out += "<table>\n<thead><tr>" + header.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for row in rows {
          out += "<tr>" + row.map { cell in
            let numeric = !cell.isEmpty && cell.allSatisfy { "0123456789.,%-+ ".contains($0) }
            return numeric ? "<td class=\"num\">\(Self.escape(cell))</td>" : "<td>\(Self.escape(cell))</td>"
          }.joined() + "</tr>\n"
        }
        out += "</tbody>\n</table>\n"
      case .list(let items):
        out += "<ul>\n" + items.map { "<li>\(Self.escape($0))</li>\n" }.joined() + "</ul>\n"
      case .chart(let svg, let caption):
        out += "<figure>\n\(svg)\n<figcaption>\(Self.escape(caption))</figcaption>\n</figure>\n"
      case .pageBreak:
        out += "<div class=\"page-break\"></div>\n"
      }
    }
    out += "</body>\n</html>\n"
    return out
  }

  static func markdownCell(_ text: String) -> String {
    text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
  }

  var markdown: String {
    var out = "# \(self.title)\n\n"
    for block in self.blocks {
      switch block {
      case .heading(let level, let text):
        out += String(repeating: "#", count: level) + " \(text)\n\n"
      case .paragraph(let text):
        out += "\(text)\n\n"
      case .keyValues(let pairs):
        out += pairs.map { "- **\($0.0)**: \($0.1)" }.joined(separator: "\n") + "\n\n"
      case .table(let header, let rows):
        out += "| " + header.map(Self.markdownCell).joined(separator: " | ") + " |\n"
        out += "|" + header.map { _ in " --- |" }.joined() + "\n"
        for row in rows { out += "| " + row.map(Self.markdownCell).joined(separator: " | ") + " |\n" }
        out += "\n"
      case .list(let items):
        out += items.map { "- \($0)" }.joined(separator: "\n") + "\n\n"
      case .chart(_, let caption):
        out += "_Chart: \(caption)_\n\n"
      case .pageBreak:
        break
      }
    }
    return out
  }
}

/// Horizontal bar charts as inline SVG.
enum BarChart {
  struct Bar {
    var label: String
    var value: Double
    var display: String
    var highlight: Bool = false
  }

  /// One group of bars, scaled to the largest value (or to `scaleTo` when given).
  static func svg(title: String, bars: [Bar], scaleTo: Double? = nil, marker: (value: Double, label: String)? = nil) -> String {
    let width = 640.0
    let labelWidth = 210.0
    let barHeight = 22.0
    let gap = 8.0
    let top = 30.0
    let height = top + Double(bars.count) * (barHeight + gap) + 10
    let maxValue = max(scaleTo ?? 0, bars.map(\.value).max() ?? 0, marker?.value ?? 0, 1)
    let plot = width - labelWidth - 90
    var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(PacketDocument.escape(title))\">"
    out += "<text x=\"0\" y=\"18\" font-size=\"14\" font-weight=\"bold\" fill=\"#1f4e79\">\(PacketDocument.escape(title))</text>"
    for (index, bar) in bars.enumerated() {
      let y = top + Double(index) * (barHeight + gap)
      let length = max(1, plot * bar.value / maxValue)
      out += "<text x=\"\(Int(labelWidth - 8))\" y=\"\(Int(y + 15))\" font-size=\"12\" text-anchor=\"end\" fill=\"#1d2430\">\(PacketDocument.escape(bar.label))</text>"
      out += "<rect x=\"\(Int(labelWidth))\" y=\"\(Int(y))\" width=\"\(String(format: "%.1f", length))\" height=\"\(Int(barHeight))\" fill=\"\(bar.highlight ? "#c0392b" : "#2e75b6")\"/>"
      out += "<text x=\"\(String(format: "%.1f", labelWidth + length + 6))\" y=\"\(Int(y + 15))\" font-size=\"12\" fill=\"#1d2430\">\(PacketDocument.escape(bar.display))</text>"
    }
    if let marker {
      let x = labelWidth + plot * marker.value / maxValue
      out += "<line x1=\"\(String(format: "%.1f", x))\" y1=\"\(Int(top - 6))\" x2=\"\(String(format: "%.1f", x))\" y2=\"\(Int(height - 6))\" stroke=\"#e67e22\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>"
      out += "<text x=\"\(String(format: "%.1f", x + 4))\" y=\"\(Int(top - 8))\" font-size=\"11\" fill=\"#e67e22\">\(PacketDocument.escape(marker.label))</text>"
    }
    out += "</svg>"
    return out
  }
}
