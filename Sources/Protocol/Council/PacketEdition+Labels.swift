extension PacketEdition {
  /// A meeting's status as the packet writes it: 草案 / draft, 纪要已批准 / minutes approved.
  public func label(_ status: Gongjian_V1_MeetingStatus) -> String { self.meetingStatus(status) }

  /// An agenda item's status: 待审议 / proposed, 已列入议程 / accepted.
  public func label(_ status: Gongjian_V1_AgendaItemStatus) -> String {
    switch status {
    case .proposed: self.t("待审议", "proposed")
    case .accepted: self.t("已列入议程", "accepted")
    case .deferred: self.t("推迟审议", "deferred")
    case .withdrawn: self.t("已撤回", "withdrawn")
    default: self.t("未注明", "not given")
    }
  }

  /// An action item's status, overdue ones said so: 推进中 / in progress, 逾期未完成 / overdue.
  public func label(_ status: Gongjian_V1_ActionStatus, overdue: Bool) -> String { self.actionStatus(status, overdue: overdue) }

  /// Which side proposed: 苏州方 / Suzhou side.
  public func label(_ side: Gongjian_V1_Side) -> String { self.side(side) }

  /// The value an input names by any edition's label or by one of `aliases`, ignoring case and
  /// treating spaces, hyphens and underscores alike: `minutes approved`, `minutes-approved` and
  /// `纪要已批准` name the same status.
  ///
  /// - Returns: nil when nothing matches.
  public static func value<Value>(named text: String, among values: [Value], label: (PacketEdition, Value) -> String, aliases: [String: Value] = [:]) -> Value? {
    func key(_ text: String) -> String {
      String(text.lowercased().map { $0 == "-" || $0 == "_" ? " " : $0 }).split(separator: " ").joined(separator: " ")
    }
    let wanted = key(text)
    if let alias = aliases.first(where: { key($0.key) == wanted }) { return alias.value }
    for edition in Language.allCases.map(PacketEdition.init) {
      if let match = values.first(where: { key(label(edition, $0)) == wanted }) { return match }
    }
    return nil
  }
}
