import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import SwiftProtobuf

/// `gongjian evaluation`.
struct Evaluation: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Each park's annual evaluation scorecard, with reasons (from the mirror when offline).",
    discussion: "Example: gongjian evaluation --year 2026"
  ).exits(.usage, .rejected, .local, .auth, note: "when the server is unreachable the mirror answers")

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var read: ReadOptions

  @Option(help: "The year.")
  var year: Int32

  func run() async throws {
    try await self.connection.run {
      let report = try await self.connection.online(or: self.read) { client in
        try await client.evaluation(year: self.year)
      } offline: { reports in
        try reports.evaluation(year: self.year)
      }
      if self.connection.json {
        printLine(try report.jsonString(options: TypedRecordFormatting.options))
        return
      }
      printLine("Evaluation \(report.year) — \(report.scopeLabel)")
      if report.hasAsOf { printLine(report.asOf.text(in: PacketEdition(.en))) }
      for card in report.parks {
        printLine("")
        printLine("\(card.parkName) (\(card.tenantID)): \(card.score) / 100")
        printTable(["CRITERION", "POINTS", "REASON"], card.items.map { [$0.criterion, "\($0.points)/\($0.maxPoints)", $0.reason] })
      }
      if !report.counties.isEmpty {
        printLine("")
        printLine("Counties and districts (Art. 十三, 市对县(区)监测评价)")
        printTable(
          ["COUNTY", "PROJECTS SIGNED", "PLANNED INVESTMENT", "VISITS", "PILOT PARKS", "CADRES", "WEAK VILLAGES WITH PLAN", "REVENUE SHARED"],
          report.counties.map {
            [$0.county, String($0.projectsSigned), TargetsFormatting.yuan($0.plannedInvestmentYuan), String($0.delegationVisits),
             String($0.pilotTownshipParks), String($0.cadresExchanged), "\($0.weakVillagesWithPlan) of \($0.weakVillages)",
             TargetsFormatting.yuan($0.revenueSharedYuan)]
          }
        )
      }
    }
  }
}
