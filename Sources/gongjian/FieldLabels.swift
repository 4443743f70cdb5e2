/// Chinese column labels of the spreadsheet kinds' fields, with the unit where the field has one.
/// Exports write `label (field_name)`; imports accept the field name, the label, or both.
enum FieldLabels {
  static let labels: [String: String] = [
    "id": "记录编号",
    "version": "版本",
    // park
    "name": "名称",
    "name_en": "英文名称",
    "host_county": "所在县区",
    "suzhou_partner": "苏州结对方",
    "planned_area_centimu": "规划面积（0.01亩）",
    "built_area_centimu": "建成面积（0.01亩）",
    "designations": "称号",
    "pilot_township_parks": "试点镇级共建园区",
    "established_on": "设立日期",
    // indicator_report
    "park_id": "园区编号",
    "period": "报告期",
    "industrial_project_investment_yuan": "工业项目投资（元）",
    "industrial_land_area_centimu": "工业用地面积（0.01亩）",
    "foreign_investment_yuan": "利用外资（元）",
    "total_industrial_investment_yuan": "工业投资总额（元）",
    "high_tech_output_yuan": "高新技术产业产值（元）",
    "total_industrial_output_yuan": "工业总产值（元）",
    "rnd_spending_yuan": "研发经费（元）",
    "main_business_revenue_yuan": "主营业务收入（元）",
    "derived": "派生指标（服务器计算）",
    // transferred_project
    "source_enterprise": "转移企业",
    "source_district": "苏州来源地区",
    "industry": "产业",
    "planned_investment_yuan": "计划投资（元）",
    "host_park_id": "承接园区编号",
    "status": "状态",
    "lead_on": "在谈日期",
    "signed_on": "签约日期",
    "started_on": "开工日期",
    "in_production_on": "投产日期",
    "cancelled_on": "取消日期",
    "signed_on_change_reason": "签约日期调整原因",
    // exchange_activity
    "type": "类型",
    "title": "标题",
    "held_on": "举办日期",
    "host_side": "主办方",
    "participating_offices": "参与单位",
    "people_count": "人数",
    // assistance_plan
    "village": "村",
    "township": "镇",
    "county": "县区",
    "suzhou_helper": "苏州帮扶方",
    "plan": "帮扶计划",
    "year": "年度",
    "projects": "帮扶项目",
    // revenue_sharing_agreement
    "shares": "分成比例",
    "effective_from": "生效日期",
    // target
    "metric": "指标",
    "scope": "范围",
    "threshold": "目标值",
    "source": "依据",
    "description": "说明",
    // evaluation_criterion
    "kind": "评分项",
    "max_points": "满分",
    "partial_points": "部分得分",
  ]

  /// The column header of a field: `计划投资（元） (planned_investment_yuan)`.
  static func header(_ field: String) -> String {
    Self.labels[field].map { "\($0) (\(field))" } ?? field
  }

  /// The field a bare Chinese label names, if any.
  static func field(label: String) -> String? {
    Self.labels.first { $0.value == label }?.key
  }
}
