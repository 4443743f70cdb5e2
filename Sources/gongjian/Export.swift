import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol

/// `gongjian export`.
struct Export: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write the records of one kind from the local mirror to a spreadsheet (works offline).",
    discussion: """
      Columns: id, version, then the kind's fields; units are in the field names (_yuan, _bp for
      basis points, _centimu for 1/100 mu). Queued local writes are included. Edit the file and
      bring it back with `gongjian import`.

      Examples:
        gongjian export transferred_project --tenant sip-suqian --format csv --out projects.csv
        gongjian export transferred_project --tenant sip-suqian --format xlsx --out projects.xlsx
        gongjian export indicator_report --tenant sip-suqian --park 6f1c… --out reports.csv
      """
  ).exits(.usage, .rejected, .local, .auth, note: "when the server is unreachable the mirror answers")

  enum Format: String, ExpressibleByArgument, CaseIterable { case csv, xlsx }

  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "The kind of the records.") var kind: KindArgument
  @Option(help: "The tenant (partnership).") var tenant: String
  @OptionGroup var filters: RecordFilters
  @Option(help: "The file format.") var format: Format = .csv
  @Option(help: ArgumentHelp("The file to write.", valueName: "file"), completion: .file(extensions: ["csv", "xlsx"])) var out: String

  func run() async throws {
    try await self.connection.run {
      let mirror = try self.connection.mirror()
      guard let kind = RecordKind.named(self.kind.rawValue) else { return }
      let sheet = Spreadsheet(kind: kind)
      let records = try mirror.records(tenantID: self.tenant, kind: kind.name).filter(self.filters.matches)
      let rows = [sheet.header] + (try records.map(sheet.row))
      switch self.format {
      case .csv: try CSVFile.write(rows, to: self.out)
      case .xlsx: try XLSXFile.write(rows, to: self.out, sheetName: kind.name)
      }
      let status = try mirror.status(tenantID: self.tenant).first
      if self.connection.json {
        printJSON(ExportLine(kind: kind.name, tenant_id: self.tenant, records: records.count, out: self.out, cursor: status?.cursor ?? 0))
      }
      printError("wrote \(records.count) \(kind.name) records to \(self.out) (mirror at sequence \(status?.cursor ?? 0), last sync \(status?.lastSync.map(Status.age) ?? "never"))")
    }
  }

  struct ExportLine: Encodable {
    var kind: String
    var tenant_id: String
    var records: Int
    var out: String
    var cursor: UInt64
  }
}
