import GongjianProtocol

/// Chinese column labels of a kind's fields, with the unit where the field has one: the kind's
/// own (``RecordKind/fieldLabels``) and the record's `id` and `version`. Exports write
/// `label (field_name)`; imports accept the field name, the label, or both.
struct FieldLabels {
  static let recordLabels = ["id": "记录编号", "version": "版本"]

  let labels: [String: String]

  init(kind: RecordKind) {
    self.labels = Self.recordLabels.merging(kind.fieldLabels) { record, _ in record }
  }

  /// The column header of a field: `计划投资（元） (planned_investment_yuan)`.
  func header(_ field: String) -> String {
    self.labels[field].map { "\($0) (\(field))" } ?? field
  }

  /// The field a bare Chinese label names, if any.
  func field(label: String) -> String? {
    self.labels.first { $0.value == label }?.key
  }
}
