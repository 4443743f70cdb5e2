public import GongjianProtocol
public import GRPCCore

/// `gongjian.v1.Targets`: the seed's targets, the flagship comparison, the evaluation, and the
/// summary of them an office keeps for offline reports.
///
/// Overseers and members of the city tenant get city-wide figures; any other office gets the
/// figures of the tenants it belongs to, labelled as such.
public struct TargetsService: Gongjian_V1_Targets.SimpleServiceProtocol {
  let store: any GongjianStore
  let authorizer: Authorizer
  let cityTenant: String
  let ranges: PlausibleRanges

  /// Creates the service.
  ///
  /// - Parameters:
  ///   - store: The store.
  ///   - authorizer: Decides which councils' packets a summary carries (those the caller reads).
  ///   - cityTenant: The two-city tenant, which keeps the targets.
  ///   - ranges: Where values are plausible, for the packets' data-quality notes.
  public init(store: any GongjianStore, authorizer: Authorizer, cityTenant: String, ranges: PlausibleRanges = .defaults) {
    self.store = store
    self.authorizer = authorizer
    self.cityTenant = cityTenant
    self.ranges = ranges
  }

  /// The tenants a caller's figures cover.
  struct Scope {
    var tenants: [String]
    var cityWide: Bool
    var label: String
  }

  func scope(_ caller: Caller) async throws -> Scope {
    let memberships = try await self.store.memberships(officeID: caller.office.id)
    if caller.office.overseer || memberships.contains(where: { $0.tenantID == self.cityTenant }) {
      return Scope(tenants: try await self.store.tenants().map(\.id), cityWide: true, label: "city-wide")
    }
    let own = memberships.map(\.tenantID).sorted()
    guard !own.isEmpty else {
      throw GongjianError(.permissionDenied, "office \(caller.office.id) is a member of no tenant")
    }
    return Scope(tenants: own, cityWide: false, label: "tenants \(own.joined(separator: ", ")) only (not city-wide)")
  }

  private func calculator(_ caller: Caller) async throws -> (TargetsCalculator, Scope) {
    let scope = try await self.scope(caller)
    let data = try await PartnershipData.load(from: self.store, tenantIDs: scope.tenants, targetsTenant: self.cityTenant)
    return (TargetsCalculator(data: data), scope)
  }

  private static func checkYear(_ year: Int32) throws {
    guard (2000...2100).contains(year) else { throw GongjianError.invalidField("year", "from 2000 to 2100 (got \(year))") }
  }

  // The answers, shared by the calls and the summary, which must say the same.

  static func report(_ calculator: TargetsCalculator, _ scope: Scope, year: Int32) -> Gongjian_V1_TargetsReport {
    .with {
      $0.year = year
      $0.cityWide = scope.cityWide
      $0.tenantIds = scope.tenants
      $0.scopeLabel = scope.label
      $0.results = calculator.report(year: year)
    }
  }

  static func flagship(_ calculator: TargetsCalculator, _ scope: Scope, period: Gongjian_V1_Period) -> Gongjian_V1_FlagshipComparison {
    var comparison = calculator.flagship(period: period)
    comparison.cityWide = scope.cityWide
    return comparison
  }

  static func evaluation(_ calculator: TargetsCalculator, _ scope: Scope, year: Int32) -> Gongjian_V1_EvaluationReport {
    .with {
      $0.year = year
      $0.cityWide = scope.cityWide
      $0.scopeLabel = scope.label
      $0.parks = calculator.evaluation(year: year)
      // The city's monitoring of its counties (Art. 十三) is the whole city's: city-wide readers only.
      $0.counties = scope.cityWide ? calculator.countyMonitoring(year: year) : []
    }
  }

  public func report(request: Gongjian_V1_TargetsReportRequest, context: ServerContext) async throws -> Gongjian_V1_TargetsReport {
    try Self.checkYear(request.year)
    let (calculator, scope) = try await self.calculator(try context.caller)
    return Self.report(calculator, scope, year: request.year)
  }

  public func flagship(request: Gongjian_V1_FlagshipRequest, context: ServerContext) async throws -> Gongjian_V1_FlagshipComparison {
    try Self.checkYear(request.period.year)
    guard (0...4).contains(request.period.quarter) else {
      throw GongjianError.invalidField("period.quarter", "1 to 4, or 0 for the whole year")
    }
    let (calculator, scope) = try await self.calculator(try context.caller)
    return Self.flagship(calculator, scope, period: request.period)
  }

  public func evaluation(request: Gongjian_V1_EvaluationRequest, context: ServerContext) async throws -> Gongjian_V1_EvaluationReport {
    try Self.checkYear(request.year)
    let (calculator, scope) = try await self.calculator(try context.caller)
    return Self.evaluation(calculator, scope, year: request.year)
  }
}
