extension MeetingPacket {
  /// 上次会议决定事项落实情况: every decision of the council's previous meeting with its action
  /// items, done and open, their latest progress, overdue ones marked; then the open items of
  /// earlier meetings.
  func followUpSection(_ doc: inout PacketDocument, _ number: Int) {
    let e = self.edition
    guard let previous = self.previousMeeting else {
      doc.blocks.append(.paragraph(e.t("本理事会此前未召开会议，无需报告落实情况。", "The council has not met before: there is nothing to follow up.")))
      return
    }
    let actions = self.followUps.flatMap(\.actions)
    let done = actions.filter { $0.action.status == .done }.count
    let open = actions.filter { $0.action.status == .open }
    let overdue = open.filter(\.overdue).count
    doc.blocks.append(.paragraph(e.t(
      "\(previous.title)（\(e.date(previous.heldOn))）共作出\(self.followUps.count)项决定，明确督办事项\(actions.count)项：已完成\(done)项，推进中\(open.count - overdue)项，逾期未完成\(overdue)项。",
      "\(previous.title) (\(e.date(previous.heldOn))) took \(self.followUps.count) decisions with \(actions.count) action items: \(done) done, \(open.count - overdue) in progress, \(overdue) overdue."
    )))
    for (index, followUp) in self.followUps.enumerated() {
      doc.blocks.append(.heading(level: 3, text: e.subsection(number, index + 1, followUp.decision.text)))
      doc.blocks.append(.note(e.t(
        "议题：\(followUp.itemTitle)；决定日期：\(e.date(followUp.decision.decidedOn))",
        "Item: \(followUp.itemTitle); decided on \(e.date(followUp.decision.decidedOn))"
      )))
      if followUp.actions.isEmpty {
        doc.blocks.append(.paragraph(e.t("该决定未设督办事项。", "No action item was set for this decision.")))
      } else {
        self.actionTable(&doc, followUp.actions)
      }
    }
    if !self.olderOpenActions.isEmpty {
      doc.blocks.append(.heading(level: 3, text: e.subsection(number, self.followUps.count + 1, e.t("此前会议延续督办事项", "Open items of earlier meetings"))))
      self.actionTable(&doc, self.olderOpenActions, withMeeting: true)
    }
  }

  private func actionTable(_ doc: inout PacketDocument, _ actions: [Action], withMeeting: Bool = false) {
    let e = self.edition
    var header = [e.t("督办事项", "Action"), e.t("责任单位", "Owner"), e.t("完成时限", "Due"), e.t("状态", "Status"), e.t("最新进展", "Latest progress")]
    if withMeeting { header.append(e.t("来源会议", "From meeting")) }
    doc.blocks.append(.table(
      header: header,
      rows: actions.map { entry in
        let action = entry.action
        let progress = action.progress.last.map { e.t("\(e.date($0.on))：\($0.note)", "\(e.date($0.on)): \($0.note)") }
          ?? e.t("尚未报送进展", "no progress reported yet")
        var row = [action.title, e.name(action.ownerUnit), e.date(action.dueOn), e.actionStatus(action.status, overdue: entry.overdue), progress]
        if withMeeting { row.append(entry.meetingTitle) }
        return row
      },
      widths: withMeeting ? [24, 14, 14, 10, 24, 14] : [28, 16, 16, 10, 30], noWrap: [2, 3], emphasis: actions.map(\.overdue)
    ))
  }
}
