internal import GongjianProtocol

/// Which release migrated a database: each store records, beside each migration it applies, the
/// version of the binary that applied it, so that an older binary can refuse a database a newer
/// one has changed, naming both versions, instead of misreading it.
enum SchemaWriter {
  /// The refusal of a database that holds migrations this binary does not know.
  ///
  /// - Parameters:
  ///   - database: The database, as an operator names it (a path or a URL without password).
  ///   - migrations: The unknown migrations' names.
  ///   - versions: The versions recorded beside them (none when a release before this record wrote them).
  static func superseded(database: String, migrations: [String], versions: [String]) -> GongjianError {
    let newest = versions.max(by: Self.isOlder)
    let writer = newest.map { "gongjian-server \($0)" } ?? "a newer gongjian-server"
    let remedy = newest.map { "run gongjian-server \($0) or later" } ?? "run the release that migrated it or a later one"
    return GongjianError(
      .failedPrecondition,
      "\(database) was migrated by \(writer) (schema \(migrations.sorted().joined(separator: ", "))), which this gongjian-server \(GongjianVersion.current) does not know: \(remedy); this binary does not open it, so as not to misread it"
    )
  }

  /// Whether dotted version `a` comes before `b` (`0.9.0` < `0.10.0`).
  static func isOlder(_ a: String, _ b: String) -> Bool {
    let left = a.split(separator: ".").map { Int($0) ?? 0 }
    let right = b.split(separator: ".").map { Int($0) ?? 0 }
    for index in 0..<max(left.count, right.count) {
      let l = index < left.count ? left[index] : 0
      let r = index < right.count ? right[index] : 0
      if l != r { return l < r }
    }
    return false
  }
}
