/// The weights of the annual evaluation (Art. 十三). The seed names what is evaluated; the
/// points each part weighs are the deployment's, kept as `evaluation_criterion` records of the
/// city tenant that its admins edit. These defaults (100 points) apply where none is recorded.
public enum EvaluationWeights {
  /// The defaults, for every year (`year` 0):
  /// - each of the four indicators of Art. 二: 10 points for first place, down in equal steps;
  /// - a promotion event in Suzhou (Art. 四): 20 points;
  /// - projects signed in the year (Art. 四): 5 points each, at most 25;
  /// - a provincial designation (Art. 八): 15 points, 5 for a pending application.
  public static let defaults: [Gongjian_V1_EvaluationCriterion] = [
    criterion(.indicatorRanks, 10, 0, "Art. 二"),
    criterion(.promotionEvent, 20, 0, "Art. 四"),
    criterion(.transferredProjects, 25, 5, "Art. 四"),
    criterion(.provincialDesignation, 15, 5, "Art. 八"),
  ]

  private static func criterion(
    _ kind: Gongjian_V1_EvaluationCriterionKind, _ max: Int32, _ partial: Int32, _ source: String
  ) -> Gongjian_V1_EvaluationCriterion {
    .with {
      $0.kind = kind
      $0.maxPoints = max
      $0.partialPoints = partial
      $0.year = 0
      $0.source = source
    }
  }

  /// The weights that apply to `year`: a year-specific record wins over an every-year one,
  /// which wins over the default.
  static func effective(_ recorded: [Gongjian_V1_EvaluationCriterion], year: Int32) -> [Gongjian_V1_EvaluationCriterionKind: Gongjian_V1_EvaluationCriterion] {
    var weights = Dictionary(uniqueKeysWithValues: Self.defaults.map { ($0.kind, $0) })
    for criterion in recorded where criterion.year == 0 { weights[criterion.kind] = criterion }
    for criterion in recorded where criterion.year == year { weights[criterion.kind] = criterion }
    return weights
  }
}
