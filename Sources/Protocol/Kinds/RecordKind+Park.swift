extension RecordKind {
  /// A park's profile (`Gongjian_V1_Park`).
  public static let park = RecordKind(
    "park", Gongjian_V1_Park.self,
    get: { if case .park(let p) = $0 { p } else { nil } }, set: { $0.park = $1 },
    label: .init("园区", "park"),
    columns: ["NAME", "COUNTY", "SUZHOU PARTNER"],
    summary: { [$0.name, $0.hostCounty, $0.suzhouPartner] },
    fieldLabels: [
      "name": "名称", "name_en": "英文名称", "host_county": "所在县区", "suzhou_partner": "苏州结对方",
      "planned_area_centimu": "规划面积（0.01亩）", "built_area_centimu": "建成面积（0.01亩）", "designations": "称号",
      "pilot_township_parks": "试点镇级共建园区", "established_on": "设立日期",
    ],
    integers: { [("planned_area_centimu", $0.plannedAreaCentimu), ("built_area_centimu", $0.builtAreaCentimu)] },
    readerTitle: { park, packet in packet.parkName(park) }
  )
}

extension Gongjian_V1_Park {
  /// What tells a tenant's parks apart: the name, case and spaces aside. Two parks of a tenant
  /// may not share it (the targets, the packet and the offices name parks by name).
  public var uniqueKey: String { "name=" + self.name.lowercased().filter { !$0.isWhitespace } }
}
