internal import Foundation

extension Gongjian_V1_FiguresAsOf {
  /// True when the mirror holds changes the figures do not count.
  public var isBehindMirror: Bool { self.uncountedChanges > 0 || !self.newerTenants.isEmpty }

  /// When the server computed these figures and what they leave out, in an edition's language:
  /// the line an offline report prints above its figures.
  ///
  /// - Parameter subject: What the figures are, in Chinese and English.
  public func text(in edition: PacketEdition, subject: (zh: String, en: String) = ("以下数字", "The figures")) -> String {
    let e = edition
    let when = e.instant(self.computedAt.date)
    var text = e.t("\(subject.zh)为服务器于\(when)的计算结果（离线摘要）。", "\(subject.en) are the server's as of \(when) (offline summary).")
    if self.isBehindMirror {
      let tenants = self.newerTenants.joined(separator: e.t("、", ", "))
      text += e.t(
        "本机此后同步或录入的\(self.uncountedChanges)项改动（\(tenants)）未计入；联网后运行 gongjian sync 可更新。",
        " \(self.uncountedChanges) changes the mirror holds since then (\(tenants)) are not counted: run `gongjian sync` online to update them."
      )
    }
    return text
  }
}

extension PacketEdition {
  /// An instant in Beijing time: 2026年12月7日23:20（北京时间） / 7 December 2026, 23:20 Beijing time.
  func instant(_ date: Date) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
    let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
    let day = String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    let clock = String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0)
    return self.t("\(self.date(day))\(clock)（北京时间）", "\(self.date(day)), \(clock) Beijing time")
  }
}
