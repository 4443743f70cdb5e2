extension TargetsCalculator {
  /// Art. 十三's 市对县(区)监测评价: each county's and district's co-construction figures of a
  /// year, beside the evaluation of the parks. Projects count where they lie (a park's county, or
  /// the county of a project outside the parks); visits and cadres by pairing; revenue by the
  /// county of the agreement's park.
  public func countyMonitoring(year: Int32) -> [Gongjian_V1_CountyMonitoring] {
    let parkCounty = Dictionary(self.data.parks.map { ($0.id, $0.payload.hostCounty) }, uniquingKeysWith: { first, _ in first })
    let projects = self.transferredProjects(in: year)
    let visits = self.activities(.delegationVisit, in: year)
    let plans = Set(self.plans(in: year).map { Self.villageKey($0.payload.county, $0.payload.village) })
    return Jurisdictions.suqianCounties.map { county in
      let own = projects.filter { ($0.payload.hostParkID.isEmpty ? $0.payload.hostCounty : parkCounty[$0.payload.hostParkID]) == county }
      let villages = self.data.weakVillages.filter { $0.payload.county == county }
      return .with {
        $0.county = county
        $0.projectsSigned = Int32(own.count)
        $0.plannedInvestmentYuan = own.reduce(0) { $0 + $1.payload.plannedInvestmentYuan }
        $0.delegationVisits = Int32(visits.filter { self.pairingUnit(of: $0) == county }.count)
        $0.pilotTownshipParks = Int32(self.data.parks.filter { $0.payload.hostCounty == county }.reduce(0) { $0 + Self.countedPilots($1.payload).count })
        $0.cadresExchanged = self.data.cadreExchanges
          .filter { $0.payload.pairing == county && RecordFilter.year($0.payload.startsOn) == year }
          .reduce(0) { $0 + $1.payload.people }
        $0.weakVillages = Int32(villages.count)
        $0.weakVillagesWithPlan = Int32(villages.filter { plans.contains(Self.villageKey($0.payload.county, $0.payload.village)) }.count)
        $0.revenueSharedYuan = self.data.agreements.filter { parkCounty[$0.payload.parkID] == county }
          .flatMap(\.payload.shared).filter { $0.year == year }.reduce(0) { $0 + $1.amountYuan }
      }
    }
  }

  /// The pilot township parks of a park that count (Art. 二): those in the city's 一区多园 scope.
  static func countedPilots(_ park: Gongjian_V1_Park) -> [Gongjian_V1_PilotTownshipPark] {
    park.pilotTownshipParks.filter(\.inMultiParkScope)
  }
}
