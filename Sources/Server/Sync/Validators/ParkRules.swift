internal import GongjianProtocol

/// Validation of `Park` payloads (DOMAIN.md, "Records").
enum ParkRules {
  static let rule = KindRule(.park, payload: Gongjian_V1_Park.self, validate: { park in
    var checks = FieldChecks()
    checks.requireText(park.name, "name")
    checks.limitText(park.nameEn, "name_en")
    checks.requireText(park.hostCounty, "host_county")
    checks.requireText(park.suzhouPartner, "suzhou_partner")
    checks.nonNegative(park.plannedAreaCentimu, "planned_area_centimu")
    checks.nonNegative(park.builtAreaCentimu, "built_area_centimu")
    if park.plannedAreaCentimu >= 0, park.builtAreaCentimu > park.plannedAreaCentimu {
      checks.fail(
        "built_area_centimu",
        "built area (\(park.builtAreaCentimu)) exceeds planned area (\(park.plannedAreaCentimu))"
      )
    }
    var seen = Set<Gongjian_V1_ParkDesignation>()
    for (index, designation) in park.designations.enumerated() {
      switch designation {
      case .unspecified, .UNRECOGNIZED:
        checks.fail("designations[\(index)]", "unknown designation \(designation.rawValue)")
      default:
        if !seen.insert(designation).inserted {
          checks.fail("designations[\(index)]", "listed twice")
        }
      }
    }
    for (index, pilot) in park.pilotTownshipParks.enumerated() {
      checks.requireText(pilot.name, "pilot_township_parks[\(index)].name")
      checks.requireText(pilot.township, "pilot_township_parks[\(index)].township")
    }
    checks.optionalDate(park.establishedOn, "established_on")
    return checks.violations
  })
}
