/// The yearly targets that the source policy sets (docs/DOMAIN.md, "The targets that the seed sets").
public enum SeedTargets {
  /// The seed's targets, for every year (`year` 0).
  public static let all: [Gongjian_V1_Target] = [
    target(.transferredProjects, .cityWide, 40, "Art. 四", "≥ 40 investment projects transferred from Suzhou"),
    target(.transferredInvestmentYuan, .cityWide, 15_000_000_000, "Art. 四", "≥ 15 billion yuan planned investment in those projects"),
    target(.inspectionTrips, .cityDepartments, 2, "Art. 四", "≥ 2 investment inspection trips of Suzhou firms to Suqian"),
    target(.promotionEventsPerPark, .eachPark, 1, "Art. 四", "≥ 1 investment promotion event in Suzhou per co-built park"),
    target(.delegationVisitsPerPairing, .eachPairing, 2, "Art. 六", "≥ 2 party–government delegation visits per city or county pairing"),
    target(.exchangesPerDepartment, .eachDepartment, 4, "Art. 六", "≥ 4 exchange activities per key city department"),
    target(.provincialCharacteristicParks, .countyParks, 2, "Art. 二", "≥ 2 provincial characteristic parks among county-level co-built parks"),
    target(.pilotTownshipParksPerCounty, .eachCounty, 1, "Art. 二", "1–2 pilot township co-built parks per county or district"),
    target(.flagshipLeadsIndicators, .flagship, 4, "Art. 二", "the flagship park is best in the city on all four indicators"),
    target(.councilMeetings, .cityCouncil, 1, "Art. 十一", "the two cities' joint coordination council meets at least once a year"),
  ]

  /// The scope that each metric is counted over: a target with another scope contradicts itself.
  public static let scopes: [Gongjian_V1_TargetMetric: Gongjian_V1_TargetScope] = [
    .transferredProjects: .cityWide, .transferredInvestmentYuan: .cityWide, .inspectionTrips: .cityDepartments,
    .promotionEventsPerPark: .eachPark, .delegationVisitsPerPairing: .eachPairing, .exchangesPerDepartment: .eachDepartment,
    .provincialCharacteristicParks: .countyParks, .pilotTownshipParksPerCounty: .eachCounty, .flagshipLeadsIndicators: .flagship,
    .councilMeetings: .cityCouncil,
  ]

  private static func target(
    _ metric: Gongjian_V1_TargetMetric, _ scope: Gongjian_V1_TargetScope, _ threshold: Int64, _ source: String, _ text: String
  ) -> Gongjian_V1_Target {
    .with {
      $0.metric = metric
      $0.scope = scope
      $0.threshold = threshold
      $0.year = 0
      $0.source = source
      $0.description_p = text
    }
  }
}
