extension RecordKind {
  /// A yearly pairing cooperation agreement (`Gongjian_V1_PairingAgreement`, Art. 四).
  public static let pairingAgreement = RecordKind(
    "pairing_agreement", Gongjian_V1_PairingAgreement.self,
    get: { if case .pairingAgreement(let a) = $0 { a } else { nil } }, set: { $0.pairingAgreement = $1 },
    label: .init("年度挂钩合作协议", "pairing agreement"),
    columns: ["PAIRING", "YEAR", "TITLE", "SIGNED ON"],
    summary: { [$0.pairing, String($0.year), $0.title, $0.signedOn] },
    fieldLabels: ["pairing": "挂钩关系（宿迁方）", "year": "年度", "title": "标题", "signed_on": "签订日期", "summary": "主要内容"],
    filter: { agreement, r in RecordFilter.sameYear(r.year, agreement.year) },
    readerTitle: { a, _ in a.title }
  )
}
