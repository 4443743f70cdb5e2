internal import GongjianProtocol

/// Validation of `Park` payloads (docs/DOMAIN.md, "Records").
enum ParkRules {
  static let rule = KindRule(.park, payload: Gongjian_V1_Park.self, trim: { park in
    park.name = FieldChecks.trimmed(park.name)
    park.nameEn = FieldChecks.trimmed(park.nameEn)
    park.hostCounty = FieldChecks.trimmed(park.hostCounty)
    park.suzhouPartner = FieldChecks.trimmed(park.suzhouPartner)
    for index in park.pilotTownshipParks.indices {
      park.pilotTownshipParks[index].name = FieldChecks.trimmed(park.pilotTownshipParks[index].name)
      park.pilotTownshipParks[index].township = FieldChecks.trimmed(park.pilotTownshipParks[index].township)
    }
  }, validate: { park in
    var checks = FieldChecks()
    checks.requireText(park.name, "name")
    checks.limitText(park.nameEn, "name_en")
    checks.requireText(park.hostCounty, "host_county")
    // Art. 四: co-built parks lie in Suqian.
    checks.oneOf(park.hostCounty, Jurisdictions.suqian, "host_county", what: "one of Suqian's counties, districts or functional zones")
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
  }, eventDates: { [("established_on", $0.establishedOn)] }, uniqueKey: \.uniqueKey)
}
