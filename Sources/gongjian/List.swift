import ArgumentParser
import GongjianClient
import GongjianProtocol
import SwiftProtobuf

/// `gongjian list`.
struct List: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "List records of one kind, with filters.")

  @OptionGroup var connection: ConnectionOptions

  @Argument(help: "The kind, e.g. transferred_project.")
  var kind: String

  @Option(help: "The tenant (partnership).")
  var tenant: String

  @Option(help: "Only records of this park (record id).")
  var park: String?

  @Option(help: "Only this year (report period, project signing, activity date, plan year).")
  var year: Int32?

  @Option(help: "Only this quarter (indicator reports).")
  var quarter: Int32?

  @Option(help: "Only projects in this status: lead, signed, started, in_production, cancelled.")
  var status: String?

  @Option(help: "Only activities of this type, e.g. promotion_event.")
  var type: String?

  func run() async throws {
    var request = Gongjian_V1_ListRecordsRequest()
    request.tenantID = self.tenant
    request.kind = self.kind
    request.parkID = self.park ?? ""
    request.year = self.year ?? 0
    request.quarter = self.quarter ?? 0
    if let status = self.status {
      let statuses: [String: Gongjian_V1_ProjectStatus] = [
        "lead": .lead, "signed": .signed, "started": .started, "in_production": .inProduction, "cancelled": .cancelled,
      ]
      guard let value = statuses[status.lowercased()] else {
        throw ValidationError("--status: one of lead, signed, started, in_production, cancelled (got '\(status)')")
      }
      request.status = value
    }
    if let type = self.type {
      let types: [String: Gongjian_V1_ExchangeType] = [
        "inspection_trip": .inspectionTrip, "promotion_event": .promotionEvent, "delegation_visit": .delegationVisit,
        "department_exchange": .departmentExchange, "training": .training, "cadre_secondment": .cadreSecondment,
      ]
      guard let value = types[type.lowercased()] else {
        throw ValidationError("--type: e.g. inspection_trip, promotion_event, delegation_visit, department_exchange, training, cadre_secondment")
      }
      request.type = value
    }
    request.pageSize = 1000
    try await self.connection.withClient { client in
      var rows: [[String]] = []
      var total: UInt32 = 0
      while true {
        let page = try await client.list(request)
        total = page.total
        for record in page.records {
          if self.connection.json {
            printLine(try TypedRecordFormatting.json(record))
          } else {
            rows.append([record.id, "v\(record.version)"] + TypedRecordFormatting.summary(record.payload))
          }
        }
        if page.nextPageToken.isEmpty { break }
        request.pageToken = page.nextPageToken
      }
      if !self.connection.json {
        let width = rows.map(\.count).max() ?? 2
        printTable(["ID", "VERSION"] + Array(repeating: "", count: max(0, width - 2)), rows)
        printLine("\(total) \(self.kind) records")
      }
    }
  }
}

/// `gongjian get`.
struct Get: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Show one record (JSON).")

  @OptionGroup var connection: ConnectionOptions

  @Argument(help: "The kind.")
  var kind: String

  @Argument(help: "The record id.")
  var id: String

  @Option(help: "The tenant (partnership).")
  var tenant: String

  func run() async throws {
    try await self.connection.withClient { client in
      let record = try await client.get(.with {
        $0.tenantID = self.tenant
        $0.kind = self.kind
        $0.id = self.id
      })
      printLine(try TypedRecordFormatting.json(record))
    }
  }
}
