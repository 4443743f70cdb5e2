internal import SwiftProtobuf

extension MeetingPacket {
  /// A value outside its plausible range, written for the packet's appendix.
  struct QualityNote {
    var record: String
    var field: String
    var value: String
    var range: String
  }

  /// The field's name and how its values are written, in this edition.
  func fieldLabel(_ range: PlausibleRanges.Range) -> (name: String, format: (Int64) -> String) {
    let e = self.edition
    let mu: (Int64) -> String = { e.t("\(FixedPoint.centimuAsMu($0))亩", "\(FixedPoint.centimuAsMu($0)) mu") }
    let yuan: (Int64) -> String = { e.yuan($0) }
    switch range.field {
    case "planned_area_centimu": return (e.t("规划面积", "planned area"), mu)
    case "built_area_centimu": return (e.t("建成面积", "built area"), mu)
    case "industrial_land_area_centimu": return (e.t("工业用地面积", "industrial land area"), mu)
    case "industrial_project_investment_yuan": return (e.t("工业项目投资", "industrial project investment"), yuan)
    case "total_industrial_investment_yuan": return (e.t("工业投资总额", "total industrial investment"), yuan)
    case "total_industrial_output_yuan": return (e.t("工业总产值", "total industrial output"), yuan)
    case "main_business_revenue_yuan": return (e.t("主营业务收入", "main business revenue"), yuan)
    case "derived.investment_intensity_fen_per_mu":
      return (e.t("工业项目亩均投资强度", "investment intensity of industrial projects"), { e.t("\(FixedPoint.intensity($0))万元/亩", "\(FixedPoint.intensity($0)) × 10k yuan per mu") })
    case "planned_investment_yuan": return (e.t("计划投资", "planned investment"), yuan)
    case "people_count": return (e.t("参加人数", "people"), { e.t("\($0)人", "\($0)") })
    default: return (range.field, { String($0) })
    }
  }

  /// The values of the records this packet cites (parks, the year's reports, projects and
  /// activities) that lie outside their plausible ranges.
  func qualityNotes() -> [QualityNote] {
    let e = self.edition
    var notes: [QualityNote] = []
    func check(_ kind: RecordKind, _ payload: any SwiftProtobuf.Message, _ record: String) {
      for finding in self.ranges.findings(kind: kind, payload: payload) {
        let label = self.fieldLabel(finding.range)
        notes.append(QualityNote(
          record: record, field: label.name, value: label.format(finding.value),
          range: "\(label.format(finding.range.min))\(e.t("至", " to "))\(label.format(finding.range.max))"
        ))
      }
    }
    for park in self.data.parks { check(.park, park.payload, self.parkName(park.payload)) }
    for report in self.data.reports where report.payload.period.year == self.year || report.payload.period.year == self.year - 1 {
      check(.indicatorReport, report.payload, "\(self.parkName(id: report.payload.parkID)) \(e.period(report.payload.period))")
    }
    for project in self.data.projects { check(.transferredProject, project.payload, project.payload.name) }
    for activity in self.data.activities where RecordFilter.year(activity.payload.heldOn) == self.year {
      check(.exchangeActivity, activity.payload, activity.payload.title)
    }
    return notes
  }
}
