extension RecordKind {
  /// An exchange activity (`Gongjian_V1_ExchangeActivity`).
  public static let exchangeActivity = RecordKind(
    "exchange_activity", Gongjian_V1_ExchangeActivity.self,
    get: { if case .exchangeActivity(let a) = $0 { a } else { nil } }, set: { $0.exchangeActivity = $1 },
    label: .init("交流活动", "exchange activity"),
    columns: ["TITLE", "TYPE", "HELD ON", "PEOPLE"],
    summary: { [$0.title, String(describing: $0.type), $0.heldOn, String($0.peopleCount)] },
    fieldLabels: [
      "type": "类型", "title": "标题", "held_on": "举办日期", "host_side": "主办方", "participating_offices": "参与单位",
      "people_count": "人数", "park_id": "园区编号",
    ],
    filter: { activity, r in
      RecordFilter.sameID(r.parkID, activity.parkID) && RecordFilter.sameYear(r.year, RecordFilter.year(activity.heldOn))
        && (r.type == .unspecified || activity.type == r.type)
    },
    integers: { [("people_count", Int64($0.peopleCount))] },
    readerTitle: { a, packet in packet.edition.t("\(a.title)（\(packet.edition.date(a.heldOn))）", "\(a.title) (\(packet.edition.date(a.heldOn)))") }
  )
}
