extension RecordKind {
  /// The weight of a criterion of the annual evaluation (`Gongjian_V1_EvaluationCriterion`).
  public static let evaluationCriterion = RecordKind(
    "evaluation_criterion", Gongjian_V1_EvaluationCriterion.self,
    get: { if case .evaluationCriterion(let c) = $0 { c } else { nil } }, set: { $0.evaluationCriterion = $1 },
    label: .init("考核评分项", "evaluation criterion"),
    columns: ["CRITERION", "MAX POINTS", "PARTIAL POINTS", "YEAR", "SOURCE"],
    summary: { c in
      [String(describing: c.kind), String(c.maxPoints), String(c.partialPoints), c.year == 0 ? "every year" : String(c.year), c.source]
    },
    fieldLabels: [
      "kind": "评分项", "max_points": "满分", "partial_points": "部分得分", "year": "年度", "source": "依据",
    ],
    filter: { criterion, r in RecordFilter.sameYear(r.year, criterion.year, everyYear: true) },
    readerTitle: { c, packet in packet.edition.article(c.source) }
  )
}
