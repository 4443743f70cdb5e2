
/// The records that targets and evaluation are computed from, for a set of tenants.
public struct PartnershipData: Sendable {
  /// A decoded record with its tenant and id.
  public struct Item<Payload: Sendable>: Sendable {
    public var tenantID: String
    public var id: String
    public var payload: Payload

    public init(tenantID: String, id: String, payload: Payload) {
      self.tenantID = tenantID
      self.id = id
      self.payload = payload
    }
  }

  public var tenantIDs: [String]
  public var parks: [Item<Gongjian_V1_Park>] = []
  public var reports: [Item<Gongjian_V1_IndicatorReport>] = []
  public var projects: [Item<Gongjian_V1_TransferredProject>] = []
  public var activities: [Item<Gongjian_V1_ExchangeActivity>] = []
  /// Suqian-side offices that are members of the city tenant: the "key city departments".
  public var cityDepartments: [String] = []
  public var targets: [Gongjian_V1_Target] = []

  /// Creates an empty data set for the given tenants.
  public init(tenantIDs: [String]) {
    self.tenantIDs = tenantIDs
  }
}
