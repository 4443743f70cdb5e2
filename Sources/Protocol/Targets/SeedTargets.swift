/// The yearly targets that the source policy sets (docs/DOMAIN.md, "The targets that the seed sets").
public enum SeedTargets {
  /// The seed's targets, for every year (`year` 0), each with the units its article makes
  /// responsible (``responsibleUnits``).
  public static let all: [Gongjian_V1_Target] = [
    target(.transferredProjects, .cityWide, 40, "Art. 四", "≥ 40 investment projects transferred from Suzhou"),
    target(.transferredInvestmentYuan, .cityWide, 15_000_000_000, "Art. 四", "≥ 15 billion yuan planned investment in those projects"),
    target(.inspectionTrips, .cityDepartments, 2, "Art. 四", "≥ 2 investment inspection trips of Suzhou firms to Suqian"),
    target(.promotionEventsPerPark, .eachPark, 1, "Art. 四", "≥ 1 investment promotion event in Suzhou per co-built park"),
    target(.delegationVisitsPerPairing, .eachPairing, 2, "Art. 六", "≥ 2 party–government delegation visits per city or county pairing"),
    target(.exchangesPerDepartment, .eachDepartment, 4, "Art. 六", "≥ 4 exchange activities per key city department"),
    target(.provincialCharacteristicParks, .countyParks, 2, "Art. 二", "≥ 2 provincial characteristic parks among county-level co-built parks"),
    target(.pilotTownshipParksPerCounty, .eachCounty, 1, "Art. 二", "1–2 pilot township co-built parks per county or district", ceiling: 2),
    target(.flagshipLeadsIndicators, .flagship, 4, "Art. 二", "the 苏宿工业园区 is best in the city on all four indicators"),
    target(.councilMeetings, .cityCouncil, 1, "Art. 十一", "the two cities' joint coordination council meets at least once a year"),
    target(.weakVillagesWithPlan, .eachWeakVillage, 1, "Art. 七", "every economically weak village of the register has an assistance plan for the year"),
  ]

  /// The units responsible (责任单位) for each metric, as the seed's articles name them. Art. 二
  /// sets three targets but names no units: each takes the units of the article that carries it
  /// out (characteristic parks: Art. 八; pilot township parks: Art. 七, the townships'
  /// cooperation; the 苏宿工业园区's lead: Art. 十四–十七).
  public static let responsibleUnits: [Gongjian_V1_TargetMetric: [String]] = [
    .transferredProjects: article四, .transferredInvestmentYuan: article四, .inspectionTrips: article四,
    .promotionEventsPerPark: article四,
    .delegationVisitsPerPairing: article六, .exchangesPerDepartment: article六,
    .provincialCharacteristicParks: ["市发展改革委", "市商务局", "市科技局", "各县、区", "各共建园区"],
    .pilotTownshipParksPerCounty: ["市发展改革委", "市农业农村局", "各县、区", "市各功能区"],
    .flagshipLeadsIndicators: ["苏宿园区", "市各相关部门"],
    .councilMeetings: ["市发展改革委", "市财政局", "各县、区", "各共建园区"],
    .weakVillagesWithPlan: ["市发展改革委", "市农业农村局", "各县、区", "市各功能区"],
  ]

  /// Art. 四's units (the seed ends the list with 等: these and others like them).
  static let article四 = ["市政府办公室", "市发展改革委", "市商务局", "市工业和信息化局", "市科技局", "市委台办", "市工商联", "各共建园区"]
  /// Art. 六's units.
  static let article六 = ["市委组织部", "市人力资源社会保障局", "市工业和信息化局", "市发展改革委", "各县、区", "各共建园区"]

  /// The units responsible for a target: its own where recorded, else its article's.
  public static func responsibleUnits(of target: Gongjian_V1_Target) -> [String] {
    target.responsibleUnits.isEmpty ? Self.responsibleUnits[target.metric] ?? [] : target.responsibleUnits
  }

  /// The scope that each metric is counted over: a target with another scope contradicts itself.
  public static let scopes: [Gongjian_V1_TargetMetric: Gongjian_V1_TargetScope] = [
    .transferredProjects: .cityWide, .transferredInvestmentYuan: .cityWide, .inspectionTrips: .cityDepartments,
    .promotionEventsPerPark: .eachPark, .delegationVisitsPerPairing: .eachPairing, .exchangesPerDepartment: .eachDepartment,
    .provincialCharacteristicParks: .countyParks, .pilotTownshipParksPerCounty: .eachCounty, .flagshipLeadsIndicators: .flagship,
    .councilMeetings: .cityCouncil, .weakVillagesWithPlan: .eachWeakVillage,
  ]

  private static func target(
    _ metric: Gongjian_V1_TargetMetric, _ scope: Gongjian_V1_TargetScope, _ threshold: Int64, _ source: String, _ text: String,
    ceiling: Int64 = 0
  ) -> Gongjian_V1_Target {
    .with {
      $0.metric = metric
      $0.ceiling = ceiling
      $0.scope = scope
      $0.threshold = threshold
      $0.year = 0
      $0.source = source
      $0.description_p = text
    }
  }
}
