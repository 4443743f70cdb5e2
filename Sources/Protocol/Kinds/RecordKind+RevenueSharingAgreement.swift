extension RecordKind {
  /// A revenue-sharing agreement (`Gongjian_V1_RevenueSharingAgreement`).
  public static let revenueSharingAgreement = RecordKind(
    "revenue_sharing_agreement", Gongjian_V1_RevenueSharingAgreement.self,
    get: { if case .revenueSharingAgreement(let r) = $0 { r } else { nil } }, set: { $0.revenueSharingAgreement = $1 },
    label: .init("开发合作协议（收益分成）", "development cooperation agreement"),
    columns: ["TITLE", "SHARES"],
    summary: { r in [r.title, r.shares.map { "\($0.party) \(FixedPoint.percent(Int64($0.shareBp)))" }.joined(separator: " / ")] },
    fieldLabels: ["title": "标题", "shares": "分成比例", "effective_from": "生效日期", "park_id": "园区编号", "shared": "实际分成（按年度）"],
    filter: { agreement, r in RecordFilter.sameID(r.parkID, agreement.parkID) },
    readerTitle: { r, _ in r.title }
  )
}
