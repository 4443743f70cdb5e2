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
        gongjian export indicator_report --tenant sip-suqian --park 6f1c… --out reports.csv
      """
  )

  enum Format: String, ExpressibleByArgument, CaseIterable { case csv }

  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "The kind of the records.") var kind: KindArgument
  @Option(help: "The tenant (partnership).") var tenant: String
  @Option(help: "Only records of this park (park_id or host_park_id).") var park: String?
  @Option(help: "Only this year (year, period or date fields).") var year: Int?
  @Option(help: "The file format.") var format: Format = .csv
  @Option(help: ArgumentHelp("The file to write.", valueName: "file"), completion: .file(extensions: ["csv"])) var out: String

  func run() async throws {
    try await self.connection.run {
      let mirror = try self.connection.mirror()
      guard let kind = RecordKind.named(self.kind.rawValue) else { return }
      let sheet = Spreadsheet(kind: kind)
      let records = try mirror.records(tenantID: self.tenant, kind: kind.name).filter(self.matches)
      try CSVFile.write([sheet.header] + records.map(sheet.row), to: self.out)
      let status = try mirror.status(tenantID: self.tenant).first
      printError("wrote \(records.count) \(kind.name) records to \(self.out) (mirror at sequence \(status?.cursor ?? 0), last sync \(status?.lastSync.map(Status.age) ?? "never"))")
    }
  }

  func matches(_ record: MirrorRecord) -> Bool {
    guard self.park != nil || self.year != nil else { return true }
    let object = ((try? RecordText.object(kind: record.kind, payload: record.payload)) as? [String: Any]) ?? [:]
    if let park = self.park?.lowercased(), (object["park_id"] as? String) != park, (object["host_park_id"] as? String) != park, record.id != park {
      return false
    }
    if let year = self.year {
      let text = String(year)
      let period = object["period"] as? [String: Any]
      let years = [object["year"], period?["year"]].compactMap { $0.map { "\($0)" } }
      let dates = ["signed_on", "held_on", "decided_on", "due_on"].compactMap { object[$0] as? String }
      guard years.contains(text) || dates.contains(where: { $0.hasPrefix(text) }) else { return false }
    }
    return true
  }
}
