internal import Foundation

/// A document built once and written as HTML (self-contained: inline CSS and SVG, a print
/// stylesheet with page numbers and the meeting title in the footer, well-formed XHTML) and as
/// Markdown with the same tables.
struct PacketDocument {
  enum Block {
    /// The cover page: council, title, subtitle, the meeting's particulars, the issuer.
    case cover(council: String, title: String, subtitle: String, rows: [(String, String)], issuer: String)
    case heading(level: Int, text: String)
    case paragraph(String)
    /// A smaller explanatory paragraph.
    case note(String)
    case keyValues([(String, String)])
    /// A table; `widths` in per cent of the page, `noWrap` and `code` column indexes, and
    /// `emphasis` per row (overdue, not met).
    case table(header: [String], rows: [[String]], widths: [Int] = [], noWrap: [Int] = [], emphasis: [Bool] = [], code: [Int] = [])
    case list([String])
    /// An SVG chart, numbered in order; Markdown gets its caption.
    case chart(svg: String, caption: String)
  }

  var title: String
  /// The footer's text beside the page number.
  var footer: String
  var language: PacketEdition.Language
  var blocks: [Block] = []

  init(title: String, footer: String, language: PacketEdition.Language) {
    self.title = title
    self.footer = footer
    self.language = language
  }

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

  /// A CSS string literal.
  static func cssString(_ text: String) -> String {
    "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
  }

  var css: String {
    let zh = self.language == .zh
    let page = zh ? "\"第 \" counter(page) \" 页　共 \" counter(pages) \" 页\"" : "\"Page \" counter(page) \" of \" counter(pages)"
    return """
      body { font-family: \(zh ? "\"Noto Serif CJK SC\", \"Noto Sans CJK SC\", " : "")"Noto Sans", "Noto Sans CJK SC", sans-serif;
        margin: 2em auto; max-width: 60em; color: #1d2430; line-height: 1.6; }
      h1.doc-title { display: none; }
      h2 { font-size: 1.3em; color: #1f4e79; margin: 1.4em 0 .5em; border-bottom: 1px solid #c9d3df; }
      h3 { font-size: 1.05em; margin: 1em 0 .3em; }
      p { margin: .4em 0; }
      p.note { font-size: .88em; color: #4a5565; }
      table { border-collapse: collapse; width: 100%; margin: .5em 0 1em; font-size: .9em; table-layout: fixed; }
      th, td { border: 1px solid #aab6c4; padding: .25em .45em; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
      th { background: #eef3f8; }
      td.num { text-align: right; font-variant-numeric: tabular-nums; }
      td.nowrap { white-space: nowrap; }
      td.code { font-family: "Noto Sans Mono", monospace; font-size: .8em; }
      tr.emphasis td { color: #a3261b; }
      dl.kv { display: grid; grid-template-columns: max-content auto; gap: .15em 1em; margin: .3em 0; }
      dl.kv dt { font-weight: bold; }
      dl.kv dd { margin: 0; }
      figure { margin: .6em 0 1em; }
      figure svg { width: 100%; height: auto; max-height: 70mm; }
      figcaption { font-size: .85em; color: #4a5565; text-align: center; }
      section.cover { display: flex; flex-direction: column; justify-content: space-between; min-height: 240mm; text-align: center; }
      section.cover .council { font-size: 1.3em; letter-spacing: .2em; margin-top: 18mm; }
      section.cover .title { font-size: 2em; font-weight: bold; color: #a3261b; margin: 12mm 0 4mm; }
      section.cover .subtitle { font-size: 1.5em; letter-spacing: .3em; }
      section.cover table { width: 80%; margin: 14mm auto; font-size: 1.05em; table-layout: auto; }
      section.cover th { width: 28%; text-align: center; }
      section.cover .issuer { font-size: 1.15em; margin-bottom: 10mm; }
      @media print {
        body { margin: 0; max-width: none; font-size: 10.5pt; }
        section.cover { break-after: page; page-break-after: always; }
        h2, h3 { break-after: avoid; page-break-after: avoid; }
        tr, figure, dl.kv { break-inside: avoid; page-break-inside: avoid; }
        thead { display: table-header-group; }
      }
      @page { size: A4; margin: 18mm 16mm 20mm;
        @bottom-left { content: \(Self.cssString(self.footer)); font-size: 8pt; color: #4a5565; }
        @bottom-right { content: \(page); font-size: 8pt; color: #4a5565; } }
      @page :first { @bottom-left { content: none; } @bottom-right { content: none; } }
      """
  }

  var html: String {
    var out = """
      <!DOCTYPE html>
      <html xmlns="http://www.w3.org/1999/xhtml" lang="\(self.language == .zh ? "zh-CN" : "en")">
      <head>
      <meta charset="utf-8"/>
      <meta name="viewport" content="width=device-width, initial-scale=1"/>
      <title>\(Self.escape(self.title))</title>
      <style>
      \(self.css)
      </style>
      </head>
      <body>
      <h1 class="doc-title">\(Self.escape(self.title))</h1>

      """
    var figure = 0
    for block in self.blocks {
      switch block {
      case .cover(let council, let title, let subtitle, let rows, let issuer):
        out += "<section class=\"cover\">\n<div>\n<div class=\"council\">\(Self.escape(council))</div>\n"
        out += "<div class=\"title\">\(Self.escape(title))</div>\n<div class=\"subtitle\">\(Self.escape(subtitle))</div>\n</div>\n<table>\n<tbody>\n"
        for (key, value) in rows { out += "<tr><th>\(Self.escape(key))</th><td>\(Self.escape(value))</td></tr>\n" }
        out += "</tbody>\n</table>\n<div class=\"issuer\">\(Self.escape(issuer))</div>\n</section>\n"
      case .heading(let level, let text):
        out += "<h\(level)>\(Self.escape(text))</h\(level)>\n"
      case .paragraph(let text):
        out += "<p>\(Self.escape(text))</p>\n"
      case .note(let text):
        out += "<p class=\"note\">\(Self.escape(text))</p>\n"
      case .keyValues(let pairs):
        out += "<dl class=\"kv\">\n"
        for (key, value) in pairs { out += "<dt>\(Self.escape(key))</dt><dd>\(Self.escape(value))</dd>\n" }
        out += "</dl>\n"
      case .table(let header, let rows, let widths, let noWrap, let emphasis, let code):
        out += "<table>\n"
        if widths.count == header.count {
          out += "<colgroup>" + widths.map { "<col style=\"width: \($0)%\"/>" }.joined() + "</colgroup>\n"
        }
        out += "<thead><tr>" + header.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for (index, row) in rows.enumerated() {
          out += index < emphasis.count && emphasis[index] ? "<tr class=\"emphasis\">" : "<tr>"
          out += row.enumerated().map { column, cell in
            var classes: [String] = []
            if !cell.isEmpty && cell.allSatisfy({ "0123456789.,%-+−± ".contains($0) }) { classes.append("num") }
            if noWrap.contains(column) { classes.append("nowrap") }
            if code.contains(column) { classes.append("code") }
            let attribute = classes.isEmpty ? "" : " class=\"\(classes.joined(separator: " "))\""
            return "<td\(attribute)>\(Self.escape(cell))</td>"
          }.joined() + "</tr>\n"
        }
        out += "</tbody>\n</table>\n"
      case .list(let items):
        out += "<ul>\n" + items.map { "<li>\(Self.escape($0))</li>\n" }.joined() + "</ul>\n"
      case .chart(let svg, let caption):
        figure += 1
        out += "<figure>\n\(svg)\n<figcaption>\(Self.escape(self.figureLabel(figure) + caption))</figcaption>\n</figure>\n"
      }
    }
    out += "</body>\n</html>\n"
    return out
  }

  func figureLabel(_ n: Int) -> String {
    self.language == .zh ? "图\(n)　" : "Figure \(n). "
  }

  static func markdownCell(_ text: String) -> String {
    text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
  }

  var markdown: String {
    var out = "# \(self.title)\n\n"
    var figure = 0
    for block in self.blocks {
      switch block {
      case .cover(let council, let title, let subtitle, let rows, let issuer):
        out += "**\(council)**\n\n**\(title)**\n\n\(subtitle)\n\n"
        out += rows.map { "- **\($0.0)**: \($0.1)" }.joined(separator: "\n") + "\n\n\(issuer)\n\n"
      case .heading(let level, let text):
        out += String(repeating: "#", count: level) + " \(text)\n\n"
      case .paragraph(let text):
        out += "\(text)\n\n"
      case .note(let text):
        out += "> \(text)\n\n"
      case .keyValues(let pairs):
        out += pairs.map { "- **\($0.0)**: \($0.1)" }.joined(separator: "\n") + "\n\n"
      case .table(let header, let rows, _, _, _, _):
        out += "| " + header.map(Self.markdownCell).joined(separator: " | ") + " |\n"
        out += "|" + header.map { _ in " --- |" }.joined() + "\n"
        for row in rows { out += "| " + row.map(Self.markdownCell).joined(separator: " | ") + " |\n" }
        out += "\n"
      case .list(let items):
        out += items.map { "- \($0)" }.joined(separator: "\n") + "\n\n"
      case .chart(_, let caption):
        figure += 1
        out += "*\(self.figureLabel(figure))\(caption)*\n\n"
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

  /// One group of bars, scaled to the largest value (or the marker's), with an optional marker line
  /// (a target).
  static func svg(title: String, bars: [Bar], marker: (value: Double, label: String)? = nil) -> String {
    let width = 640.0
    // Wide enough for the longest label at 12 px (CJK glyphs a full em, others about half).
    let widest = bars.map { $0.label.unicodeScalars.reduce(0.0) { $0 + ($1.value >= 0x2E80 ? 12.5 : 6.8) } }.max() ?? 0
    let labelWidth = min(330, max(120, widest + 16))
    let barHeight = 22.0
    let gap = 8.0
    let top = 30.0
    let height = top + Double(bars.count) * (barHeight + gap) + 10
    let maxValue = max(bars.map(\.value).max() ?? 0, marker?.value ?? 0, 1)
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
