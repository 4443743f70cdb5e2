/// The filters of a list request.
public struct RecordFilter: Sendable {
  public let request: Gongjian_V1_ListRecordsRequest

  /// The filters of `request`.
  public init(_ request: Gongjian_V1_ListRecordsRequest) {
    self.request = request
  }

  /// True when the payload passes every filter of the request that applies to its kind (each
  /// kind's declaration says which, ``RecordKind``).
  public func matches(_ payload: Gongjian_V1_RecordPayload) -> Bool {
    guard let (kind, message) = RecordKind.of(payload) else { return true }
    return kind.matches(message, self.request)
  }

  /// The year of a `YYYY-MM-DD` date, or 0.
  public static func year(_ date: String) -> Int32 {
    Int32(date.prefix(4)) ?? 0
  }

  /// Whether an id filter passes: unset, or the same id in any case.
  static func sameID(_ filter: String, _ id: String) -> Bool {
    filter.isEmpty || id.lowercased() == filter.lowercased()
  }

  /// Whether a year filter passes: unset, the same year, or a record for every year (0) where
  /// `everyYear` allows it.
  static func sameYear(_ filter: Int32, _ year: Int32, everyYear: Bool = false) -> Bool {
    filter == 0 || year == filter || (everyYear && year == 0)
  }
}
