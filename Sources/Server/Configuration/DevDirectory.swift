public import GongjianProtocol

/// The sample partnership of docs/DOMAIN.md: tenants, offices on both sides, and their memberships.
public enum DevDirectory {
  /// The four tenants.
  public static let tenants: [Gongjian_V1_Tenant] = [
    tenant("sip-suqian", "苏宿工业园区 Suzhou–Suqian Industrial Park"),
    tenant("changshu-sihong", "常熟（泗洪）共建园区 Changshu (Sihong) co-built park"),
    tenant("wujiang-siyang", "吴江（泗阳）共建园区 Wujiang (Siyang) co-built park"),
    tenant("city", "宿迁市与苏州市（市级挂钩） Suqian and Suzhou (city level)"),
  ]

  /// Offices of both sides.
  public static let offices: [Gongjian_V1_Office] = [
    office("suqian.drc", "宿迁市发展改革委 Suqian Development and Reform Commission", .suqian, overseer: true),
    office("suqian.stats", "宿迁市统计局 Suqian Statistics Bureau", .suqian, overseer: true),
    office("suqian.commerce", "宿迁市商务局 Suqian Commerce Bureau", .suqian),
    office("suqian.finance", "宿迁市财政局 Suqian Finance Bureau", .suqian),
    office("suqian.liaison", "宿迁市政府驻苏州联络处（市承接产业转移办公室） Suqian Government Liaison Office in Suzhou (City Industrial Transfer Office)", .suqian),
    office("sip-suqian.admin", "苏宿工业园区管委会 SIP–Suqian Park Administration", .suqian),
    office("sihong.gov", "泗洪县人民政府 Sihong County Government", .suqian),
    office("siyang.gov", "泗阳县人民政府 Siyang County Government", .suqian),
    office("suzhou.drc", "苏州市发展改革委 Suzhou Development and Reform Commission", .suzhou),
    office("sip.admin", "苏州工业园区管委会 Suzhou Industrial Park Administration", .suzhou),
    office("changshu.commerce", "常熟市商务局 Changshu Commerce Bureau", .suzhou),
    office("wujiang.commerce", "吴江区商务局 Wujiang Commerce Bureau", .suzhou),
  ]

  /// (tenant, office, role, key city department).
  public static let memberships: [(tenant: String, office: String, role: Gongjian_V1_Role, keyDepartment: Bool)] = [
    ("city", "suqian.drc", .admin, true),
    ("city", "suzhou.drc", .secretariat, false),
    ("city", "suqian.commerce", .contributor, true),
    ("city", "suqian.liaison", .contributor, false),
    ("city", "suqian.stats", .viewer, false),
    ("city", "suqian.finance", .viewer, true),
    ("sip-suqian", "sip-suqian.admin", .admin, false),
    ("sip-suqian", "sip.admin", .secretariat, false),
    ("sip-suqian", "suqian.commerce", .contributor, false),
    ("sip-suqian", "suqian.finance", .viewer, false),
    ("changshu-sihong", "sihong.gov", .admin, false),
    ("changshu-sihong", "changshu.commerce", .secretariat, false),
    ("changshu-sihong", "suqian.commerce", .contributor, false),
    ("wujiang-siyang", "siyang.gov", .admin, false),
    ("wujiang-siyang", "wujiang.commerce", .secretariat, false),
    ("wujiang-siyang", "suqian.commerce", .contributor, false),
  ]

  private static func tenant(_ id: String, _ name: String) -> Gongjian_V1_Tenant {
    .with {
      $0.id = id
      $0.name = name
    }
  }

  private static func office(_ id: String, _ name: String, _ side: Gongjian_V1_Side, overseer: Bool = false) -> Gongjian_V1_Office {
    .with {
      $0.id = id
      $0.name = name
      $0.side = side
      $0.overseer = overseer
    }
  }
}
