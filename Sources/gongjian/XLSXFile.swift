import Foundation
import GongjianClient
import ZIPFoundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// The minimal Office Open XML workbook that spreadsheet programs open: one sheet, written with
/// ZIPFoundation. No maintained XLSX library is in the package mirror (DESIGN.md, "Spreadsheets").
///
/// Cells are inline strings, except whole numbers of up to 15 digits, which are numbers (Excel
/// keeps 15 significant digits). Reading takes the first sheet, shared or inline strings,
/// numbers and booleans, and places cells by their reference (`C7`), so empty cells may be left
/// out as Excel does.
enum XLSXFile {
  static func write(_ rows: [[String]], to path: String, sheetName: String) throws {
    var sheet = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#
    sheet += #"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#
    for (r, row) in rows.enumerated() {
      sheet += #"<row r="\#(r + 1)">"#
      for (c, value) in row.enumerated() where !value.isEmpty {
        let ref = Spreadsheet.letter(c) + String(r + 1)
        if value.count <= 15, value.allSatisfy(\.isASCII), Int64(value) != nil, !(value.hasPrefix("0") && value.count > 1), !value.hasPrefix("+") {
          sheet += #"<c r="\#(ref)"><v>\#(value)</v></c>"#
        } else {
          sheet += #"<c r="\#(ref)" t="inlineStr"><is><t xml:space="preserve">\#(Self.escape(value))</t></is></c>"#
        }
      }
      sheet += "</row>"
    }
    sheet += "</sheetData></worksheet>"
    let files: [(String, String)] = [
      ("[Content_Types].xml", #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#),
      ("_rels/.rels", #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
      ("xl/workbook.xml", #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="\#(Self.escape(String(sheetName.prefix(31))))" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
      ("xl/_rels/workbook.xml.rels", #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#),
      ("xl/worksheets/sheet1.xml", sheet),
    ]
    do {
      let archive = try Archive(data: Data(), accessMode: .create)
      for (name, text) in files {
        let data = Data(text.utf8)
        // A fixed date keeps the same records' export byte for byte the same.
        try archive.addEntry(
          with: name, type: .file, uncompressedSize: Int64(data.count), modificationDate: Date(timeIntervalSince1970: 1_700_000_000),
          compressionMethod: .deflate
        ) { position, size in
          data.subdata(in: Int(position)..<Int(position) + size)
        }
      }
      guard let bytes = archive.data else { throw GongjianClientError(.local, "\(path): could not build the workbook") }
      try bytes.write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch let error as GongjianClientError {
      throw error
    } catch {
      throw GongjianClientError(.local, "\(path): cannot write (\(error))")
    }
  }

  static func read(_ path: String) throws -> [[String]] {
    let archive: Archive
    do {
      archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
    } catch {
      throw GongjianClientError(.usage, "\(path): not an .xlsx workbook (\(error))")
    }
    func entry(_ name: String) throws -> Data? {
      guard let entry = archive[name] else { return nil }
      var data = Data()
      _ = try archive.extract(entry) { data.append($0) }
      return data
    }
    do {
      let sheetPath = try Self.firstSheetPath(workbook: entry("xl/workbook.xml"), rels: entry("xl/_rels/workbook.xml.rels")) ?? "xl/worksheets/sheet1.xml"
      guard let sheet = try entry(sheetPath) else { throw GongjianClientError(.usage, "\(path): the workbook has no sheet") }
      let shared = try entry("xl/sharedStrings.xml").map(SharedStrings.parse) ?? []
      return try SheetCells.parse(sheet, shared: shared, path: path)
    } catch let error as GongjianClientError {
      throw error
    } catch {
      throw GongjianClientError(.usage, "\(path): not a readable workbook (\(error))")
    }
  }

  static func escape(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      // XML 1.0 cannot carry other control characters.
      case _ where scalar.value < 0x20 && scalar != "\n" && scalar != "\t" && scalar != "\r": continue
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  /// The first sheet's part, through the workbook's relationships.
  static func firstSheetPath(workbook: Data?, rels: Data?) throws -> String? {
    guard let workbook, let rels else { return nil }
    let sheets = Elements.collect(workbook, named: "sheet")
    guard let id = sheets.first?["r:id"] else { return nil }
    let target = Elements.collect(rels, named: "Relationship").first { $0["Id"] == id }?["Target"]
    return target.map { $0.hasPrefix("/") ? String($0.dropFirst()) : "xl/" + $0 }
  }

  /// Attributes of every element with a name.
  final class Elements: NSObject, XMLParserDelegate {
    let name: String
    var found: [[String: String]] = []

    init(name: String) { self.name = name }

    static func collect(_ data: Data, named name: String) -> [[String: String]] {
      let delegate = Elements(name: name)
      let parser = XMLParser(data: data)
      parser.delegate = delegate
      _ = parser.parse()
      return delegate.found
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
      if elementName == self.name { self.found.append(attributes) }
    }
  }

  /// The shared strings table: each `<si>`'s text, runs joined.
  final class SharedStrings: NSObject, XMLParserDelegate {
    var strings: [String] = []
    var current: String?
    var inText = false

    static func parse(_ data: Data) throws -> [String] {
      let delegate = SharedStrings()
      let parser = XMLParser(data: data)
      parser.delegate = delegate
      guard parser.parse() else { throw parser.parserError ?? GongjianClientError(.usage, "bad sharedStrings.xml") }
      return delegate.strings
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
      if elementName == "si" { self.current = "" }
      if elementName == "t" { self.inText = true }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
      if self.inText { self.current? += string }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
      if elementName == "t" { self.inText = false }
      if elementName == "si" {
        self.strings.append(self.current ?? "")
        self.current = nil
      }
    }
  }

  /// A sheet's cells placed in a grid by their references.
  final class SheetCells: NSObject, XMLParserDelegate {
    let shared: [String]
    var rows: [Int: [Int: String]] = [:]
    var reference = ""
    var type = ""
    var value = ""
    var inValue = false
    var failure: String?

    init(shared: [String]) { self.shared = shared }

    static func parse(_ data: Data, shared: [String], path: String) throws -> [[String]] {
      let delegate = SheetCells(shared: shared)
      let parser = XMLParser(data: data)
      parser.delegate = delegate
      guard parser.parse() else { throw GongjianClientError(.usage, "\(path): the sheet is not well-formed XML") }
      if let failure = delegate.failure { throw GongjianClientError(.usage, "\(path): \(failure)") }
      guard let last = delegate.rows.keys.max() else { return [] }
      return (1...last).map { r in
        let cells = delegate.rows[r] ?? [:]
        guard let width = cells.keys.max() else { return [] }
        return (0...width).map { cells[$0] ?? "" }
      }
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
      switch elementName {
      case "c":
        self.reference = attributes["r"] ?? ""
        self.type = attributes["t"] ?? "n"
        self.value = ""
      case "v", "t":
        self.inValue = true
      default:
        break
      }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
      if self.inValue { self.value += string }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
      switch elementName {
      case "v", "t":
        self.inValue = false
      case "c":
        guard let (row, column) = Self.position(self.reference) else {
          self.failure = self.failure ?? "a cell without a reference (r=\"A1\")"
          return
        }
        var text = self.value
        switch self.type {
        case "s":
          guard let index = Int(text), self.shared.indices.contains(index) else {
            self.failure = self.failure ?? "cell \(self.reference): no shared string \(text)"
            return
          }
          text = self.shared[index]
        case "b":
          text = text == "1" ? "true" : "false"
        case "n":
          // Whole numbers come back without Excel's ".0" or exponent where they fit.
          if let number = Double(text), number == number.rounded(), abs(number) < 1e15 { text = String(Int64(number)) }
        default:
          break
        }
        self.rows[row, default: [:]][column] = text
      default:
        break
      }
    }

    /// `C7` → (7, 2).
    static func position(_ reference: String) -> (Int, Int)? {
      let letters = reference.prefix { $0.isLetter && $0.isASCII }
      guard !letters.isEmpty, let row = Int(reference.dropFirst(letters.count)), row > 0 else { return nil }
      let column = letters.uppercased().unicodeScalars.reduce(0) { $0 * 26 + Int($1.value) - 64 } - 1
      return (row, column)
    }
  }
}
