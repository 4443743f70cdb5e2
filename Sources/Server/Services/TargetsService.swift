public import GongjianProtocol
public import GRPCCore

/// `gongjian.v1.Targets`: the seed's targets, the flagship comparison and the evaluation.
///
/// Overseers and members of the city tenant get city-wide figures; any other office gets the
/// figures of the tenants it belongs to, labelled as such.
public struct TargetsService: Gongjian_V1_Targets.SimpleServiceProtocol {
  private let store: any GongjianStore
  private let cityTenant: String

  /// Creates the service.
  ///
  /// - Parameters:
  ///   - store: The store.
  ///   - cityTenant: The two-city tenant, which keeps the targets.
  public init(store: any GongjianStore, cityTenant: String) {
    self.store = store
    self.cityTenant = cityTenant
  }

  /// The tenants a caller's figures cover.
  private func scope(_ caller: Caller) async throws -> (tenants: [String], cityWide: Bool, label: String) {
    let memberships = try await self.store.memberships(officeID: caller.office.id)
    if caller.office.overseer || memberships.contains(where: { $0.tenantID == self.cityTenant }) {
      return (try await self.store.tenants().map(\.id), true, "city-wide")
    }
    let own = memberships.map(\.tenantID).sorted()
    guard !own.isEmpty else {
      throw GongjianError(.permissionDenied, "office \(caller.office.id) is a member of no tenant")
    }
    return (own, false, "tenants \(own.joined(separator: ", ")) only (not city-wide)")
  }

  private func calculator(_ caller: Caller) async throws -> (TargetsCalculator, [String], Bool, String) {
    let scope = try await self.scope(caller)
    let data = try await PartnershipData.load(from: self.store, tenantIDs: scope.tenants, targetsTenant: self.cityTenant)
    return (TargetsCalculator(data: data), scope.tenants, scope.cityWide, scope.label)
  }

  private static func checkYear(_ year: Int32) throws {
    guard (2000...2100).contains(year) else { throw GongjianError.invalidField("year", "from 2000 to 2100 (got \(year))") }
  }

  public func report(request: Gongjian_V1_TargetsReportRequest, context: ServerContext) async throws -> Gongjian_V1_TargetsReport {
    try Self.checkYear(request.year)
    let (calculator, tenants, cityWide, label) = try await self.calculator(try context.caller)
    return .with {
      $0.year = request.year
      $0.cityWide = cityWide
      $0.tenantIds = tenants
      $0.scopeLabel = label
      $0.results = calculator.report(year: request.year)
    }
  }

  public func flagship(request: Gongjian_V1_FlagshipRequest, context: ServerContext) async throws -> Gongjian_V1_FlagshipComparison {
    try Self.checkYear(request.period.year)
    guard (0...4).contains(request.period.quarter) else {
      throw GongjianError.invalidField("period.quarter", "1 to 4, or 0 for the whole year")
    }
    let (calculator, _, cityWide, _) = try await self.calculator(try context.caller)
    var comparison = calculator.flagship(period: request.period)
    comparison.cityWide = cityWide
    return comparison
  }

  public func evaluation(request: Gongjian_V1_EvaluationRequest, context: ServerContext) async throws -> Gongjian_V1_EvaluationReport {
    try Self.checkYear(request.year)
    let (calculator, _, cityWide, label) = try await self.calculator(try context.caller)
    return .with {
      $0.year = request.year
      $0.cityWide = cityWide
      $0.scopeLabel = label
      $0.parks = calculator.evaluation(year: request.year)
      // The city's monitoring of its counties (Art. 十三) is the whole city's: city-wide readers only.
      $0.counties = cityWide ? calculator.countyMonitoring(year: request.year) : []
    }
  }
}
