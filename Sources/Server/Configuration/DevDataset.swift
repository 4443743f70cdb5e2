internal import Crypto
internal import Foundation
public import GongjianProtocol
public import Logging
internal import SwiftProtobuf

/// The sample partnership's records: four parks with two years of quarterly indicator reports,
/// 66 transferred projects in every status (and 3 outside every park, in the city tenant), exchange
/// activities, assistance plans,
/// revenue-sharing agreements and the seed's targets. Deterministic (fixed ids and figures), so
/// the README's tour and the tests can name them.
///
/// Written through the sync engine as each tenant's admin office, like any other change.
public enum DevDataset {
  /// Fixed ids of the sample parks.
  public enum ParkID {
    public static let flagship = "5a1e0000-0000-4000-8000-000000000001"
    public static let changshuSihong = "5a1e0000-0000-4000-8000-000000000002"
    public static let sihongHighTech = "5a1e0000-0000-4000-8000-000000000003"
    public static let wujiangSiyang = "5a1e0000-0000-4000-8000-000000000004"
  }

  /// The years with records.
  public static let years: [Int32] = [2025, 2026]

  struct ParkSpec {
    let tenant: String
    let id: String
    let park: Gongjian_V1_Park
    /// Base figures that the quarterly reports grow from.
    let intensityYuanPerMu: Int64
    let foreignShareBp: Int64
    let highTechShareBp: Int64
    let rndBp: Int64
  }

  static let parks: [ParkSpec] = [
    ParkSpec(
      tenant: "sip-suqian", id: ParkID.flagship,
      park: .with {
        $0.name = "苏宿工业园区"
        $0.nameEn = "Suzhou-Suqian Industrial Park"
        $0.hostCounty = "宿城区"
        $0.suzhouPartner = "苏州工业园区"
        $0.plannedAreaCentimu = 2_088_000
        $0.builtAreaCentimu = 1_352_000
        $0.designations = [.flagship, .provincialDevelopmentZone]
        $0.establishedOn = "2006-11-28"
      },
      intensityYuanPerMu: 4_200_000, foreignShareBp: 2_150, highTechShareBp: 5_200, rndBp: 310
    ),
    ParkSpec(
      tenant: "changshu-sihong", id: ParkID.changshuSihong,
      park: .with {
        $0.name = "常熟（泗洪）共建园区"
        $0.nameEn = "Changshu (Sihong) Co-built Park"
        $0.hostCounty = "泗洪县"
        $0.suzhouPartner = "常熟市"
        $0.plannedAreaCentimu = 520_000
        $0.builtAreaCentimu = 268_000
        $0.designations = [.provincialCharacteristicGranted]
        // Sample data: the seed names no township. 上塘镇's park is not yet taken into the city's
        // 一区多园 management, so it does not count towards the pilot target.
        $0.pilotTownshipParks = [
          .with { $0.name = "双沟镇共建试点园"; $0.township = "双沟镇"; $0.inMultiParkScope = true },
          .with { $0.name = "上塘镇共建试点园"; $0.township = "上塘镇" },
        ]
        $0.establishedOn = "2012-05-18"
      },
      intensityYuanPerMu: 3_100_000, foreignShareBp: 1_420, highTechShareBp: 3_600, rndBp: 220
    ),
    ParkSpec(
      tenant: "changshu-sihong", id: ParkID.sihongHighTech,
      park: .with {
        $0.name = "泗洪高新区常熟合作园"
        $0.nameEn = "Sihong High-tech Zone Changshu Cooperation Park"
        $0.hostCounty = "泗洪县"
        $0.suzhouPartner = "常熟高新技术产业开发区"
        $0.plannedAreaCentimu = 180_000
        $0.builtAreaCentimu = 64_000
        $0.designations = [.provincialCharacteristicApplied]
        $0.establishedOn = "2019-09-10"
      },
      intensityYuanPerMu: 2_600_000, foreignShareBp: 900, highTechShareBp: 4_100, rndBp: 260
    ),
    ParkSpec(
      tenant: "wujiang-siyang", id: ParkID.wujiangSiyang,
      park: .with {
        $0.name = "吴江（泗阳）共建园区"
        $0.nameEn = "Wujiang (Siyang) Co-built Park"
        $0.hostCounty = "泗阳县"
        $0.suzhouPartner = "苏州市吴江区"
        $0.plannedAreaCentimu = 460_000
        $0.builtAreaCentimu = 251_000
        $0.designations = [.provincialCharacteristicGranted]
        $0.pilotTownshipParks = [
          .with { $0.name = "众兴镇共建试点园"; $0.township = "众兴镇"; $0.inMultiParkScope = true },
        ]
        $0.establishedOn = "2012-06-06"
      },
      // Wujiang (Siyang) draws more foreign investment than the flagship: the targets report
      // shows the flagship short on that indicator.
      intensityYuanPerMu: 3_500_000, foreignShareBp: 2_480, highTechShareBp: 3_900, rndBp: 240
    ),
  ]

  /// The admin office that enters a tenant's records.
  static let writers = [
    "sip-suqian": "sip-suqian.admin", "changshu-sihong": "sihong.gov", "wujiang-siyang": "siyang.gov", "city": "suqian.drc",
  ]

  /// Every sample mutation, by tenant, in the order they are pushed.
  public static func mutations() -> [(tenant: String, mutations: [Gongjian_V1_Mutation])] {
    var byTenant: [String: [Gongjian_V1_Mutation]] = [:]
    var counter = 0
    func add(_ tenant: String, _ kind: RecordKind, _ id: String, _ message: any SwiftProtobuf.Message) {
      counter += 1
      let mutation = Gongjian_V1_Mutation.with {
        $0.mutationID = "dev-dataset-\(counter)"
        $0.kind = kind.name
        $0.recordID = id
        $0.baseVersion = 0
        $0.payload = kind.pack(serialized: (try? message.serializedBytes()) ?? Data())
      }
      byTenant[tenant, default: []].append(mutation)
    }
    func id(_ prefix: Int, _ n: Int) -> String {
      String(format: "%08x-0000-4000-8000-%012x", prefix, n)
    }

    for spec in parks { add(spec.tenant, .park, spec.id, spec.park) }

    // Quarterly reports: figures grow a little each quarter; indicators are derived by the server.
    for (p, spec) in parks.enumerated() {
      for year in years {
        for quarter in Int32(1)...4 {
          let step = Int64((Int(year) - 2025) * 4 + Int(quarter))
          let area: Int64 = 80_000_00 + Int64(p) * 10_000_00 + step * 1_500_00
          let intensity = spec.intensityYuanPerMu + step * 35_000
          let investment = intensity * area / 100
          let totalInvestment = investment + investment / 5
          let output = 2_000_000_000 + Int64(p) * 350_000_000 + step * 120_000_000
          let revenue = output + output / 10
          let report = Gongjian_V1_IndicatorReport.with {
            $0.parkID = spec.id
            $0.period = .with { $0.year = year; $0.quarter = quarter }
            $0.industrialProjectInvestmentYuan = investment
            $0.industrialLandAreaCentimu = area
            $0.totalIndustrialInvestmentYuan = totalInvestment
            $0.foreignInvestmentYuan = investment * (spec.foreignShareBp + step * 12) / 10_000
            $0.totalIndustrialOutputYuan = output
            $0.highTechOutputYuan = output * (spec.highTechShareBp + step * 20) / 10_000
            $0.mainBusinessRevenueYuan = revenue
            $0.rndSpendingYuan = revenue * (spec.rndBp + step * 3) / 10_000
          }
          add(spec.tenant, .indicatorReport, id(0x1000 + p, Int(step)), report)
        }
      }
    }

    // Parks of the city that are not co-built, as the statistics bureau records them (Art. 二's
    // 全市最优 compares the 苏宿工业园区 with every park): sample figures, said so in `source`, each
    // below the 苏宿工业园区 on every indicator.
    let referenceParks: [(name: String, county: String, intensity: Int64, foreign: Int64, highTech: Int64, rnd: Int64)] = [
      ("宿迁经济技术开发区", "宿迁经济技术开发区", 3_800_000, 1_900, 4_800, 280), ("沭阳经济技术开发区", "沭阳县", 3_000_000, 1_200, 3_500, 200),
    ]
    for (p, spec) in referenceParks.enumerated() {
      for year in years {
        for quarter in Int32(1)...4 {
          let step = Int64((Int(year) - 2025) * 4 + Int(quarter))
          let area: Int64 = 90_000_00 + Int64(p) * 10_000_00 + step * 1_000_00
          let investment = (spec.intensity + step * 30_000) * area / 100
          let output = 1_800_000_000 + Int64(p) * 300_000_000 + step * 100_000_000
          let revenue = output + output / 10
          add("city", .referenceParkReport, id(0x1100 + p, Int(step)), Gongjian_V1_ReferenceParkReport.with {
            $0.parkName = spec.name
            $0.hostCounty = spec.county
            $0.period = .with { $0.year = year; $0.quarter = quarter }
            $0.industrialProjectInvestmentYuan = investment
            $0.industrialLandAreaCentimu = area
            $0.foreignInvestmentYuan = investment * (spec.foreign + step * 10) / 10_000
            $0.totalIndustrialOutputYuan = output
            $0.highTechOutputYuan = output * (spec.highTech + step * 15) / 10_000
            $0.mainBusinessRevenueYuan = revenue
            $0.rndSpendingYuan = revenue * (spec.rnd + step * 2) / 10_000
            $0.source = "样例数据（非真实统计） sample data, not official statistics"
          })
        }
      }
    }

    // 66 projects across parks, years and statuses.
    let districts = ["苏州工业园区", "常熟市", "吴江区", "昆山市", "张家港市", "相城区", "苏州高新区"]
    let industries = ["高端装备制造", "新材料", "电子信息", "新能源", "生物医药", "绿色食品", "纺织服装", "汽车零部件"]
    let firms = ["恒力", "亨通", "盛虹", "沙钢", "永鼎", "波司登", "康力", "东山精密", "天孚", "通鼎", "华兴源创"]
    let statuses: [Gongjian_V1_ProjectStatus] = [.lead, .signed, .started, .inProduction, .signed, .started, .cancelled, .signed, .inProduction, .signed, .started]
    for n in 0..<66 {
      let spec = parks[n % parks.count]
      let status = statuses[n % statuses.count]
      let year: Int32 = n < 24 ? 2025 : 2026
      let month = 1 + n % 9
      let firm = firms[n % firms.count]
      let industry = industries[n % industries.count]
      let project = Gongjian_V1_TransferredProject.with {
        $0.name = "\(firm)\(industry)项目（\(spec.park.hostCounty)）\(n + 1)期"
        $0.sourceEnterprise = "江苏\(firm)集团有限公司"
        $0.sourceDistrict = districts[n % districts.count]
        $0.industry = industry
        $0.plannedInvestmentYuan = Int64(60 + (n * 37) % 900) * 1_000_000 * (n % 5 == 0 ? 3 : 1)
        $0.hostParkID = spec.id
        $0.status = status
        $0.leadOn = String(format: "%04d-%02d-%02d", year - (month < 3 ? 1 : 0), month < 3 ? 11 : month - 2, 5)
        if status != .lead && status != .cancelled || (status == .cancelled && n % 2 == 0) {
          $0.signedOn = String(format: "%04d-%02d-%02d", year, month, 12)
        }
        if status == .started || status == .inProduction {
          $0.startedOn = String(format: "%04d-%02d-%02d", year, month + 1, 20)
        }
        if status == .inProduction {
          $0.inProductionOn = String(format: "%04d-%02d-%02d", year, month + 3, 28)
        }
        if status == .cancelled {
          $0.cancelledOn = String(format: "%04d-%02d-%02d", year, month + 2, 1)
        }
      }
      add(spec.tenant, .transferredProject, id(0x2000, n), project)
    }
    // Projects outside every co-built park, in the city tenant (Art. 四 counts "各类" projects
    // anywhere in the city): sample data, the seed names none.
    let outside: [(name: String, enterprise: String, county: String, status: Gongjian_V1_ProjectStatus, yuan: Int64)] = [
      ("昆山精密模具沭阳生产基地项目", "昆山精密模具有限公司", "沭阳县", .signed, 650_000_000),
      ("张家港新能源电池材料项目", "张家港新能源材料有限公司", "宿豫区", .started, 1_200_000_000),
      ("太仓智能物流装备项目", "太仓智能装备有限公司", "宿迁经济技术开发区", .lead, 300_000_000),
    ]
    for (n, item) in outside.enumerated() {
      add("city", .transferredProject, id(0x2100, n), Gongjian_V1_TransferredProject.with {
        $0.name = item.name
        $0.sourceEnterprise = item.enterprise
        $0.sourceDistrict = ["昆山市", "张家港市", "太仓市"][n]
        $0.industry = ["高端装备制造", "新能源", "高端装备制造"][n]
        $0.plannedInvestmentYuan = item.yuan
        $0.hostCounty = item.county
        $0.status = item.status
        $0.leadOn = "2026-0\(3 + n)-08"
        if item.status != .lead { $0.signedOn = "2026-0\(6 + n)-18" }
        if item.status == .started { $0.startedOn = "2026-09-10" }
      })
    }

    // Exchange activities.
    var activity = 0
    func exchange(
      _ tenant: String, _ type: Gongjian_V1_ExchangeType, _ title: String, _ date: String,
      _ side: Gongjian_V1_Side, _ offices: [String], _ people: Int32, park: String = "", pairing: String = ""
    ) {
      activity += 1
      add(tenant, .exchangeActivity, id(0x3000, activity), Gongjian_V1_ExchangeActivity.with {
        $0.type = type
        $0.title = title
        $0.heldOn = date
        $0.hostSide = side
        $0.participatingOffices = offices
        $0.peopleCount = people
        $0.parkID = park
        $0.pairing = pairing
      })
    }
    for year in years {
      exchange("city", .inspectionTrip, "苏州企业宿迁投资考察（\(year)年春季）", "\(year)-04-16", .suqian, ["suqian.commerce", "suqian.liaison"], 42)
      exchange("city", .inspectionTrip, "苏州外资企业宿迁行（\(year)年秋季）", "\(year)-09-23", .suqian, ["suqian.commerce"], 35)
      exchange("sip-suqian", .promotionEvent, "苏宿工业园区\(year)年苏州招商推介会", "\(year)-05-20", .suzhou, ["sip-suqian.admin", "suqian.liaison"], 180, park: ParkID.flagship)
      exchange("changshu-sihong", .promotionEvent, "常熟（泗洪）园区\(year)年常熟专场推介", "\(year)-06-11", .suzhou, ["sihong.gov", "suqian.liaison"], 120, park: ParkID.changshuSihong)
      if year == 2025 {
        exchange("wujiang-siyang", .promotionEvent, "吴江（泗阳）园区2025年吴江推介会", "2025-10-15", .suzhou, ["siyang.gov"], 90, park: ParkID.wujiangSiyang)
      }
      // Every city or county pairing owes two delegation visits a year (Art. 六); in 2026 the
      // city-level pairing and Wujiang (Siyang) have made one each in their own tenants, and
      // 沭阳县, 宿城区 and 宿豫区 have recorded none. The 苏宿工业园区 is co-built by the two
      // cities, so its visits belong to the city-level pairing.
      let pairings = [
        ("city", "宿迁市与苏州市", ["suqian.drc", "suzhou.drc"], ""),
        ("sip-suqian", "苏宿工业园区", ["sip-suqian.admin", "sip.admin"], Jurisdictions.suqianCity),
        ("changshu-sihong", "泗洪县与常熟市", ["sihong.gov", "changshu.commerce"], ""),
        ("wujiang-siyang", "泗阳县与吴江区", ["siyang.gov", "wujiang.commerce"], ""),
      ]
      for (tenant, pairing, offices, unit) in pairings {
        exchange(tenant, .delegationVisit, "\(pairing)党政代表团互访（\(year)年上半年）", "\(year)-03-18", .suzhou, offices, 28, pairing: unit)
        if (tenant != "wujiang-siyang" && tenant != "city") || year == 2025 {
          exchange(tenant, .delegationVisit, "\(pairing)党政代表团互访（\(year)年下半年）", "\(year)-11-06", .suqian, offices, 31, pairing: unit)
        }
      }
      let departments = [("suqian.commerce", "市商务局"), ("suqian.liaison", "市政府驻苏州联络处"), ("suqian.finance", "市财政局"), ("suqian.drc", "市发展改革委")]
      for (n, (office, name)) in departments.enumerated() {
        let count = office == "suqian.finance" && year == 2026 ? 2 : 4
        for k in 0..<count {
          exchange("city", k % 2 == 0 ? .departmentExchange : .training, "\(name)与苏州对口部门交流（\(year)年第\(k + 1)次）", String(format: "%04d-%02d-%02d", year, 2 + k * 2, 10 + n), k % 2 == 0 ? .suzhou : .suqian, [office, "suzhou.drc"], 12 + Int32(k))
        }
      }
      exchange("city", .cadreSecondment, "宿迁干部赴苏州挂职（\(year)年批次）", "\(year)-07-01", .suzhou, ["suqian.drc"], 20)
    }

    // Assistance plans for economically weak villages (Art. 七).
    let villages = [("金锁镇", "马浦村", "泗洪县"), ("上塘镇", "垫湖村", "泗洪县"), ("卢集镇", "友谊村", "泗阳县"), ("高渡镇", "新河村", "泗阳县"), ("洋北镇", "恒北村", "宿城区"), ("耿车镇", "红卫村", "宿城区")]
    for (n, (township, village, county)) in villages.enumerated() {
      let tenant = county == "泗洪县" ? "changshu-sihong" : county == "泗阳县" ? "wujiang-siyang" : "sip-suqian"
      add(tenant, .assistancePlan, id(0x4000, n), Gongjian_V1_AssistancePlan.with {
        $0.village = village
        $0.township = township
        $0.county = county
        $0.suzhouHelper = ["苏州工业园区娄葑街道", "常熟市虞山街道", "吴江区松陵街道"][n % 3]
        $0.plan = "产业帮扶与村集体经济增收：标准厂房、光伏、农产品加工"
        $0.year = 2026
        $0.projects = [
          .with { $0.name = "标准厂房建设"; $0.fundingYuan = 3_000_000 + Int64(n) * 200_000 },
          .with { $0.name = "村级光伏电站"; $0.fundingYuan = 800_000 },
        ]
      })
    }

    // The register of weak villages (Art. 七), in the city tenant: the seed counts 48 but names
    // none, so these ten are sample data; the last four have no plan for 2026.
    let register = villages + [("胡集镇", "新庄村", "沭阳县"), ("韩山镇", "东湖村", "沭阳县"), ("曹集乡", "三台村", "宿豫区"), ("关庙镇", "朱庄村", "宿豫区")]
    for (n, (township, village, county)) in register.enumerated() {
      add("city", .weakVillage, id(0x4100, n), Gongjian_V1_WeakVillage.with {
        $0.village = village
        $0.township = township
        $0.county = county
      })
    }

    // Cadre exchanges (Art. 六, 十, 十七), in the city tenant: sample data.
    let exchanges: [(Gongjian_V1_CadreExchangeType, String, String, String, String, String, String, Int32)] = [
      (.secondmentToSuzhou, "宿迁市", "宿迁市发展改革委", "苏州市发展改革委", "区域合作处副处长（挂职）", "2025-03-01", "2026-02-28", 1),
      (.secondmentToSuqian, "宿迁市", "苏州工业园区管委会", "苏宿工业园区管委会", "招商局副局长（挂职）", "2026-03-01", "", 2),
      (.training, "宿迁市", "宿迁市委组织部", "苏州市委党校", "中青年干部培训班", "2026-05-10", "2026-05-24", 30),
      (.secondmentToSuzhou, "泗洪县", "泗洪县人民政府", "常熟市商务局", "招商科副科长（挂职）", "2026-04-01", "", 1),
      (.secondmentToSuzhou, "泗阳县", "泗阳县发展改革委", "吴江区发展改革委", "项目科副科长（挂职）", "2025-09-01", "2026-08-31", 1),
      (.parkExchange, "宿迁市", "苏宿工业园区管委会", "宿迁市商务局", "外资科（交流）", "2026-07-01", "", 1),
    ]
    for (n, x) in exchanges.enumerated() {
      add("city", .cadreExchange, id(0x4200, n), Gongjian_V1_CadreExchange.with {
        $0.type = x.0
        $0.pairing = x.1
        $0.sendingUnit = x.2
        $0.receivingUnit = x.3
        $0.post = x.4
        $0.startsOn = x.5
        $0.endsOn = x.6
        $0.people = x.7
      })
    }

    // Yearly pairing agreements (Art. 四), in the city tenant: the city's and two counties' for
    // 2026, the city's for 2025 (sample data).
    let pairingAgreements: [(String, Int32, String, String)] = [
      ("宿迁市", 2025, "2025年苏州市宿迁市挂钩合作协议", "2025-03-20"), ("宿迁市", 2026, "2026年苏州市宿迁市挂钩合作协议", "2026-03-18"),
      ("泗洪县", 2026, "2026年常熟市泗洪县挂钩合作协议", "2026-04-02"), ("泗阳县", 2026, "2026年吴江区泗阳县挂钩合作协议", "2026-04-15"),
    ]
    for (n, a) in pairingAgreements.enumerated() {
      add("city", .pairingAgreement, id(0x4300, n), Gongjian_V1_PairingAgreement.with {
        $0.pairing = a.0
        $0.year = a.1
        $0.title = a.2
        $0.signedOn = a.3
        $0.summary = "产业转移对接、干部交流、园区共建与薄弱村帮扶的年度安排"
      })
    }

    // Revenue-sharing agreements (Art. 十二).
    for (n, spec) in parks.enumerated() where spec.id != ParkID.sihongHighTech {
      add(spec.tenant, .revenueSharingAgreement, id(0x5000, n), Gongjian_V1_RevenueSharingAgreement.with {
        $0.title = "\(spec.park.name)税收分成协议"
        $0.shares = [
          .with { $0.party = spec.park.suzhouPartner; $0.shareBp = 4_000 },
          .with { $0.party = spec.park.hostCounty; $0.shareBp = 6_000 },
        ]
        $0.effectiveFrom = "2024-01-01"
        $0.parkID = spec.id
        // The revenue shared under it (sample figures): 2025 for every agreement, 2026 where recorded.
        $0.shared = [Int32(2025), 2026].flatMap { year -> [Gongjian_V1_SharedRevenue] in
          guard year == 2025 || n == 0 else { return [] }
          let total = Int64(12_000_000 + n * 3_000_000) * (year == 2026 ? 2 : 1)
          return [
            .with { $0.year = year; $0.party = spec.park.suzhouPartner; $0.amountYuan = total * 4 / 10 },
            .with { $0.year = year; $0.party = spec.park.hostCounty; $0.amountYuan = total * 6 / 10 },
          ]
        }
      })
    }

    // The seed's targets, kept by the city tenant.
    for (n, target) in SeedTargets.all.enumerated() { add("city", .target, id(0x6000, n), target) }
    // The evaluation's weights, for the admins to edit (Art. 十三).
    for (n, criterion) in EvaluationWeights.defaults.enumerated() { add("city", .evaluationCriterion, id(0x7000, n), criterion) }

    return ["sip-suqian", "changshu-sihong", "wujiang-siyang", "city"].map { ($0, byTenant[$0] ?? []) }
  }

  /// Fixed ids of the sample council records (tenant `city`).
  public enum CouncilID {
    public static let council = "c0c0000c-0000-4000-8000-000000000001"
    public static let meeting2025 = "c0c0000c-0000-4000-8000-000000002025"
    public static let meeting2026 = "c0c0000c-0000-4000-8000-000000002026"
    /// Accepted items of 2026, in order.
    public static let item2026Projects = "c0c0000c-0000-4000-8000-0000000a2601"
    public static let item2026Finance = "c0c0000c-0000-4000-8000-0000000a2602"
    /// Proposed, not yet accepted.
    public static let item2026Training = "c0c0000c-0000-4000-8000-0000000a2603"
    /// Deferred from 2025 to 2026.
    public static let itemDeferred = "c0c0000c-0000-4000-8000-0000000a2503"
    public static let item2025Flagship = "c0c0000c-0000-4000-8000-0000000a2501"
    public static let item2025Promotion = "c0c0000c-0000-4000-8000-0000000a2502"
    public static let actionDone = "c0c0000c-0000-4000-8000-0000000ac001"
    public static let actionOverdue = "c0c0000c-0000-4000-8000-0000000ac002"
    public static let actionCarried = "c0c0000c-0000-4000-8000-0000000ac003"
  }

  /// The attachment of the 2026 finance item: the revenue shared under each agreement.
  static let financeAttachment: (name: String, contentType: String, content: Data) = (
    "附件1：2026年共建园区税收分成执行情况.csv", "text/csv",
    Data("""
      园区,协议,苏州方分成比例,宿迁方分成比例,2026年分成收入（万元）
      苏宿工业园区,苏宿工业园区税收分成协议,40%,60%,18650
      常熟（泗洪）共建园区,常熟（泗洪）共建园区税收分成协议,40%,60%,7420
      吴江（泗阳）共建园区,吴江（泗阳）共建园区税收分成协议,40%,60%,6980

      """.utf8)
  )

  static var financeAttachmentRef: Gongjian_V1_AttachmentRef {
    .with {
      $0.name = financeAttachment.name
      $0.contentType = financeAttachment.contentType
      $0.size = Int64(financeAttachment.content.count)
      $0.sha256 = SHA256.hash(data: financeAttachment.content).hexadecimal
    }
  }

  /// The council's history as the offices wrote it: (office, mutations), in order.
  static func councilSteps() -> [(office: String, mutations: [Gongjian_V1_Mutation])] {
    var steps: [(office: String, mutations: [Gongjian_V1_Mutation])] = []
    var counter = 0
    func put(_ office: String, _ kind: RecordKind, _ id: String, base: UInt64, _ message: any SwiftProtobuf.Message) {
      counter += 1
      let mutation = Gongjian_V1_Mutation.with {
        $0.mutationID = "dev-council-\(counter)"
        $0.kind = kind.name
        $0.recordID = id
        $0.baseVersion = base
        $0.payload = kind.pack(serialized: (try? message.serializedBytes()) ?? Data())
      }
      steps.append((office, [mutation]))
    }
    func event(_ at: String, _ office: String, _ action: String, _ note: String = "") -> Gongjian_V1_AgendaEvent {
      .with { $0.at = at; $0.officeID = office; $0.action = action; $0.note = note }
    }
    let secretariat = "suzhou.drc"
    put(secretariat, .council, CouncilID.council, base: 0, Gongjian_V1_Council.with {
      $0.name = "苏宿两市联合协调理事会"
      $0.level = .city
      $0.description_p = "苏州、宿迁两市共建园区联合协调理事会（实施意见第十一条），每年召开两市联合协调理事会会议。"
    })
    let units = ["宿迁市发展改革委", "宿迁市商务局", "宿迁市财政局", "苏州市发展改革委", "苏州工业园区管委会", "泗洪县人民政府", "泗阳县人民政府"]
    var m2025 = Gongjian_V1_Meeting.with {
      $0.councilID = CouncilID.council
      $0.title = "2025年苏宿两市联合协调理事会会议"
      $0.heldOn = "2025-12-10"
      $0.place = "宿迁市政府会议中心"
      $0.startsAt = "09:30"
      $0.chair = "宿迁市人民政府分管副市长"
      $0.participatingUnits = units
      $0.secretariat = "苏宿两市联合协调理事会办公室"
      $0.status = .draft
    }
    put(secretariat, .meeting, CouncilID.meeting2025, base: 0, m2025)
    func item(_ meeting: String, _ title: String, _ summary: String, _ office: String, _ side: Gongjian_V1_Side, _ units: [String], links: [(RecordKind, String, String)] = [], at: String) -> Gongjian_V1_AgendaItem {
      .with {
        $0.meetingID = meeting
        $0.title = title
        $0.summary = summary
        $0.proposingOffice = office
        $0.proposingSide = side
        $0.responsibleUnits = units
        $0.linkedRecords = links.map { link in .with { $0.kind = link.0.name; $0.id = link.1; $0.tenantID = link.2 } }
        $0.status = .proposed
        $0.history = [event(at, office, "proposed")]
      }
    }
    var flagship = item(CouncilID.meeting2025, "苏宿工业园区四项指标争先", "推动苏宿工业园区工业项目亩均投资强度、工业项目投资外资占比、高新技术产业产值占工业总产值比重、企业研发经费投入占主营业务比重保持全市最优。", "suqian.commerce", .suqian, ["市商务局", "苏宿工业园区管委会"], links: [(.park, ParkID.flagship, "sip-suqian")], at: "2025-11-03T02:00:00Z")
    var promotion = item(CouncilID.meeting2025, "各共建园区赴苏州招商推介", "每个共建园区每年至少赴苏州举办一次招商推介活动。", secretariat, .suzhou, ["市商务局", "各县区政府"], at: "2025-11-04T02:00:00Z")
    var deferred = item(CouncilID.meeting2025, "干部双向挂职交流机制", "建立两市干部双向挂职交流的常态化机制。", "suqian.liaison", .suqian, ["市委组织部", "市政府驻苏州联络处"], at: "2025-11-05T02:00:00Z")
    put("suqian.commerce", .agendaItem, CouncilID.item2025Flagship, base: 0, flagship)
    put(secretariat, .agendaItem, CouncilID.item2025Promotion, base: 0, promotion)
    put("suqian.liaison", .agendaItem, CouncilID.itemDeferred, base: 0, deferred)
    flagship.status = .accepted; flagship.order = 1; flagship.history.append(event("2025-11-20T02:00:00Z", secretariat, "accepted"))
    put(secretariat, .agendaItem, CouncilID.item2025Flagship, base: 1, flagship)
    promotion.status = .accepted; promotion.order = 2; promotion.history.append(event("2025-11-20T02:05:00Z", secretariat, "accepted"))
    put(secretariat, .agendaItem, CouncilID.item2025Promotion, base: 1, promotion)
    deferred.status = .deferred; deferred.history.append(event("2025-11-20T02:10:00Z", secretariat, "deferred", "待组织部门研究后提交下次会议"))
    put(secretariat, .agendaItem, CouncilID.itemDeferred, base: 1, deferred)
    m2025.status = .agendaPublished; m2025.agendaVersion = 1
    put(secretariat, .meeting, CouncilID.meeting2025, base: 1, m2025)
    m2025.status = .held
    put(secretariat, .meeting, CouncilID.meeting2025, base: 2, m2025)
    let decisionFlagship = "c0c0000c-0000-4000-8000-0000000de001"
    let decisionPromotion = "c0c0000c-0000-4000-8000-0000000de002"
    put(secretariat, .decision, decisionFlagship, base: 0, Gongjian_V1_Decision.with {
      $0.meetingID = CouncilID.meeting2025; $0.agendaItemID = CouncilID.item2025Flagship
      $0.text = "支持苏宿工业园区四项指标争先，提高工业项目投资外资占比。"; $0.decidedOn = "2025-12-10"
    })
    put(secretariat, .decision, decisionPromotion, base: 0, Gongjian_V1_Decision.with {
      $0.meetingID = CouncilID.meeting2025; $0.agendaItemID = CouncilID.item2025Promotion
      $0.text = "2026 年各共建园区在苏州至少举办一次招商推介。"; $0.decidedOn = "2025-12-10"
    })
    func action(_ decision: String, _ title: String, _ owner: String, _ due: String) -> Gongjian_V1_ActionItem {
      .with {
        $0.decisionID = decision; $0.meetingID = CouncilID.meeting2025; $0.councilID = CouncilID.council
        $0.title = title; $0.ownerUnit = owner; $0.dueOn = due; $0.status = .open
      }
    }
    var done = action(decisionFlagship, "制定外资招引专项方案", "市商务局", "2026-03-31")
    put(secretariat, .actionItem, CouncilID.actionDone, base: 0, done)
    put(secretariat, .actionItem, CouncilID.actionOverdue, base: 0, action(decisionPromotion, "吴江（泗阳）园区赴吴江举办招商推介", "泗阳县人民政府", "2026-10-31"))
    put(secretariat, .actionItem, CouncilID.actionCarried, base: 0, action(decisionFlagship, "苏宿工业园区研发投入占比提高到 3.5%", "苏宿工业园区管委会", "2027-06-30"))
    m2025.status = .minutesApproved
    put(secretariat, .meeting, CouncilID.meeting2025, base: 3, m2025)
    done.status = .done
    done.progress = [.with { $0.on = "2026-03-20"; $0.officeID = "suqian.commerce"; $0.note = "专项方案已印发" }]
    put("suqian.commerce", .actionItem, CouncilID.actionDone, base: 1, done)

    put(secretariat, .meeting, CouncilID.meeting2026, base: 0, Gongjian_V1_Meeting.with {
      $0.councilID = CouncilID.council
      $0.title = "2026年苏宿两市联合协调理事会会议"
      $0.heldOn = "2026-12-16"
      $0.place = "苏州市政府会议中心"
      $0.startsAt = "14:30"
      $0.chair = "苏州市人民政府分管副市长"
      $0.participatingUnits = units
      $0.secretariat = "苏宿两市联合协调理事会办公室"
      $0.status = .draft
    })
    deferred.meetingID = CouncilID.meeting2026
    deferred.deferredFromMeetingID = CouncilID.meeting2025
    deferred.status = .proposed
    deferred.history.append(event("2026-10-08T02:00:00Z", secretariat, "moved", "deferred from meeting \(CouncilID.meeting2025)"))
    put(secretariat, .agendaItem, CouncilID.itemDeferred, base: 2, deferred)
    var projects = item(CouncilID.meeting2026, "承接产业转移项目推进情况", "通报 2026 年承接苏州产业转移项目签约、开工、投产情况，协调解决项目落地问题。", "suqian.commerce", .suqian, ["市商务局", "市发展改革委", "各县区政府"], links: [(.park, ParkID.flagship, "sip-suqian"), (.transferredProject, "00002000-0000-4000-8000-000000000024", "sip-suqian")], at: "2026-10-12T02:00:00Z")
    var finance = item(CouncilID.meeting2026, "共建园区税收分成与财政支持", "评估共建园区税收分成协议执行情况，研究 2027 年财政支持政策。", "suqian.drc", .suqian, ["苏州市财政局", "宿迁市财政局"], links: [(.revenueSharingAgreement, "00005000-0000-4000-8000-000000000000", "sip-suqian")], at: "2026-10-13T02:00:00Z")
    finance.attachments = [financeAttachmentRef]
    finance.decisionSought = "同意2027年起共建园区新投产项目税收分成比例维持苏州方40%、宿迁方60%，并由两市财政局制定配套支持办法。"
    let training = item(CouncilID.meeting2026, "园区管理人员赴苏州培训", "组织共建园区管理人员赴苏州工业园区跟班学习。", "suqian.commerce", .suqian, ["市人社局"], at: "2026-10-14T02:00:00Z")
    put("suqian.commerce", .agendaItem, CouncilID.item2026Projects, base: 0, projects)
    // Proposed by the Suqian DRC, which reads every partnership: a link needs read access to its tenant.
    put("suqian.drc", .agendaItem, CouncilID.item2026Finance, base: 0, finance)
    put("suqian.commerce", .agendaItem, CouncilID.item2026Training, base: 0, training)
    projects.status = .accepted; projects.order = 1; projects.history.append(event("2026-11-02T02:00:00Z", secretariat, "accepted"))
    put(secretariat, .agendaItem, CouncilID.item2026Projects, base: 1, projects)
    finance.status = .accepted; finance.order = 2; finance.history.append(event("2026-11-02T02:05:00Z", secretariat, "accepted"))
    put(secretariat, .agendaItem, CouncilID.item2026Finance, base: 1, finance)
    // The item deferred from 2025 is on the 2026 agenda, marked as carried over.
    deferred.status = .accepted; deferred.order = 3
    deferred.decisionSought = "同意建立两市干部双向挂职交流常态化机制，每年互派干部不少于10名。"
    deferred.history.append(event("2026-11-02T02:10:00Z", secretariat, "accepted"))
    put(secretariat, .agendaItem, CouncilID.itemDeferred, base: 3, deferred)
    return steps
  }

  /// Pushes the sample records into a store through the sync engine.
  ///
  /// - Parameters:
  ///   - store: A store holding the sample directory (``DevDirectory``).
  ///   - logger: Where progress is logged.
  /// - Throws: `internalError` if any sample record is not applied.
  public static func load(into store: any GongjianStore, logger: Logger) async throws {
    let engine = SyncEngine(
      store: store, authorizer: Authorizer(store: store, operatorTenant: "city"), configuration: .defaults, logger: logger
    )
    var applied = 0
    for (tenant, mutations) in self.mutations() {
      guard let writer = writers[tenant], let office = try await store.office(id: writer) else { continue }
      let caller = Caller(office: office, certificateSerial: "")
      for chunk in stride(from: 0, to: mutations.count, by: 200).map({ Array(mutations[$0..<min($0 + 200, mutations.count)]) }) {
        let response = try await engine.push(
          .with {
            $0.tenantID = tenant
            $0.clientID = "dev-dataset-\(tenant)"
            $0.mutations = chunk
          },
          caller: caller
        )
        for result in response.results {
          guard case .applied = result.outcome else {
            throw GongjianError(.internalError, "sample record \(result.mutationID) was not applied: \(result)")
          }
          applied += 1
        }
      }
    }
    try await store.putAttachment(
      tenantID: "city", sha256: financeAttachmentRef.sha256, contentType: financeAttachment.contentType, content: financeAttachment.content
    )
    for step in self.councilSteps() {
      guard let office = try await store.office(id: step.office) else { continue }
      let response = try await engine.push(
        .with {
          $0.tenantID = "city"
          $0.clientID = "dev-dataset-\(step.office)"
          $0.mutations = step.mutations
        },
        caller: Caller(office: office, certificateSerial: "")
      )
      for result in response.results {
        guard case .applied = result.outcome else {
          throw GongjianError(.internalError, "sample council record \(result.mutationID) was not applied: \(result)")
        }
        applied += 1
      }
    }
    logger.info("loaded sample records", metadata: ["records": "\(applied)"])
  }
}
