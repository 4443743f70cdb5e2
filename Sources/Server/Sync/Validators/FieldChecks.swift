internal import Foundation

/// Collects field violations while a validator walks a payload.
struct FieldChecks {
  private(set) var violations: [GongjianError.FieldViolation] = []

  mutating func fail(_ field: String, _ description: String) {
    self.violations.append(GongjianError.FieldViolation(field: field, description: description))
  }

  /// A required, trimmed-non-empty text of at most `maxLength` characters.
  mutating func requireText(_ value: String, _ field: String, maxLength: Int = 200) {
    if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
      self.fail(field, "required")
    } else {
      self.limitText(value, field, maxLength: maxLength)
    }
  }

  /// An optional text of at most `maxLength` characters.
  mutating func limitText(_ value: String, _ field: String, maxLength: Int = 200) {
    if value.count > maxLength {
      self.fail(field, "at most \(maxLength) characters (got \(value.count))")
    }
  }

  /// A non-negative integer amount.
  mutating func nonNegative(_ value: Int64, _ field: String) {
    if value < 0 { self.fail(field, "must not be negative (got \(value))") }
  }

  /// An optional ISO date `YYYY-MM-DD` that exists in the calendar.
  mutating func optionalDate(_ value: String, _ field: String) {
    guard !value.isEmpty else { return }
    if FieldChecks.parseDate(value) == nil {
      self.fail(field, "must be a date YYYY-MM-DD (got '\(value)')")
    }
  }

  static func parseDate(_ text: String) -> DateComponents? {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
      let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
    else { return nil }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
    let components = DateComponents(year: year, month: month, day: day)
    guard calendar.date(from: components) != nil,
      (1...12).contains(month),
      let range = calendar.range(of: .day, in: .month, for: calendar.date(from: DateComponents(year: year, month: month))!),
      range.contains(day)
    else { return nil }
    return components
  }
}
