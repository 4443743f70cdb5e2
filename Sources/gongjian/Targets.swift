import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import SwiftProtobuf

/// `gongjian targets`.
struct Targets: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "The seed's yearly targets: actual figures from records, threshold, met or not (from the mirror when offline).",
    discussion: "Examples:\n  gongjian targets --year 2026\n  gongjian targets --year 2026 --details --offline"
  ).exits(.usage, .rejected, .local, .auth, note: "when the server is unreachable the mirror answers")

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var read: ReadOptions

  @Option(help: "The year.")
  var year: Int32

  @Flag(help: "List the records that count towards each target.")
  var details = false

  func run() async throws {
    try await self.connection.run {
      let period = Gongjian_V1_Period.with { $0.year = self.year; $0.quarter = 4 }
      let (report, flagship) = try await self.connection.online(or: self.read) { client in
        (try await client.targetsReport(year: self.year), try await client.flagship(period: period))
      } offline: { reports in
        (try reports.targetsReport(year: self.year), try reports.flagship(period: period))
      }
      if self.connection.json {
        printLine(try report.jsonString(options: TypedRecordFormatting.options))
        printLine(try flagship.jsonString(options: TypedRecordFormatting.options))
        return
      }
      printLine("Targets \(report.year) — \(report.scopeLabel)")
      if report.hasAsOf { printLine(report.asOf.text(in: PacketEdition(.en))) }
      printLine("")
      printTable(
        ["TARGET", "SOURCE", "ACTUAL", "THRESHOLD", "MET", "NOTE", "RESPONSIBLE UNITS"],
        report.results.map { result in
          let isYuan = result.target.metric == .transferredInvestmentYuan
          return [
            result.target.description_p, result.target.source,
            isYuan ? TargetsFormatting.yuan(result.actual) : String(result.actual),
            isYuan ? TargetsFormatting.yuan(result.target.threshold) : String(result.target.threshold),
            result.met ? "yes" : "NO",
            result.shortfalls.isEmpty ? result.explanation : "short: " + result.shortfalls.joined(separator: "; "),
            result.responsibleUnits.joined(separator: "、"),
          ]
        }
      )
      if self.details {
        for result in report.results where !result.contributions.isEmpty || !result.units.isEmpty {
          printLine("")
          printLine("\(result.target.description_p):")
          for unit in result.units {
            printLine("  \(unit.name): \(unit.actual)\(unit.met ? "" : " — not met")\(unit.note.isEmpty ? "" : " (\(unit.note))")")
          }
          for c in result.contributions { printLine("  \(c.tenantID)  \(c.kind)  \(c.id)  \(c.label)  \(c.value)") }
        }
      }
      printLine("")
      printLine("The 苏宿工业园区 against the city's parks \(TargetsFormatting.period(flagship.period))")
      printTable(
        ["PARK", "TENANT", "INTENSITY (10k yuan/mu)", "FOREIGN", "HIGH-TECH", "R&D", "RANKS"],
        flagship.parks.map { park in
          [park.parkName + (park.reference ? " (not co-built)" : ""), park.tenantID, TargetsFormatting.intensity(park.indicators.investmentIntensityFenPerMu),
           TargetsFormatting.percent(park.indicators.foreignInvestmentShareBp),
           TargetsFormatting.percent(park.indicators.highTechOutputShareBp),
           TargetsFormatting.percent(park.indicators.rndIntensityBp),
           park.ranks.map(String.init).joined(separator: "/")]
        }
      )
    }
  }
}

/// Money, shares and periods for people.
enum TargetsFormatting {
  static func yuan(_ value: Int64) -> String { FixedPoint.yuanShort(value) }

  /// Basis points as a percentage with two decimals, exactly.
  static func percent(_ bp: Int64) -> String { FixedPoint.percent(bp) }

  /// Fen per mu as 10k yuan per mu with two decimals.
  static func intensity(_ fenPerMu: Int64) -> String { FixedPoint.intensity(fenPerMu) }

  /// Centi-mu as mu with two decimals, exactly.
  static func mu(_ centimu: Int64) -> String {
    "\(centimu / 100).\(String(format: "%02d", abs(centimu % 100)))"
  }

  static func period(_ period: Gongjian_V1_Period) -> String {
    period.quarter == 0 ? "\(period.year)" : "\(period.year) Q\(period.quarter)"
  }
}
