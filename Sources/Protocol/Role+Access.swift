extension Gongjian_V1_Role {
  /// The role's name as people write it: `viewer`, `contributor`, `secretariat`, `admin`.
  public var displayName: String {
    switch self {
    case .viewer: "viewer"
    case .contributor: "contributor"
    case .secretariat: "secretariat"
    case .admin: "admin"
    case .unspecified, .UNRECOGNIZED: "none"
    }
  }

  /// Parses a role's display name.
  ///
  /// - Parameter name: `viewer`, `contributor`, `secretariat` or `admin`.
  public init?(displayName name: String) {
    switch name.lowercased() {
    case "viewer": self = .viewer
    case "contributor": self = .contributor
    case "secretariat": self = .secretariat
    case "admin": self = .admin
    default: return nil
    }
  }

  /// Whether this role includes the rights of `other` (viewer < contributor < secretariat < admin).
  ///
  /// - Parameter other: The role that is needed.
  public func includes(_ other: Gongjian_V1_Role) -> Bool {
    self.rawValue >= other.rawValue && other != .unspecified
  }
}

extension Gongjian_V1_Side {
  /// `suzhou` or `suqian`.
  public var displayName: String {
    switch self {
    case .suzhou: "suzhou"
    case .suqian: "suqian"
    case .unspecified, .UNRECOGNIZED: "unspecified"
    }
  }

  /// Parses `suzhou` or `suqian`.
  ///
  /// - Parameter name: The side's display name.
  public init?(displayName name: String) {
    switch name.lowercased() {
    case "suzhou": self = .suzhou
    case "suqian": self = .suqian
    default: return nil
    }
  }
}
