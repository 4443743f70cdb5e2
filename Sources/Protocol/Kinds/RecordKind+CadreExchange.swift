extension RecordKind {
  /// Cadres seconded or trained between the two cities (`Gongjian_V1_CadreExchange`, Art. 六, 十, 十七).
  public static let cadreExchange = RecordKind(
    "cadre_exchange", Gongjian_V1_CadreExchange.self,
    get: { if case .cadreExchange(let c) = $0 { c } else { nil } }, set: { $0.cadreExchange = $1 },
    label: .init("干部交流", "cadre exchange"),
    columns: ["TYPE", "PAIRING", "FROM", "TO", "POST", "STARTS", "ENDS", "PEOPLE"],
    summary: { [String(describing: $0.type), $0.pairing, $0.sendingUnit, $0.receivingUnit, $0.post, $0.startsOn, $0.endsOn, String($0.people)] },
    fieldLabels: [
      "type": "类型", "pairing": "挂钩关系（宿迁方）", "sending_unit": "派出单位", "receiving_unit": "接收单位", "post": "岗位",
      "starts_on": "开始日期", "ends_on": "结束日期", "people": "人数",
    ],
    filter: { exchange, r in RecordFilter.sameYear(r.year, RecordFilter.year(exchange.startsOn)) },
    integers: { [("people", Int64($0.people))] },
    readerTitle: { c, packet in "\(c.sendingUnit)→\(c.receivingUnit) \(c.post)（\(packet.edition.date(c.startsOn))）" }
  )
}
