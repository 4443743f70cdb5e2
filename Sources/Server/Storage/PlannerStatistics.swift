/// A store whose query planner needs statistics that it may not have gathered yet.
///
/// PostgreSQL's autovacuum analyses a table once a tenth of it has changed, at most once a
/// minute per database: a fresh database, or one that grows fast, is planned for a while as if
/// its tables were nearly empty. Then a commit's lookups (`tenant_id = … AND kind = … AND record_id
/// = ANY(…)`) believe a tenant's kind holds one row and scan all of it, for every lookup: pushes
/// on a fresh database fell to about a sixth of their first rate within twenty seconds. SQLite
/// plans by its indexes alone and needs none of this.
public protocol PlannerStatistics: Sendable {
  /// Gathers statistics for the tables that grew since they were last gathered, as far as a
  /// planner could go wrong by it.
  ///
  /// - Returns: The tables analysed (none most of the time).
  func refreshPlannerStatistics() async throws -> [String]
}
