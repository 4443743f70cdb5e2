internal import GongjianProtocol

/// Validation of directory entries (tenants and offices).
enum Directory {
  static func validate(tenant id: String, name: String) throws {
    var violations: [GongjianError.FieldViolation] = []
    if !OfficeIdentity.isValidIdentifier(id) {
      violations.append(.init(field: "id", description: "2-63 of a-z 0-9 . - starting with a letter or digit (got '\(id)')"))
    }
    if name.isEmpty || name.count > 200 {
      violations.append(.init(field: "name", description: "required, at most 200 characters"))
    }
    if !violations.isEmpty { throw GongjianError.invalid(violations, in: "tenant") }
  }

  static func validate(office: Gongjian_V1_Office, field: String) throws {
    var violations: [GongjianError.FieldViolation] = []
    if !OfficeIdentity.isValidIdentifier(office.id) {
      violations.append(.init(field: "\(field).id", description: "2-63 of a-z 0-9 . - starting with a letter or digit (got '\(office.id)')"))
    }
    if office.name.isEmpty || office.name.count > 200 {
      violations.append(.init(field: "\(field).name", description: "required, at most 200 characters"))
    }
    if office.side != .suzhou && office.side != .suqian {
      violations.append(.init(field: "\(field).side", description: "SIDE_SUZHOU or SIDE_SUQIAN"))
    }
    if !violations.isEmpty { throw GongjianError.invalid(violations, in: "office") }
  }
}
