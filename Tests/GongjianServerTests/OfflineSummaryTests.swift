import Foundation
import GongjianProtocol
import GongjianServer
import GRPCCore
import Testing

/// Targets/Summary: what an office's offline reports read, exactly the online answers for that
/// office and nothing more.
@Suite("Offline summary")
struct OfflineSummaryTests {
  @Test("A member of the city tenant gets the city-wide answers and the city council's computed sections")
  func insideTheRule() async throws {
    try await Harness.with(dataset: true) { h in
      let drc = office("suzhou.drc")
      let summary = try await h.targets.summary(.init(), metadata: drc)
      let years = summary.targets.map(\.year)
      #expect(years.contains(2025) && years.contains(2026))
      for year: Int32 in [2025, 2026] {
        let report = try #require(summary.targets.first { $0.year == year })
        #expect(report == (try await h.targets.report(.with { $0.year = year }, metadata: drc)))
        #expect(report.cityWide)
        let evaluation = try #require(summary.evaluations.first { $0.year == year })
        #expect(evaluation == (try await h.targets.evaluation(.with { $0.year = year }, metadata: drc)))
        #expect(!evaluation.counties.isEmpty)
        for quarter: Int32 in 0...4 {
          let period = Gongjian_V1_Period.with { $0.year = year; $0.quarter = quarter }
          let comparison = try #require(summary.flagships.first { $0.period == period })
          #expect(comparison == (try await h.targets.flagship(.with { $0.period = period }, metadata: drc)))
        }
      }
      // Every tenant was counted: its sequence is the head the figures include.
      let tenants = try await h.store.tenants().map(\.id).sorted()
      #expect(summary.sequences.map(\.tenantID) == tenants)
      for sequence in summary.sequences {
        #expect(sequence.sequence == (try await h.store.checkpoint(tenantID: sequence.tenantID).headSequence))
      }
      // The city council's meetings, both editions; the computed sections are the online packet's.
      let meeting = DevDataset.CouncilID.meeting2026
      for language in ["zh", "en"] {
        let figures = try #require(summary.packets.first { $0.tenantID == "city" && $0.meetingID == meeting && $0.language == language })
        #expect(figures.sections.map(\.number) == [3, 4, 5, 6, 7, 9])
        let online = try await h.councils.preparePacket(.with { $0.tenantID = "city"; $0.meetingID = meeting; $0.language = language }, metadata: drc)
        for section in figures.sections {
          for block in section.blocks {
            if case .paragraph(let text)? = block.block { #expect(online.markdown.contains(text)) }
            if case .table(let table)? = block.block { #expect(online.markdown.contains(table.header.joined(separator: " | "))) }
          }
        }
      }
      let zh = try #require(summary.packets.first { $0.tenantID == "city" && $0.meetingID == meeting && $0.language == "zh" })
      let targetsSection = try #require(zh.sections.first { $0.number == 3 })
      #expect(targetsSection.blocks.contains { if case .paragraph(let text)? = $0.block { text.contains("已完成") } else { false } })
    }
  }

  @Test("An office outside the rule gets its own tenants' answers and no city council")
  func outsideTheRule() async throws {
    try await Harness.with(dataset: true) { h in
      let siyang = office("siyang.gov")
      let summary = try await h.targets.summary(.init(), metadata: siyang)
      let own = try await h.store.memberships(officeID: "siyang.gov").map(\.tenantID).sorted()
      #expect(!own.contains("city"))
      let report = try #require(summary.targets.first { $0.year == 2026 })
      #expect(report == (try await h.targets.report(.with { $0.year = 2026 }, metadata: siyang)))
      #expect(!report.cityWide && report.tenantIds == own)
      for evaluation in summary.evaluations { #expect(!evaluation.cityWide && evaluation.counties.isEmpty) }
      for comparison in summary.flagships {
        #expect(!comparison.cityWide)
        #expect(comparison.parks.allSatisfy { own.contains($0.tenantID) && !$0.reference })
      }
      // Its tenants and the city tenant (the targets and criteria it is measured against); no other.
      #expect(summary.sequences.map(\.tenantID) == (own + ["city"]).sorted())
      #expect(summary.packets.allSatisfy { own.contains($0.tenantID) })
      #expect(!summary.packets.contains { $0.tenantID == "city" })
      // Nothing of another tenant reaches it: no other tenant's id in the whole summary.
      let others = try await h.store.tenants().map(\.id).filter { !own.contains($0) && $0 != "city" }
      let text = try summary.jsonString()
      for other in others { #expect(!text.contains("\"\(other)\""), "\(other)") }
    }
  }
}
