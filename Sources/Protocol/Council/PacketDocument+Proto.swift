extension PacketDocument.Block {
  /// The block as `gongjian.v1.PacketBlock`, for an offline summary. A cover has no proto form:
  /// summaries carry computed sections only.
  var proto: Gongjian_V1_PacketBlock? {
    switch self {
    case .cover:
      return nil
    case .heading(let level, let text):
      return .with { $0.heading = .with { $0.level = Int32(level); $0.text = text } }
    case .paragraph(let text):
      return .with { $0.paragraph = text }
    case .note(let text):
      return .with { $0.note = text }
    case .keyValues(let pairs):
      return .with { $0.keyValues.pairs = pairs.map { pair in .with { $0.key = pair.0; $0.value = pair.1 } } }
    case .table(let header, let rows, let widths, let noWrap, let emphasis, let code):
      return .with {
        $0.table = .with {
          $0.header = header
          $0.rows = rows.map { row in .with { $0.cells = row } }
          $0.widths = widths.map(Int32.init)
          $0.noWrap = noWrap.map(Int32.init)
          $0.code = code.map(Int32.init)
          $0.emphasis = emphasis
        }
      }
    case .list(let items):
      return .with { $0.list.items = items }
    case .chart(let svg, let caption):
      return .with { $0.chart = .with { $0.svg = svg; $0.caption = caption } }
    }
  }

  /// A block from `gongjian.v1.PacketBlock`; nil for an empty one (a newer server's kind of block).
  init?(_ proto: Gongjian_V1_PacketBlock) {
    switch proto.block {
    case .heading(let heading)?:
      self = .heading(level: Int(heading.level), text: heading.text)
    case .paragraph(let text)?:
      self = .paragraph(text)
    case .note(let text)?:
      self = .note(text)
    case .keyValues(let pairs)?:
      self = .keyValues(pairs.pairs.map { ($0.key, $0.value) })
    case .table(let table)?:
      self = .table(
        header: table.header, rows: table.rows.map(\.cells), widths: table.widths.map(Int.init),
        noWrap: table.noWrap.map(Int.init), emphasis: table.emphasis, code: table.code.map(Int.init)
      )
    case .list(let items)?:
      self = .list(items.items)
    case .chart(let chart)?:
      self = .chart(svg: chart.svg, caption: chart.caption)
    case nil:
      return nil
    }
  }
}
