/// The filters of a list request.
public struct RecordFilter: Sendable {
  public let request: Gongjian_V1_ListRecordsRequest

  /// The filters of `request`.
  public init(_ request: Gongjian_V1_ListRecordsRequest) {
    self.request = request
  }

  /// True when the payload passes every filter of the request.
  public func matches(_ payload: Gongjian_V1_RecordPayload) -> Bool {
    let r = self.request
    switch payload.kind {
    case .indicatorReport(let report):
      return (r.parkID.isEmpty || report.parkID == r.parkID.lowercased())
        && (r.year == 0 || report.period.year == r.year)
        && (r.quarter == 0 || report.period.quarter == r.quarter)
    case .transferredProject(let project):
      return (r.parkID.isEmpty || project.hostParkID.lowercased() == r.parkID.lowercased())
        && (r.year == 0 || Self.year(project.signedOn.isEmpty ? project.leadOn : project.signedOn) == r.year)
        && (r.status == .unspecified || project.status == r.status)
    case .exchangeActivity(let activity):
      return (r.parkID.isEmpty || activity.parkID.lowercased() == r.parkID.lowercased())
        && (r.year == 0 || Self.year(activity.heldOn) == r.year)
        && (r.type == .unspecified || activity.type == r.type)
    case .assistancePlan(let plan):
      return r.year == 0 || plan.year == r.year
    case .revenueSharingAgreement(let agreement):
      return r.parkID.isEmpty || agreement.parkID.lowercased() == r.parkID.lowercased()
    case .target(let target):
      return r.year == 0 || target.year == r.year || target.year == 0
    case .meeting(let meeting):
      return r.year == 0 || Self.year(meeting.heldOn) == r.year
    case .evaluationCriterion(let criterion):
      return r.year == 0 || criterion.year == r.year || criterion.year == 0
    case .park, .council, .agendaItem, .decision, .actionItem, nil:
      return true
    }
  }

  /// The year of a `YYYY-MM-DD` date, or 0.
  public static func year(_ date: String) -> Int32 {
    Int32(date.prefix(4)) ?? 0
  }
}
