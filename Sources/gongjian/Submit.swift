import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import SwiftProtobuf

/// `gongjian submit`.
struct Submit: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Create or update records of one kind from a JSON or YAML file (one record or a list).",
    discussion: """
      Each record is the kind's fields (e.g. name, host_park_id, status for transferred_project),
      plus optional id (a UUID) and base_version: without base_version the record is created,
      with it the record at that version is updated. Errors name the file, the record and the field.
      """
  )

  @OptionGroup var connection: ConnectionOptions

  @Argument(help: "The kind: park, indicator_report, transferred_project, exchange_activity, assistance_plan, revenue_sharing_agreement, target.")
  var kind: String

  @Option(help: "The tenant (partnership).")
  var tenant: String

  @Option(help: "The JSON or YAML file.")
  var file: String

  func run() async throws {
    let records: [(id: String, base: UInt64, payload: Gongjian_V1_RecordPayload, place: String)]
    do {
      records = try RecordFile.load(path: self.file, kind: self.kind)
    } catch let error as GongjianClientError {
      printError("gongjian: \(error.message)")
      throw ExitCode(error.kind.exitCode)
    }
    var failures: [GongjianClientError] = []
    try await self.connection.withClient { client in
      var rows: [[String]] = []
      for record in records {
        do {
          let written: Gongjian_V1_TypedRecord
          if record.base > 0 {
            written = try await client.update(.with {
              $0.tenantID = self.tenant
              $0.id = record.id
              $0.baseVersion = record.base
              $0.payload = record.payload
            })
          } else {
            written = try await client.create(.with {
              $0.tenantID = self.tenant
              $0.id = record.id
              $0.payload = record.payload
              // Re-submitting the same file is a replay, not a second record.
              $0.requestID = record.id.isEmpty ? "" : "submit:\(record.id):0"
            })
          }
          if self.connection.json {
            printLine(try TypedRecordFormatting.json(written))
          } else {
            rows.append([record.place, written.id, "v\(written.version)", "ok"])
          }
        } catch let error as GongjianClientError {
          failures.append(error)
          printError("gongjian: \(record.place): \(error.message)")
          if !self.connection.json { rows.append([record.place, record.id, "", "failed"]) }
        }
      }
      if !self.connection.json { printTable(["RECORD", "ID", "VERSION", "RESULT"], rows) }
    }
    if let worst = failures.map(\.kind.exitCode).max() { throw ExitCode(worst) }
  }
}

/// Reads typed records from JSON or YAML.
enum RecordFile {
  static func load(path: String, kind: String) throws -> [(id: String, base: UInt64, payload: Gongjian_V1_RecordPayload, place: String)] {
    guard let recordKind = RecordKind.named(kind) else {
      throw GongjianClientError(.usage, "kind: one of \(RecordKind.all.map(\.name).joined(separator: ", ")) (got '\(kind)')")
    }
    let items = try DocumentFile.items(path: path)
    return try items.enumerated().map { index, item in
      let place = "\(path): record \(index + 1)"
      guard var object = item as? [String: Any] else {
        throw GongjianClientError(.usage, "\(place): expected an object with the fields of \(kind)")
      }
      let id = (object.removeValue(forKey: "id") as? String) ?? ""
      if !id.isEmpty, UUID(uuidString: id) == nil {
        throw GongjianClientError(.usage, "\(place): field id: expected a UUID (got \(id))")
      }
      let base = (object.removeValue(forKey: "base_version") as? Int) ?? 0
      guard base >= 0 else { throw GongjianClientError(.usage, "\(place): field base_version: must not be negative") }
      let message: any SwiftProtobuf.Message
      do {
        message = try recordKind.messageType.init(jsonUTF8Data: try JSONSerialization.data(withJSONObject: object))
      } catch {
        throw GongjianClientError(.usage, "\(place): not a valid \(kind): \(error)")
      }
      var payload = Gongjian_V1_RecordPayload()
      switch message {
      case let m as Gongjian_V1_Park: payload.park = m
      case let m as Gongjian_V1_IndicatorReport: payload.indicatorReport = m
      case let m as Gongjian_V1_TransferredProject: payload.transferredProject = m
      case let m as Gongjian_V1_ExchangeActivity: payload.exchangeActivity = m
      case let m as Gongjian_V1_AssistancePlan: payload.assistancePlan = m
      case let m as Gongjian_V1_RevenueSharingAgreement: payload.revenueSharingAgreement = m
      case let m as Gongjian_V1_Target: payload.target = m
      case let m as Gongjian_V1_Council: payload.council = m
      case let m as Gongjian_V1_Meeting: payload.meeting = m
      case let m as Gongjian_V1_AgendaItem: payload.agendaItem = m
      case let m as Gongjian_V1_Decision: payload.decision = m
      case let m as Gongjian_V1_ActionItem: payload.actionItem = m
      default: throw GongjianClientError(.usage, "\(place): kind \(kind) has no typed payload")
      }
      return (id.lowercased(), UInt64(base), payload, place)
    }
  }
}

/// JSON or YAML documents holding one object or a list.
enum DocumentFile {
  static func items(path: String) throws -> [Any] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw GongjianClientError(.usage, "\(path): cannot read the file")
    }
    return try DocumentReader.items(data, format: .init(path: path), source: path)
  }

  /// The file's single object, for commands that take one (a proposal, a decision); exits with
  /// the usage code and a message naming the file otherwise.
  static func object(path: String, expecting what: String) throws -> [String: Any] {
    do {
      let items = try Self.items(path: path)
      guard items.count == 1, let object = items.first as? [String: Any] else {
        throw GongjianClientError(.usage, "\(path): expected one object with \(what)")
      }
      return object
    } catch let error as GongjianClientError {
      printError("gongjian: \(error.message)")
      throw ExitCode(error.kind.exitCode)
    }
  }
}

/// JSON of typed records for the CLI.
enum TypedRecordFormatting {
  static var options: JSONEncodingOptions {
    var options = JSONEncodingOptions()
    options.preserveProtoFieldNames = true
    return options
  }

  static func json(_ record: Gongjian_V1_TypedRecord) throws -> String {
    try record.jsonString(options: Self.options)
  }

  static func summary(_ payload: Gongjian_V1_RecordPayload) -> [String] {
    switch payload.kind {
    case .park(let p): [p.name, p.hostCounty, p.suzhouPartner]
    case .indicatorReport(let r):
      [TargetsFormatting.period(r.period), TargetsFormatting.intensity(r.derived.investmentIntensityFenPerMu),
       TargetsFormatting.percent(r.derived.foreignInvestmentShareBp), TargetsFormatting.percent(r.derived.highTechOutputShareBp),
       TargetsFormatting.percent(r.derived.rndIntensityBp)]
    case .transferredProject(let p): [p.name, String(describing: p.status), TargetsFormatting.yuan(p.plannedInvestmentYuan), p.signedOn]
    case .exchangeActivity(let a): [a.title, String(describing: a.type), a.heldOn, String(a.peopleCount)]
    case .assistancePlan(let a): [a.village, a.county, a.suzhouHelper, String(a.year)]
    case .revenueSharingAgreement(let r): [r.title, r.shares.map { "\($0.party) \(TargetsFormatting.percent(Int64($0.shareBp)))" }.joined(separator: " / ")]
    case .target(let t): [t.description_p, String(t.threshold), t.year == 0 ? "every year" : String(t.year)]
    case .council(let c): [c.name]
    case .meeting(let m): [m.title, m.heldOn, m.place, String(describing: m.status)]
    case .agendaItem(let a): [a.title, a.proposingOffice, String(describing: a.status), a.order > 0 ? "#\(a.order)" : ""]
    case .decision(let d): [d.text, d.decidedOn]
    case .actionItem(let a): [a.title, a.ownerUnit, a.dueOn, String(describing: a.status)]
    case nil: []
    }
  }
}
