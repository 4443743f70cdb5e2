extension Gongjian_V1_ActionStatus {
  /// The status as the CLI, the packet and error messages write it.
  public var label: String {
    switch self {
    case .open: "OPEN"
    case .done: "DONE"
    case .dropped: "DROPPED"
    default: "UNSPECIFIED"
    }
  }
}
