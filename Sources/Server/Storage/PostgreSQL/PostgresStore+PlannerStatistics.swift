internal import PostgresNIO

extension PostgresStore: PlannerStatistics {
  /// The tables a commit reads by key, whose plans depend on their statistics.
  static let analysedTables = ["record", "change", "mutation", "client"]

  /// Rows changed since the last analysis below which a table is left to autovacuum: its scans
  /// cost little whatever the plan.
  static let analyseFloor = 1_000

  /// Analyses each table that has at least doubled (and changed by ``analyseFloor`` rows) since
  /// its statistics were gathered; never-analysed tables count as empty. Autovacuum's threshold
  /// (a tenth) keeps a large table current; doubling bounds this job to a few analyses while a
  /// table grows, each a sample of 30,000 rows that blocks no write.
  public func refreshPlannerStatistics() async throws -> [String] {
    try await self.mapErrors {
      var grown: [String] = []
      let rows = try await self.client.query(
        """
        SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
        WHERE s.schemaname = current_schema() AND s.relname = ANY(\(Self.analysedTables))
          AND s.n_mod_since_analyze >= greatest(\(Self.analyseFloor), c.reltuples)
        """,
        logger: self.logger
      )
      for try await table in rows.decode(String.self) { grown.append(table) }
      for table in grown.sorted() where Self.analysedTables.contains(table) {
        try await self.client.query(PostgresQuery(unsafeSQL: "ANALYZE \(table)"), logger: self.logger)
      }
      return grown.sorted()
    }
  }
}
