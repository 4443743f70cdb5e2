internal import Foundation

/// The meeting packet (docs/DOMAIN.md, "Council meeting preparation") as the secretariat issues it,
/// assembled from synced records: a cover, then 会议议程, 上次会议决定事项落实情况, 年度目标完成情况,
/// 重点项目进展, 园区指标, 收益分成, 待决事项 and 附件, in one language (``PacketEdition``).
public struct MeetingPacket: Sendable {
  public struct Item: Sendable {
    public var id: String
    public var item: Gongjian_V1_AgendaItem
  }

  public struct Action: Sendable {
    public var id: String
    public var action: Gongjian_V1_ActionItem
    public var meetingTitle: String
    /// Open and due before this meeting.
    public var overdue: Bool
  }

  /// A decision of the previous meeting with its action items.
  public struct FollowUp: Sendable {
    public var id: String
    public var decision: Gongjian_V1_Decision
    public var itemTitle: String
    public var actions: [Action]
  }

  /// A record an agenda item links to, as the reader may see it.
  public enum Link: Sendable {
    case visible(Gongjian_V1_RecordPayload)
    /// In a tenant the reader cannot read: the same whether or not the record exists.
    case restricted
  }

  /// The label of a link into a tenant the reader cannot read, in the Chinese edition.
  public static let restrictedLinkLabel = "另一合作关系的记录（无权查看）"

  public var councilName: String
  public var meetingID: String
  public var meeting: Gongjian_V1_Meeting
  var edition: PacketEdition
  /// Accepted items in order.
  var agenda: [Item]
  /// Items carried over from an earlier meeting and not yet accepted.
  var pendingCarried: [Item]
  /// `"kind/id"` → the linked record.
  var links: [String: Link]
  /// Meeting id → title, for carried-over items.
  var meetingTitles: [String: String]
  var officeNames: [String: String]
  var data: PartnershipData
  /// The council's meeting before this one, if any.
  var previousMeeting: Gongjian_V1_Meeting?
  /// Its decisions with their action items, in agenda order.
  var followUps: [FollowUp]
  /// Open action items of earlier meetings than the previous one.
  var olderOpenActions: [Action]
  var cityWide: Bool
  /// Where values are plausible, for the data-quality notes.
  var ranges: PlausibleRanges
  /// The computed sections as the server laid them out (an offline summary's), by section
  /// number; nil to compute them from `data`.
  var precomputed: [Int: [PacketDocument.Block]]?
  /// Where the computed sections come from when the packet is built offline, said on the page.
  var asOf: Gongjian_V1_FiguresAsOf?

  var year: Int32 { Int32(self.meeting.heldOn.prefix(4)) ?? 0 }

  /// The packet as HTML and Markdown, with its section titles.
  public var proto: Gongjian_V1_Packet {
    let document = self.document()
    return .with {
      $0.title = document.title
      $0.agendaVersion = self.meeting.agendaVersion
      $0.html = document.html
      $0.markdown = document.markdown
      $0.sections = document.sections
    }
  }

  func document() -> PacketDocument {
    let e = self.edition
    var doc = PacketDocument(
      title: e.t(self.meeting.title + (self.meeting.title.hasSuffix("会议") ? "材料" : "会议材料"), "\(self.meeting.title): meeting packet"),
      footer: self.meeting.title, language: e.language
    )
    self.cover(&doc)
    if let asOf = self.asOf { doc.blocks.append(.note(self.offlineNote(asOf))) }
    let calculator = TargetsCalculator(data: self.data)
    let computed = { (doc: inout PacketDocument, number: Int) in self.computedSection(&doc, number, calculator) }
    let sections: [(String, (inout PacketDocument, Int) -> Void)] = [
      (e.t("会议议程", "Agenda"), { self.agendaSection(&$0, $1) }),
      (e.t("上次会议决定事项落实情况", "Follow-up of the previous meeting's decisions"), { self.followUpSection(&$0, $1) }),
      (e.t("年度目标完成情况", "Yearly targets"), computed),
      (e.t("重点项目进展", "Projects"), computed),
      (e.t("园区指标", "Park indicators"), computed),
      (e.t("收益分成", "Revenue sharing"), computed),
      (e.t("合作共建登记", "Registers"), computed),
      (e.t("待决事项", "Items for decision"), { self.forDecisionSection(&$0, $1) }),
      (e.t("附件", "Attachments"), { self.agendaAttachments(&$0, $1); computed(&$0, $1) }),
    ]
    for (index, (title, body)) in sections.enumerated() {
      doc.blocks.append(.heading(level: 2, text: e.section(index + 1, title)))
      body(&doc, index + 1)
    }
    return doc
  }

  /// The sections computed from the partnership's records rather than the council's: 三 to 七
  /// and 九's data-quality notes.
  public static let computedSections = [3, 4, 5, 6, 7, 9]

  /// Appends a computed section's blocks: the summary's when the packet has them, else computed.
  private func computedSection(_ doc: inout PacketDocument, _ number: Int, _ calculator: TargetsCalculator) {
    if let precomputed = self.precomputed {
      doc.blocks += precomputed[number] ?? []
      return
    }
    switch number {
    case 3: self.targetsSection(&doc, number, calculator)
    case 4: self.projectsSection(&doc, number, calculator)
    case 5: self.indicatorsSection(&doc, number, calculator)
    case 6: self.revenueSection(&doc, number)
    case 7: self.registersSection(&doc, number, calculator)
    case 9: self.qualitySection(&doc, number)
    default: break
    }
  }

  /// The computed sections as the server lays them out, for an offline summary.
  public func figures(tenantID: String) -> Gongjian_V1_PacketFigures {
    let calculator = TargetsCalculator(data: self.data)
    return .with {
      $0.tenantID = tenantID
      $0.meetingID = self.meetingID
      $0.language = self.edition.language.rawValue
      $0.sections = Self.computedSections.map { number in
        var doc = PacketDocument(title: "", footer: "", language: self.edition.language)
        self.computedSection(&doc, number, calculator)
        return .with {
          $0.number = Int32(number)
          $0.blocks = doc.blocks.compactMap(\.proto)
        }
      }
    }
  }

  // MARK: Names

  /// An office's name in this edition, or its id when unknown.
  func office(_ id: String) -> String {
    self.edition.name(self.officeNames[id] ?? self.data.officeNames[id] ?? id)
  }

  /// A tenant's (a pairing's) name in this edition.
  func tenant(_ id: String) -> String {
    self.edition.name(self.data.tenantNames[id] ?? id)
  }

  /// A park's name in this edition: the English name in the English edition when recorded.
  func parkName(_ park: Gongjian_V1_Park) -> String {
    self.edition.zh || park.nameEn.isEmpty ? park.name : park.nameEn
  }

  /// A row of the indicator comparison: a co-built park by its name in this edition, a park that
  /// is not co-built by its recorded name, said so.
  func rowName(_ row: Gongjian_V1_ParkIndicators) -> String {
    guard row.reference else { return self.parkName(id: row.parkID) }
    return self.edition.t("\(row.parkName)（非共建园区）", "\(row.parkName) (not co-built)")
  }

  /// Where a project lies: its park, or for a project outside every co-built park its county,
  /// district or functional zone, said so.
  func projectHost(_ project: Gongjian_V1_TransferredProject) -> String {
    guard project.hostParkID.isEmpty else { return self.parkName(id: project.hostParkID) }
    return self.edition.t("\(project.hostCounty)（园区外）", "\(project.hostCounty) (outside the co-built parks)")
  }

  func parkName(id: String) -> String {
    self.data.parks.first { $0.id == id }.map { self.parkName($0.payload) } ?? self.edition.t("未登记园区", "unregistered park")
  }

  /// A linked record, named as a reader names it: 园区：苏宿工业园区.
  func linkLabel(_ link: Gongjian_V1_LinkedRecord) -> String {
    let e = self.edition
    let kind = e.kind(link.kind)
    switch self.links["\(link.kind)/\(link.id)"] {
    case .restricted?:
      return e.t(Self.restrictedLinkLabel, "record of another partnership (not visible)")
    case .visible(let payload)?:
      guard let (recordKind, message) = RecordKind.of(payload) else { return kind }
      return kind + e.t("：", ": ") + recordKind.readerTitle(of: message, in: self)
    case nil:
      return e.t("\(kind)（记录已删除或尚未同步）", "\(kind) (deleted or not yet synced)")
    }
  }
}
