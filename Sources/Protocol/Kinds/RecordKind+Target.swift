extension RecordKind {
  /// A yearly target (`Gongjian_V1_Target`).
  public static let target = RecordKind(
    "target", Gongjian_V1_Target.self,
    get: { if case .target(let t) = $0 { t } else { nil } }, set: { $0.target = $1 },
    label: .init("目标", "target"),
    columns: ["DESCRIPTION", "THRESHOLD", "YEAR"],
    summary: { [$0.description_p, String($0.threshold), $0.year == 0 ? "every year" : String($0.year)] },
    fieldLabels: [
      "metric": "指标", "scope": "范围", "threshold": "目标值", "year": "年度", "source": "依据", "description": "说明",
    ],
    filter: { target, r in RecordFilter.sameYear(r.year, target.year, everyYear: true) },
    readerTitle: { t, packet in packet.targetName(t.metric) }
  )
}
