extension RecordKind {
  /// One of the province's economically weak villages of Suqian (`Gongjian_V1_WeakVillage`, Art. 七).
  public static let weakVillage = RecordKind(
    "weak_village", Gongjian_V1_WeakVillage.self,
    get: { if case .weakVillage(let v) = $0 { v } else { nil } }, set: { $0.weakVillage = $1 },
    label: .init("省定经济薄弱村", "economically weak village"),
    columns: ["VILLAGE", "TOWNSHIP", "COUNTY"],
    summary: { [$0.village, $0.township, $0.county] },
    fieldLabels: ["village": "村", "township": "镇", "county": "县区"],
    readerTitle: { v, _ in "\(v.county)\(v.township)\(v.village)" }
  )
}
