/// The records that targets, evaluation and the meeting packet are computed from, for a set of
/// tenants.
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
  /// The two-city tenant: its projects lie outside every co-built park and its delegation
  /// visits belong to the city-level pairing.
  public var cityTenantID = "city"
  public var parks: [Item<Gongjian_V1_Park>] = []
  public var reports: [Item<Gongjian_V1_IndicatorReport>] = []
  /// Reports of parks that are not co-built (the city tenant's), for the whole city's comparison;
  /// loaded only for readers of the city tenant.
  public var referenceReports: [Item<Gongjian_V1_ReferenceParkReport>] = []
  public var projects: [Item<Gongjian_V1_TransferredProject>] = []
  public var activities: [Item<Gongjian_V1_ExchangeActivity>] = []
  public var agreements: [Item<Gongjian_V1_RevenueSharingAgreement>] = []
  /// Assistance plans of weak villages (Art. 七), from every tenant read.
  public var assistancePlans: [Item<Gongjian_V1_AssistancePlan>] = []
  /// The registers of the city tenant, for its readers: the weak villages (Art. 七), cadre
  /// exchanges (Art. 六, 十, 十七) and yearly pairing agreements (Art. 四).
  public var weakVillages: [Item<Gongjian_V1_WeakVillage>] = []
  public var cadreExchanges: [Item<Gongjian_V1_CadreExchange>] = []
  public var pairingAgreements: [Item<Gongjian_V1_PairingAgreement>] = []
  /// Councils and meetings of the city tenant, for the yearly council meeting (Art. 十一).
  public var councils: [Item<Gongjian_V1_Council>] = []
  public var meetings: [Item<Gongjian_V1_Meeting>] = []
  /// The key city departments (重点市直部门, Art. 六): members of the city tenant flagged so.
  public var cityDepartments: [String] = []
  public var targets: [Gongjian_V1_Target] = []
  /// The evaluation's recorded weights (``EvaluationWeights``).
  public var criteria: [Gongjian_V1_EvaluationCriterion] = []
  /// Tenant id → name (a pairing's name), where known.
  public var tenantNames: [String: String] = [:]
  /// Office id → name, where known.
  public var officeNames: [String: String] = [:]

  /// Creates an empty data set for the given tenants.
  public init(tenantIDs: [String]) {
    self.tenantIDs = tenantIDs
  }

  /// The park designated as the flagship (苏宿工业园区, Art. 二), if any.
  public var flagshipPark: Item<Gongjian_V1_Park>? {
    self.parks.first { $0.payload.designations.contains(.flagship) }
  }
}
