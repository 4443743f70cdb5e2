extension RecordKind {
  /// An assistance plan for a weak village (`Gongjian_V1_AssistancePlan`).
  public static let assistancePlan = RecordKind(
    "assistance_plan", Gongjian_V1_AssistancePlan.self,
    get: { if case .assistancePlan(let a) = $0 { a } else { nil } }, set: { $0.assistancePlan = $1 },
    label: .init("帮扶方案", "assistance plan"),
    columns: ["VILLAGE", "COUNTY", "SUZHOU HELPER", "YEAR"],
    summary: { [$0.village, $0.county, $0.suzhouHelper, String($0.year)] },
    fieldLabels: [
      "village": "村", "township": "镇", "county": "县区", "suzhou_helper": "苏州帮扶方", "plan": "帮扶计划", "year": "年度",
      "projects": "帮扶项目",
    ],
    filter: { plan, r in RecordFilter.sameYear(r.year, plan.year) },
    readerTitle: { a, packet in "\(a.county)\(packet.edition.t("", " "))\(a.village)" }
  )
}
