extension MeetingPacket {
  /// The note under the cover of a packet built offline: which sections are the server's
  /// figures, as of when, and what the mirror holds that they leave out.
  func offlineNote(_ asOf: Gongjian_V1_FiguresAsOf) -> String {
    asOf.text(in: self.edition, subject: ("本材料为离线生成：第三至第七部分及附件中的数据质量提示", "Built offline: sections 3 to 7 and the data-quality notes of the attachments"))
  }
}
