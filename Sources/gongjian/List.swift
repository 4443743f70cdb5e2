import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import SwiftProtobuf

/// Where reads come from: the server, or the local mirror when the server is unreachable (or
/// with `--offline`), saying how old the mirror's data is.
struct ReadOptions: ParsableArguments {
  @Flag(help: "Read the local mirror without contacting the server.")
  var offline = false
}

/// Filters of `list` and `export`.
struct RecordFilters: ParsableArguments {
  enum ProjectStatus: String, ExpressibleByArgument, CaseIterable { case lead, signed, started, in_production, cancelled }
  enum ActivityType: String, ExpressibleByArgument, CaseIterable {
    case inspection_trip, promotion_event, delegation_visit, department_exchange, training, cadre_secondment
  }

  @Option(help: "Only records of this park (record id).") var park: String?
  @Option(help: "Only this year (report period, project signing, activity date, plan year).") var year: Int32?
  @Option(help: "Only this quarter (indicator reports).") var quarter: Int32?
  @Option(help: "Only projects in this status.") var status: ProjectStatus?
  @Option(help: "Only activities of this type.") var type: ActivityType?

  /// The same filters the server applies (``RecordFilter``), on a mirror record.
  func matches(_ record: MirrorRecord) -> Bool {
    var request = Gongjian_V1_ListRecordsRequest()
    self.apply(to: &request)
    guard let payload = try? Gongjian_V1_RecordPayload(kind: record.kind, data: record.payload) else { return false }
    return RecordFilter(request).matches(payload)
  }

  func apply(to request: inout Gongjian_V1_ListRecordsRequest) {
    request.parkID = self.park ?? ""
    request.year = self.year ?? 0
    request.quarter = self.quarter ?? 0
    if let status = self.status {
      request.status = [.lead: .lead, .signed: .signed, .started: .started, .in_production: .inProduction, .cancelled: .cancelled][status]!
    }
    if let type = self.type {
      request.type = [
        .inspection_trip: .inspectionTrip, .promotion_event: .promotionEvent, .delegation_visit: .delegationVisit,
        .department_exchange: .departmentExchange, .training: .training, .cadre_secondment: .cadreSecondment,
      ][type]!
    }
  }
}

/// `gongjian list`.
struct List: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List records of one kind, with filters (from the mirror when the server is unreachable).",
    discussion: """
      Examples:
        gongjian list transferred_project --tenant sip-suqian --status signed
        gongjian list indicator_report --tenant sip-suqian --year 2025 --quarter 4
        gongjian list park --tenant sip-suqian --offline --json
      """
  ).exits(.usage, .rejected, .local, .auth, note: "when the server is unreachable the mirror answers")

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var read: ReadOptions
  @OptionGroup var filters: RecordFilters

  @Argument(help: "The kind of the records.") var kind: KindArgument
  @Option(help: "The tenant (partnership).") var tenant: String

  func run() async throws {
    try await self.connection.run {
      if try await self.connection.tryOnline(self.read, { try await self.online($0) }) { return }
      try self.fromMirror()
    }
  }

  private func online(_ client: GongjianClient) async throws {
    var request = Gongjian_V1_ListRecordsRequest()
    request.tenantID = self.tenant
    request.kind = self.kind.rawValue
    self.filters.apply(to: &request)
    request.pageSize = 1000
    var records: [Gongjian_V1_TypedRecord] = []
    var total: UInt32 = 0
    while true {
      let page = try await client.list(request)
      total = page.total
      records += page.records
      if page.nextPageToken.isEmpty { break }
      request.pageToken = page.nextPageToken
    }
    if self.connection.json {
      for record in records { printLine(try TypedRecordFormatting.json(record)) }
      return
    }
    printTable(
      ["ID", "VERSION"] + TypedRecordFormatting.header(self.kind.rawValue),
      records.map { [$0.id, "v\($0.version)"] + TypedRecordFormatting.summary($0.payload) }
    )
    printLine("\(total) \(self.kind.rawValue) records")
  }

  private func fromMirror() throws {
    let mirror = try self.connection.mirror()
    let records = try mirror.records(tenantID: self.tenant, kind: self.kind.rawValue).filter(self.filters.matches)
    if self.connection.json {
      for record in records { printLine(try MirrorFormatting.json(record)) }
    } else {
      printTable(
        ["ID", "VERSION", "STATE"] + TypedRecordFormatting.header(self.kind.rawValue),
        try records.map { [$0.id, "v\($0.version)", $0.state == .synced ? "" : $0.state.rawValue] + TypedRecordFormatting.summary(try MirrorFormatting.payload($0)) }
      )
      printLine("\(records.count) \(self.kind.rawValue) records")
    }
    printError(try MirrorFormatting.age(mirror, tenantID: self.tenant))
  }
}

/// Mirror records for people and for `--json`.
enum MirrorFormatting {
  static func json(_ record: MirrorRecord) throws -> String {
    let object: [String: Any] = [
      "id": record.id, "kind": record.kind, "tenant": record.tenantID, "version": record.version,
      "sequence": record.sequence, "state": record.state.rawValue, "office": record.officeID,
      "updated_at": RecordFormatting.timestamps.string(from: record.updatedAt),
      "payload": try RecordText.object(kind: record.kind, payload: record.payload),
    ]
    return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
  }

  /// The typed payload of a mirror record, for the per-kind columns.
  static func payload(_ record: MirrorRecord) throws -> Gongjian_V1_RecordPayload {
    try Gongjian_V1_RecordPayload(kind: record.kind, data: record.payload)
  }

  /// "from the mirror: sequence 36 of 36, last sync 2026-11-27 17:47 (5 min ago)".
  static func age(_ mirror: Mirror, tenantID: String) throws -> String {
    guard let status = try mirror.status(tenantID: tenantID).first else {
      return "from the mirror: \(tenantID) was never synced (run `gongjian sync`)"
    }
    return "from the mirror: sequence \(group(status.cursor)) of \(group(status.head)), last sync \(status.lastSync.map(Status.age) ?? "never")"
  }

  /// A payload's fields, one per line: `name: value`, with units for amounts, aligned by display width.
  static func printFields(_ json: Data) throws {
    var object = (try JSONSerialization.jsonObject(with: json) as? [String: Any]) ?? [:]
    // A typed payload is a oneof wrapper: show the one kind inside.
    if object.count == 1, let inner = object.values.first as? [String: Any] { object = inner }
    let width = object.keys.map(displayWidth).max() ?? 0
    for key in object.keys.sorted() {
      let value = Self.describe(key, object[key]!)
      printLine("  " + key + String(repeating: " ", count: width - displayWidth(key)) + "  " + value)
    }
  }

  static func describe(_ key: String, _ value: Any) -> String {
    let number = (value as? String).flatMap(Int64.init) ?? (value as? NSNumber).map(\.int64Value)
    if let number, !(value is Bool) {
      if key.hasSuffix("_yuan") { return "\(TargetsFormatting.yuan(number)) (\(number) 元)" }
      if key.hasSuffix("_bp") { return TargetsFormatting.percent(number) }
      if key.hasSuffix("_centimu") { return "\(TargetsFormatting.mu(number)) 亩" }
      if key.hasSuffix("_fen_per_mu") { return "\(TargetsFormatting.intensity(number)) 万元/亩" }
    }
    return Spreadsheet.cell(value)
  }
}
