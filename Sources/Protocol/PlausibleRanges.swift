public import SwiftProtobuf

/// The range in which a field's value is plausible. A value outside is accepted (types cannot
/// tell 195 亩 entered as 19,500 centimu from a small park) but answered with a warning, shown by
/// the CLI and listed in the meeting packet's data-quality notes.
public struct PlausibleRanges: Sendable {
  /// One field's range, inclusive, in the field's own unit.
  public struct Range: Sendable, Equatable {
    /// The record kind, e.g. `park`.
    public var kind: RecordKind
    /// The payload field, e.g. `planned_area_centimu`.
    public var field: String
    public var min: Int64
    public var max: Int64

    public init(kind: RecordKind, field: String, min: Int64, max: Int64) {
      self.kind = kind
      self.field = field
      self.min = min
      self.max = max
    }

    /// `park.planned_area_centimu`.
    public var key: String { "\(self.kind.name).\(self.field)" }
  }

  public var ranges: [Range]

  public init(ranges: [Range]) {
    self.ranges = ranges
  }

  /// The default ranges, for co-built parks of the two cities:
  /// - a park's planned area: 500 to 150,000 亩 (`planned_area_centimu` 50,000 to 15,000,000);
  ///   its built area: 10 to 150,000 亩;
  /// - a report's industrial land: 100 to 200,000 亩;
  /// - a report's yuan figures: 1,000 万元 to 1 万亿元; investment intensity 10 to 2,000 万元/亩
  ///   (the same for a reference park's report);
  /// - a project's planned investment: 1,000 万元 to 500 亿元;
  /// - an activity's people: 1 to 500.
  public static let defaults = PlausibleRanges(ranges: [
    .init(kind: .park, field: "planned_area_centimu", min: 50_000, max: 15_000_000),
    .init(kind: .park, field: "built_area_centimu", min: 1_000, max: 15_000_000),
  ] + [RecordKind.indicatorReport, .referenceParkReport].flatMap { kind -> [Range] in
    [
      .init(kind: kind, field: "industrial_land_area_centimu", min: 10_000, max: 20_000_000),
      .init(kind: kind, field: "industrial_project_investment_yuan", min: 10_000_000, max: 1_000_000_000_000),
    ] + (kind == .indicatorReport ? [.init(kind: kind, field: "total_industrial_investment_yuan", min: 10_000_000, max: 1_000_000_000_000)] : []) + [
      .init(kind: kind, field: "total_industrial_output_yuan", min: 10_000_000, max: 1_000_000_000_000),
      .init(kind: kind, field: "main_business_revenue_yuan", min: 10_000_000, max: 1_000_000_000_000),
      // 10 to 2,000 万元/亩, in fen per mu.
      .init(kind: kind, field: "derived.investment_intensity_fen_per_mu", min: 10_000_000, max: 2_000_000_000),
    ]
  } + [
    .init(kind: .transferredProject, field: "planned_investment_yuan", min: 10_000_000, max: 50_000_000_000),
    .init(kind: .exchangeActivity, field: "people_count", min: 1, max: 500),
  ])

  /// Replaces or adds the range of `range.kind`/`range.field`.
  public mutating func set(_ range: Range) {
    self.ranges.removeAll { $0.key == range.key }
    self.ranges.append(range)
  }

  /// One value outside its range.
  public struct Finding: Sendable, Equatable {
    public var range: Range
    public var value: Int64
  }

  /// The values of a payload outside their ranges.
  public func findings(kind: RecordKind, payload: any SwiftProtobuf.Message) -> [Finding] {
    // Runs for every pushed record: pairs in an array, not a dictionary (no hashing, one cast).
    let values = kind.integerFields(of: payload)
    var findings: [Finding] = []
    for range in self.ranges where range.kind == kind {
      guard let value = values.first(where: { $0.field == range.field })?.value,
        value != 0, value < range.min || value > range.max
      else { continue }
      findings.append(Finding(range: range, value: value))
    }
    return findings
  }

  /// A finding as a warning that names the field: "planned_area_centimu: 19500 is outside …".
  public static func warning(_ finding: Finding) -> (field: String, description: String) {
    (
      finding.range.field,
      "\(finding.value) is outside the plausible range \(finding.range.min)…\(finding.range.max); check the unit (a unit slip such as 亩 for centimu or 万元 for yuan?)"
    )
  }
}
