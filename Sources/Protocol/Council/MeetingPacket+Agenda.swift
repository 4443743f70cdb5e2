extension MeetingPacket {
  /// The cover: meeting, time, place, chair, participating units, agenda version, issuer.
  func cover(_ doc: inout PacketDocument) {
    let e = self.edition
    let m = self.meeting
    var rows: [(String, String)] = [
      (e.t("会议名称", "Meeting"), m.title),
      (e.t("会议时间", "Time"), e.meetingTime(m.heldOn, m.startsAt)),
      (e.t("会议地点", "Place"), m.place.isEmpty ? e.t("另行通知", "to be announced") : m.place),
      (e.t("主持人", "Chair"), m.chair.isEmpty ? e.t("另行确定", "to be confirmed") : e.name(m.chair)),
    ]
    let units = m.participatingUnits.map { e.name($0) }
    rows.append((e.t("参会单位", "Participating units"), units.isEmpty ? e.t("另行通知", "to be announced") : units.joined(separator: e.t("、", ", "))))
    rows.append((
      e.t("议程版本", "Agenda version"),
      m.agendaVersion == 0
        ? e.t("草案（议程尚未发布）", "draft (agenda not yet published)")
        : e.t("第\(m.agendaVersion)版（\(e.meetingStatus(m.status))）", "version \(m.agendaVersion) (\(e.meetingStatus(m.status)))")
    ))
    rows.append((e.t("议题数量", "Agenda items"), e.t("\(self.agenda.count)项", "\(self.agenda.count)")))
    let issuer = m.secretariat.isEmpty ? e.t("\(e.name(self.councilName))秘书处", "Secretariat of \(e.name(self.councilName))") : e.name(m.secretariat)
    doc.blocks.append(.cover(
      council: e.name(self.councilName), title: m.title, subtitle: e.t("会议材料", "Meeting packet"), rows: rows,
      issuer: e.t("\(issuer)　印发", "Issued by \(issuer)")
    ))
  }

  /// 会议议程: every accepted item in order with its proposer, responsible units, linked records
  /// and attachments; items carried over from an earlier meeting are marked.
  func agendaSection(_ doc: inout PacketDocument, _ number: Int) {
    let e = self.edition
    if !self.pendingCarried.isEmpty {
      let titles = self.pendingCarried.map { e.t("“\($0.item.title)”", "“\($0.item.title)”") }.joined(separator: e.t("、", ", "))
      doc.blocks.append(.note(e.t(
        "另有由此前会议顺延、尚待秘书处确认列入本次议程的议题：\(titles)。",
        "Carried over from an earlier meeting and not yet accepted for this agenda: \(titles)."
      )))
    }
    guard !self.agenda.isEmpty else {
      doc.blocks.append(.paragraph(e.t("尚无已确定的议题。", "No agenda item has been accepted yet.")))
      return
    }
    doc.blocks.append(.table(
      header: [e.t("序号", "No."), e.t("议题", "Item"), e.t("提出单位", "Proposed by"), e.t("责任单位", "Responsible units")],
      rows: self.agenda.enumerated().map { index, entry in
        let carried = entry.item.deferredFromMeetingID.isEmpty ? "" : e.t("（顺延议题）", " (carried over)")
        return [String(index + 1), entry.item.title + carried, self.office(entry.item.proposingOffice),
                entry.item.responsibleUnits.map(e.name).joined(separator: e.t("、", "; "))]
      },
      widths: [6, 40, 24, 30]
    ))
    for (index, entry) in self.agenda.enumerated() {
      let item = entry.item
      doc.blocks.append(.heading(level: 3, text: e.subsection(number, index + 1, item.title)))
      var pairs: [(String, String)] = [
        (e.t("提出单位", "Proposed by"), e.t("\(self.office(item.proposingOffice))（\(e.side(item.proposingSide))）", "\(self.office(item.proposingOffice)) (\(e.side(item.proposingSide)))")),
        (e.t("责任单位", "Responsible units"), item.responsibleUnits.map(e.name).joined(separator: e.t("、", "; "))),
      ]
      if !item.deferredFromMeetingID.isEmpty {
        let from = self.meetingTitles[item.deferredFromMeetingID] ?? e.t("此前会议", "an earlier meeting")
        pairs.append((e.t("议题来源", "Carried over"), e.t("由\(from)顺延至本次会议", "deferred from \(from) to this meeting")))
      }
      if item.revision > 0 {
        pairs.append((e.t("修订", "Revised"), e.t("议程发布后修订\(item.revision)次", "\(item.revision) times after the agenda was published")))
      }
      if !item.linkedRecords.isEmpty {
        pairs.append((e.t("关联记录", "Linked records"), item.linkedRecords.map(self.linkLabel).joined(separator: e.t("；", "; "))))
      }
      if !item.attachments.isEmpty {
        pairs.append((e.t("附件", "Attachments"), item.attachments.map(\.name).joined(separator: e.t("、", "; ")) + e.t("（见附件）", " (see Attachments)")))
      }
      if !item.decisionSought.isEmpty {
        pairs.append((e.t("拟决定事项", "Decision sought"), item.decisionSought))
      }
      doc.blocks.append(.keyValues(pairs))
      doc.blocks.append(.paragraph(item.summary))
    }
  }

  /// 待决事项: the accepted items that ask the meeting for a decision, with the decision sought.
  func forDecisionSection(_ doc: inout PacketDocument, _ number: Int) {
    let e = self.edition
    let pending = self.agenda.enumerated().filter { !$0.element.item.decisionSought.isEmpty }
    guard !pending.isEmpty else {
      doc.blocks.append(.paragraph(e.t("本次会议无提请决定的事项。", "No item asks this meeting for a decision.")))
      return
    }
    doc.blocks.append(.table(
      header: [e.t("议程序号", "Agenda no."), e.t("议题", "Item"), e.t("拟决定事项", "Decision sought"), e.t("责任单位", "Responsible units")],
      rows: pending.map { index, entry in
        [String(index + 1), entry.item.title, entry.item.decisionSought, entry.item.responsibleUnits.map(e.name).joined(separator: e.t("、", "; "))]
      },
      widths: [8, 26, 42, 24]
    ))
  }

  /// 附件 (一): the attachments of the agenda with their digests.
  func agendaAttachments(_ doc: inout PacketDocument, _ number: Int) {
    let e = self.edition
    doc.blocks.append(.heading(level: 3, text: e.subsection(number, 1, e.t("议题附件", "Attachments of the agenda"))))
    let attachments = self.agenda.enumerated().flatMap { index, entry in entry.item.attachments.map { (index + 1, $0) } }
    if attachments.isEmpty {
      doc.blocks.append(.paragraph(e.t("本次会议议题无附件。", "The agenda has no attachments.")))
    } else {
      doc.blocks.append(.table(
        header: [e.t("序号", "No."), e.t("附件名称", "Name"), e.t("议程序号", "Agenda no."), e.t("类型", "Type"), e.t("大小", "Size"), e.t("文件摘要", "SHA-256 digest")],
        rows: attachments.enumerated().map { n, pair in
          [String(n + 1), pair.1.name, String(pair.0), e.contentType(pair.1.contentType), e.size(pair.1.size), pair.1.sha256]
        },
        widths: [6, 30, 10, 12, 10, 32], code: [5]
      ))
      doc.blocks.append(.note(e.t(
        "文件摘要为附件内容的256位安全散列值，可用于核对所收文件与系统登记的是否一致。",
        "The digest is the SHA-256 of the attachment's content: it shows that a file received is the one registered."
      )))
    }
  }

  /// 附件 (二): the data-quality notes on the records the packet cites.
  func qualitySection(_ doc: inout PacketDocument, _ number: Int) {
    let e = self.edition
    doc.blocks.append(.heading(level: 3, text: e.subsection(number, 2, e.t("数据质量提示", "Data-quality notes"))))
    let notes = self.qualityNotes()
    if notes.isEmpty {
      doc.blocks.append(.paragraph(e.t("本材料引用的记录均在合理范围内。", "Every record this packet cites is within its plausible range.")))
    } else {
      doc.blocks.append(.paragraph(e.t(
        "以下数值超出该字段的合理范围，可能为单位录入错误（如亩误录为厘亩、万元误录为元），请填报单位核实：",
        "These values lie outside their field's plausible range and may be unit slips (mu entered as centimu, 10k yuan as yuan); the reporting units should check them:"
      )))
      doc.blocks.append(.list(notes.map { note in
        e.t("\(note.record)：\(note.field)为\(note.value)，合理范围\(note.range)", "\(note.record): \(note.field) is \(note.value); plausible range \(note.range)")
      }))
    }
  }
}
