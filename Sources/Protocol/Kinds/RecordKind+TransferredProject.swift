extension RecordKind {
  /// A project transferred from Suzhou (`Gongjian_V1_TransferredProject`).
  public static let transferredProject = RecordKind(
    "transferred_project", Gongjian_V1_TransferredProject.self,
    get: { if case .transferredProject(let p) = $0 { p } else { nil } }, set: { $0.transferredProject = $1 },
    label: .init("项目", "project"),
    columns: ["NAME", "STATUS", "PLANNED INVESTMENT", "SIGNED ON"],
    summary: { [$0.name, String(describing: $0.status), FixedPoint.yuanShort($0.plannedInvestmentYuan), $0.signedOn] },
    fieldLabels: [
      "name": "名称", "source_enterprise": "转移企业", "source_district": "苏州来源地区", "industry": "产业",
      "planned_investment_yuan": "计划投资（元）", "host_park_id": "承接园区编号", "status": "状态", "lead_on": "在谈日期",
      "signed_on": "签约日期", "started_on": "开工日期", "in_production_on": "投产日期", "cancelled_on": "取消日期",
      "signed_on_change_reason": "签约日期调整原因",
    ],
    filter: { project, r in
      RecordFilter.sameID(r.parkID, project.hostParkID)
        && RecordFilter.sameYear(r.year, RecordFilter.year(project.signedOn.isEmpty ? project.leadOn : project.signedOn))
        && (r.status == .unspecified || project.status == r.status)
    },
    integers: { [("planned_investment_yuan", $0.plannedInvestmentYuan)] },
    readerTitle: { p, packet in
      let e = packet.edition
      return e.t(
        "\(p.name)（\(e.projectStatus(p.status))，计划投资\(e.yuan(p.plannedInvestmentYuan))）",
        "\(p.name) (\(e.projectStatus(p.status)), planned investment \(e.yuan(p.plannedInvestmentYuan)))"
      )
    }
  )
}
