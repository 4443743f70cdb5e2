internal import GongjianProtocol

extension Gongjian_V1_MutationResult.Rejected {
  /// The answer to a mutation that breaks rules, listing each violation with its field.
  ///
  /// - Parameters:
  ///   - code: The status the answer carries (`invalidArgument`, `failedPrecondition`, …).
  ///   - violations: What is wrong, by field.
  static func invalid(code: GongjianError.Code, _ violations: [GongjianError.FieldViolation]) -> Self {
    // Two checks may find the same thing (a date's horizon and its order): said once.
    var seen = Set<String>()
    let violations = violations.filter { seen.insert("\($0.field)\u{0}\($0.description)").inserted }
    let list = violations.map { "\($0.field): \($0.description)" }.joined(separator: "; ")
    return .with {
      $0.code = code.status
      $0.message = "invalid mutation: \(list)"
      $0.violations = violations.map { v in .with { $0.field = v.field; $0.description_p = v.description } }
    }
  }
}
