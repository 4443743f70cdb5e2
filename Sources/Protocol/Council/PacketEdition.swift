internal import Foundation

/// The language of a meeting packet and everything written in it: labels, numbering, dates,
/// amounts and units. An edition is never mixed: the Chinese one is the official document;
/// the English one serves foreign-invested partners.
public struct PacketEdition: Sendable, Equatable {
  public enum Language: String, Sendable, CaseIterable {
    case zh, en
  }

  public var language: Language

  public init(_ language: Language) {
    self.language = language
  }

  /// The edition a request names: "zh" (or empty, the default) or "en".
  ///
  /// - Returns: nil for any other value.
  public init?(code: String) {
    switch code.lowercased() {
    case "", "zh", "zh-cn", "zh-hans": self.init(.zh)
    case "en": self.init(.en)
    default: return nil
    }
  }

  var zh: Bool { self.language == .zh }

  /// The text in this edition's language.
  func t(_ zh: String, _ en: String) -> String { self.zh ? zh : en }

  // MARK: Numbering

  static let chineseDigits = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]

  /// 1 → 一, 12 → 十二, 20 → 二十 (up to 99).
  static func chineseNumeral(_ n: Int) -> String {
    guard n > 10 else { return Self.chineseDigits[max(0, n)] }
    let tens = n / 10
    let ones = n % 10
    return (tens > 1 ? Self.chineseDigits[tens] : "") + "十" + (ones > 0 ? Self.chineseDigits[ones] : "")
  }

  /// A section heading: 一、会议议程 / 1. Agenda.
  func section(_ n: Int, _ title: String) -> String {
    self.zh ? "\(Self.chineseNumeral(n))、\(title)" : "\(n). \(title)"
  }

  /// A subsection heading: （一）… / 1.1 ….
  func subsection(_ section: Int, _ n: Int, _ title: String) -> String {
    self.zh ? "（\(Self.chineseNumeral(n))）\(title)" : "\(section).\(n) \(title)"
  }

  /// A list label inside a subsection: 1. ….
  func item(_ n: Int, _ title: String) -> String { "\(n). \(title)" }

  // MARK: Dates

  static let englishMonths = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
  ]

  /// 2026-12-16 → 2026年12月16日 / 16 December 2026; anything else as given.
  func date(_ iso: String) -> String {
    let parts = iso.prefix(10).split(separator: "-").compactMap { Int($0) }
    guard parts.count == 3, (1...12).contains(parts[1]) else { return iso.isEmpty ? self.t("未定", "not set") : iso }
    return self.zh ? "\(parts[0])年\(parts[1])月\(parts[2])日" : "\(parts[2]) \(Self.englishMonths[parts[1] - 1]) \(parts[0])"
  }

  /// The weekday of a date, （星期三） / Wednesday.
  func weekday(_ iso: String) -> String? {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
    let parts = iso.prefix(10).split(separator: "-").compactMap { Int($0) }
    guard parts.count == 3,
      let day = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))
    else { return nil }
    let index = calendar.component(.weekday, from: day) - 1
    return self.zh
      ? "星期" + ["日", "一", "二", "三", "四", "五", "六"][index]
      : ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"][index]
  }

  /// The meeting's time: 2026年12月16日（星期三）上午9:30 / Wednesday 16 December 2026, 09:30.
  func meetingTime(_ day: String, _ startsAt: String) -> String {
    let weekday = self.weekday(day)
    var text = self.date(day)
    if let weekday { text = self.zh ? "\(text)（\(weekday)）" : "\(weekday) \(text)" }
    let clock = startsAt.split(separator: ":").compactMap { Int($0) }
    guard clock.count == 2 else { return text }
    if self.zh {
      let (noon, hour) = clock[0] < 12 ? ("上午", clock[0]) : ("下午", clock[0] == 12 ? 12 : clock[0] - 12)
      return "\(text)\(noon)\(hour):\(String(format: "%02d", clock[1]))"
    }
    return "\(text), \(String(format: "%02d:%02d", clock[0], clock[1]))"
  }

  /// A period: 2026年第三季度 / Q3 2026; a year: 2026年 / 2026.
  func period(_ period: Gongjian_V1_Period) -> String {
    if period.quarter == 0 { return self.zh ? "\(period.year)年" : "\(period.year)" }
    return self.zh ? "\(period.year)年第\(Self.chineseNumeral(Int(period.quarter)))季度" : "Q\(period.quarter) \(period.year)"
  }

  // MARK: Amounts

  /// Yuan as 亿元 (from 1 亿) or 万元: 43,075,000,000 → 430.75亿元 / RMB 43.08 billion; whole
  /// amounts without decimals (150亿元).
  func yuan(_ value: Int64) -> String {
    func decimals(_ value: Int64, _ unit: Int64, _ places: Int) -> String {
      value % unit == 0 ? String(value / unit) : String(format: "%.\(places)f", Double(value) / Double(unit))
    }
    if self.zh {
      return abs(value) >= 100_000_000 ? decimals(value, 100_000_000, 2) + "亿元" : decimals(value, 10_000, 0) + "万元"
    }
    return abs(value) >= 1_000_000_000
      ? "RMB \(decimals(value, 1_000_000_000, 2)) billion" : "RMB \(decimals(value, 1_000_000, 1)) million"
  }

  /// A share in basis points as a percentage, without trailing zeros: 4,000 → 40%, 2,246 → 22.46%.
  func share(_ bp: Int64) -> String {
    bp % 100 == 0 ? "\(bp / 100)%" : FixedPoint.percent(bp)
  }

  /// A count with its measure word: 5个 / 5.
  func count(_ n: Int64, _ measure: String = "个") -> String { self.zh ? "\(n)\(measure)" : "\(n)" }

  /// A change of a share, in percentage points: +0.12个百分点 / +0.12 pp.
  func pointsChange(_ bp: Int64) -> String {
    let sign = bp > 0 ? "+" : bp < 0 ? "−" : "±"
    let text = FixedPoint.percent(Int64(bp.magnitude)).dropLast()
    return self.zh ? "\(sign)\(text)个百分点" : "\(sign)\(text) pp"
  }

  /// A relative change: +3.2% / −1.0%.
  func relativeChange(from old: Int64, to new: Int64) -> String {
    guard old != 0 else { return self.t("—", "—") }
    let change = Double(new - old) / Double(old) * 100
    let sign = change > 0.05 ? "+" : change < -0.05 ? "−" : "±"
    return "\(sign)\(String(format: "%.1f", abs(change)))%"
  }

  /// Bytes as KB or MB.
  func size(_ bytes: Int64) -> String {
    bytes >= 1_048_576 ? String(format: "%.1fMB", Double(bytes) / 1_048_576)
      : bytes >= 1024 ? String(format: "%.0fKB", Double(bytes) / 1024) : self.t("\(bytes)字节", "\(bytes) bytes")
  }

  // MARK: Names and labels

  /// The part of a bilingual name ("宿迁市商务局 Suqian Commerce Bureau") in this edition's
  /// language; a name in one language only is returned whole.
  func name(_ name: String) -> String {
    guard let split = name.firstRange(of: /\s+[A-Za-z]/) else { return name }
    let chinese = name[..<split.lowerBound].trimmingCharacters(in: .whitespaces)
    let english = name[split.lowerBound...].trimmingCharacters(in: .whitespaces)
    guard !chinese.isEmpty, chinese.unicodeScalars.contains(where: { $0.value >= 0x3000 }) else { return name }
    return self.zh ? chinese : english
  }

  /// The English names of the units the seed makes responsible (责任单位).
  static let englishUnits: [String: String] = [
    "市政府办公室": "City Government Office", "市发展改革委": "City Development and Reform Commission",
    "市商务局": "City Commerce Bureau", "市工业和信息化局": "City Industry and Information Technology Bureau",
    "市科技局": "City Science and Technology Bureau", "市委台办": "City Taiwan Affairs Office",
    "市工商联": "City Federation of Industry and Commerce", "各共建园区": "each co-built park",
    "市委组织部": "City Organisation Department", "市人力资源社会保障局": "City Human Resources and Social Security Bureau",
    "各县、区": "each county and district", "各县区": "each county and district", "市农业农村局": "City Agriculture and Rural Affairs Bureau",
    "市各功能区": "each functional zone of the city", "苏宿园区": "Suzhou-Suqian Industrial Park",
    "市各相关部门": "the city departments concerned", "市财政局": "City Finance Bureau", "市统计局": "City Statistics Bureau",
    "市委编办": "City Establishment Office", "市自然资源和规划局": "City Natural Resources and Planning Bureau",
    "市教育局": "City Education Bureau", "市卫生健康委": "City Health Commission",
    "市文化广电和旅游局": "City Culture, Radio, Television and Tourism Bureau", "市地方金融监督管理局": "City Local Financial Supervision Bureau",
  ]

  /// A responsible unit in this edition: the seed's units by their English names in the
  /// English edition; others as recorded (`中文名 English name` splits like an office's name).
  func unit(_ name: String) -> String {
    self.zh ? self.name(name) : Self.englishUnits[name] ?? self.name(name)
  }

  func side(_ side: Gongjian_V1_Side) -> String {
    switch side {
    case .suzhou: self.t("苏州方", "Suzhou side")
    case .suqian: self.t("宿迁方", "Suqian side")
    default: self.t("未注明", "side not given")
    }
  }

  func meetingStatus(_ status: Gongjian_V1_MeetingStatus) -> String {
    switch status {
    case .draft: self.t("草案", "draft")
    case .agendaPublished: self.t("议程已发布", "agenda published")
    case .held: self.t("已召开", "held")
    case .minutesApproved: self.t("纪要已批准", "minutes approved")
    default: self.t("未注明", "not given")
    }
  }

  func projectStatus(_ status: Gongjian_V1_ProjectStatus) -> String {
    switch status {
    case .lead: self.t("在谈", "under negotiation")
    case .signed: self.t("已签约", "signed")
    case .started: self.t("已开工", "construction started")
    case .inProduction: self.t("已投产", "in production")
    case .cancelled: self.t("已取消", "cancelled")
    default: self.t("未注明", "not given")
    }
  }

  func actionStatus(_ status: Gongjian_V1_ActionStatus, overdue: Bool) -> String {
    switch status {
    case .open: overdue ? self.t("逾期未完成", "overdue") : self.t("推进中", "in progress")
    case .done: self.t("已完成", "done")
    case .dropped: self.t("已撤销", "dropped")
    default: self.t("未注明", "not given")
    }
  }

  func exchangeType(_ type: Gongjian_V1_ExchangeType) -> String {
    switch type {
    case .inspectionTrip: self.t("投资考察", "investment inspection trip")
    case .promotionEvent: self.t("招商推介", "investment promotion event")
    case .delegationVisit: self.t("党政代表团互访", "party–government delegation visit")
    case .departmentExchange: self.t("部门交流", "department exchange")
    case .training: self.t("培训", "training")
    case .cadreSecondment: self.t("干部挂职", "cadre secondment")
    default: self.t("其他", "other")
    }
  }

  /// A record kind as a reader names it (the kind's declared label).
  func kind(_ kind: String) -> String {
    RecordKind.named(kind).map { $0.label(chinese: self.zh) } ?? self.t("记录", "record")
  }

  /// A content type as a reader names it.
  func contentType(_ type: String) -> String {
    switch type.lowercased() {
    case "application/pdf": self.t("版式文件", "PDF")
    case let t where t.contains("word") || t.contains("msword"): self.t("文字文档", "text document")
    case let t where t.contains("sheet") || t.contains("excel") || t == "text/csv": self.t("电子表格", "spreadsheet")
    case let t where t.hasPrefix("image/"): self.t("图片", "image")
    case let t where t.hasPrefix("text/"): self.t("文本", "text")
    default: self.t("其他文件", "other file")
    }
  }

  /// An article of the seed: "Art. 四" → 实施意见第（四）条 / Art. 4 of the implementation opinions.
  func article(_ source: String) -> String {
    let numeral = source.replacingOccurrences(of: "Art.", with: "").trimmingCharacters(in: .whitespaces)
    guard !numeral.isEmpty else { return "" }
    if self.zh { return "实施意见第（\(numeral)）条" }
    let value = Self.chineseDigits.firstIndex(of: numeral)
      ?? (numeral.hasPrefix("十") ? 10 + (Self.chineseDigits.firstIndex(of: String(numeral.dropFirst())) ?? 0) : nil)
    return value.map { "Art. \($0) of the implementation opinions" } ?? source
  }

  /// The four indicators, by the names Art. 二 gives them.
  var indicatorNames: [String] {
    self.zh
      ? ["工业项目亩均投资强度", "工业项目投资外资占比", "高新技术产业产值占工业总产值比重", "企业研发经费投入占主营业务比重"]
      : [
        "Investment intensity of industrial projects per mu", "Foreign share of industrial project investment",
        "High-tech output as a share of total industrial output", "Enterprise R&D spending as a share of main business revenue",
      ]
  }
}
