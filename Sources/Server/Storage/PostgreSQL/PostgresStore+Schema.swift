internal import Foundation
internal import GongjianProtocol
internal import NIOCore
internal import PostgresNIO
internal import SwiftProtobuf

extension PostgresStore {
  /// A versioned change of the schema; each runs once, in its own transaction.
  struct Migration {
    var version: Int
    var name: String
    var statements: [String]
    /// Work SQL cannot do (decoding payloads), after the statements, in the same transaction.
    var run: (@Sendable (_ store: PostgresStore, _ connection: PostgresConnection) async throws -> Void)? = nil
  }

  /// Any constant shared by all nodes: the advisory lock that serialises migrations.
  static let migrationLock: Int64 = 0x6A67_6D69_6772  // "jgmigr"

  /// Applies the migrations this database lacks. Nodes that start together take turns on an
  /// advisory lock, so each migration runs once.
  func migrate() async throws {
    try await self.client.withConnection { connection in
      try await connection.query("SELECT pg_advisory_lock(\(Self.migrationLock))", logger: self.logger)
      do {
        try await connection.query(
          "CREATE TABLE IF NOT EXISTS schema_migration (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
          logger: self.logger
        )
        // The release that applied each migration, so that an older one can name it when it refuses.
        try await connection.query("ALTER TABLE schema_migration ADD COLUMN IF NOT EXISTS applied_by text", logger: self.logger)
        var applied = Set<Int>()
        var unknown: [(name: String, appliedBy: String?)] = []
        let known = Set(Self.migrations.map(\.version))
        let rows = try await connection.query("SELECT version, name, applied_by FROM schema_migration", logger: self.logger)
        for try await (version, name, appliedBy) in rows.decode((Int, String, String?).self) {
          applied.insert(version)
          if !known.contains(version) { unknown.append(("\(version)-\(name)", appliedBy)) }
        }
        guard unknown.isEmpty else {
          throw SchemaWriter.superseded(
            database: self.configuration.displayURL, migrations: unknown.map(\.name), versions: unknown.compactMap(\.appliedBy)
          )
        }
        for migration in Self.migrations where !applied.contains(migration.version) {
          try await self.inTransaction(connection, tenants: []) { connection in
            for statement in migration.statements {
              try await connection.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
            }
            try await migration.run?(self, connection)
            try await connection.query(
              "INSERT INTO schema_migration (version, name, applied_by) VALUES (\(migration.version), \(migration.name), \(GongjianVersion.current))",
              logger: self.logger
            )
          }
          self.logger.info("migrated PostgreSQL schema", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
        }
      } catch {
        _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.migrationLock))", logger: self.logger)
        throw error
      }
      try await connection.query("SELECT pg_advisory_unlock(\(Self.migrationLock))", logger: self.logger)
    }
  }

  /// The tables that hold a tenant's rows, walled off by row-level security.
  static let tenantTables = ["tenant_state", "change", "record", "mutation", "audit", "audit_checkpoint", "attachment"]

  static let migrations: [Migration] = [
    Migration(
      version: 1, name: "initial",
      statements: [
        "CREATE TABLE tenant (id text PRIMARY KEY, name text NOT NULL, created_at double precision NOT NULL)",
        """
        CREATE TABLE tenant_state (
          tenant_id text PRIMARY KEY REFERENCES tenant(id),
          head bigint NOT NULL DEFAULT 0, checksum bigint NOT NULL DEFAULT 0, live bigint NOT NULL DEFAULT 0,
          horizon bigint NOT NULL DEFAULT 0, audit_count bigint NOT NULL DEFAULT 0,
          audit_head bytea NOT NULL DEFAULT '', bytes bigint NOT NULL DEFAULT 0)
        """,
        """
        CREATE TABLE office (
          id text PRIMARY KEY, name text NOT NULL, side integer NOT NULL,
          overseer boolean NOT NULL DEFAULT false, disabled boolean NOT NULL DEFAULT false)
        """,
        """
        CREATE TABLE membership (
          tenant_id text NOT NULL REFERENCES tenant(id), office_id text NOT NULL REFERENCES office(id),
          role integer NOT NULL, key_department boolean NOT NULL DEFAULT false,
          PRIMARY KEY (tenant_id, office_id))
        """,
        "CREATE INDEX membership_by_office ON membership (office_id)",
        """
        CREATE TABLE certificate (
          serial text PRIMARY KEY, office_id text NOT NULL, not_before double precision NOT NULL,
          not_after double precision NOT NULL, revoked_at double precision)
        """,
        """
        CREATE TABLE change (
          tenant_id text NOT NULL, seq bigint NOT NULL, kind text NOT NULL, record_id text NOT NULL,
          version bigint NOT NULL, deleted boolean NOT NULL, payload bytea NOT NULL, office_id text NOT NULL,
          at double precision NOT NULL, PRIMARY KEY (tenant_id, seq))
        """,
        // The unique key is checked at commit: a push may move a key from one record to another.
        """
        CREATE TABLE record (
          tenant_id text NOT NULL, kind text NOT NULL, record_id text NOT NULL, version bigint NOT NULL,
          seq bigint NOT NULL, deleted boolean NOT NULL, unique_key text,
          PRIMARY KEY (tenant_id, kind, record_id),
          CONSTRAINT record_unique_key UNIQUE (tenant_id, kind, unique_key) DEFERRABLE INITIALLY DEFERRED)
        """,
        "CREATE INDEX record_tombstones ON record (tenant_id, seq) WHERE deleted",
        "CREATE TABLE client (client_id text PRIMARY KEY, office_id text NOT NULL, first_seen double precision NOT NULL)",
        """
        CREATE TABLE mutation (
          client_id text NOT NULL, mutation_id text NOT NULL, tenant_id text NOT NULL, result bytea NOT NULL,
          at double precision NOT NULL, PRIMARY KEY (client_id, mutation_id))
        """,
        "CREATE INDEX mutation_by_age ON mutation (at)",
        """
        CREATE TABLE audit (
          tenant_id text NOT NULL, n bigint NOT NULL, at double precision NOT NULL, office_id text NOT NULL,
          action text NOT NULL, kind text NOT NULL, record_id text NOT NULL, version bigint NOT NULL, seq bigint NOT NULL,
          payload_sha256 bytea NOT NULL, prev_hash bytea NOT NULL, hash bytea NOT NULL, PRIMARY KEY (tenant_id, n))
        """,
        """
        CREATE TABLE attachment (
          tenant_id text NOT NULL, sha256 text NOT NULL, content_type text NOT NULL, size bigint NOT NULL,
          content bytea NOT NULL, PRIMARY KEY (tenant_id, sha256))
        """,
        """
        CREATE TABLE directory_audit (
          n bigint PRIMARY KEY, at double precision NOT NULL, actor text NOT NULL, action text NOT NULL,
          subject text NOT NULL, before text NOT NULL, after text NOT NULL, prev_hash bytea NOT NULL, hash bytea NOT NULL)
        """,
        """
        CREATE TABLE audit_checkpoint (
          id bigserial PRIMARY KEY, tenant_id text NOT NULL, count bigint NOT NULL, signed_at bigint NOT NULL,
          checkpoint bytea NOT NULL)
        """,
        "CREATE INDEX audit_checkpoint_by_tenant ON audit_checkpoint (tenant_id, id)",
      ]
        // The second wall: a transaction sees the tenants it set in `gongjian.tenants`, and no
        // other; FORCE applies it to the tables' owner, the role the server connects as.
        + PostgresStore.tenantTables.flatMap { table in
          [
            "ALTER TABLE \(table) ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE \(table) FORCE ROW LEVEL SECURITY",
            """
            CREATE POLICY tenant_wall ON \(table)
              USING (tenant_id = ANY (NULLIF(current_setting('gongjian.tenants', true), '')::text[]))
            """,
          ]
        }
    ),
    // Parks are told apart by name: parks written before the rule get their key; of parks that
    // already share a name, the first keeps it and the others are refused until renamed.
    Migration(version: 2, name: "park-name-keys", statements: []) { store, connection in
      var tenants: [String] = []
      for try await id in try await connection.query("SELECT id FROM tenant", logger: store.logger).decode(String.self) { tenants.append(id) }
      guard !tenants.isEmpty else { return }
      try await connection.query("SELECT set_config('gongjian.tenants', \(tenants)::text, true)", logger: store.logger)
      var parks: [(String, String, String)] = []
      let rows = try await connection.query(
        """
        SELECT r.tenant_id, r.record_id, c.payload FROM record r JOIN change c ON c.tenant_id = r.tenant_id AND c.seq = r.seq
        WHERE r.kind = 'park' AND NOT r.deleted AND r.unique_key IS NULL ORDER BY r.tenant_id, r.seq
        """,
        logger: store.logger
      )
      for try await (tenantID, recordID, payload) in rows.decode((String, String, ByteBuffer).self) {
        guard let park = try? Gongjian_V1_Park(serializedBytes: Array(payload.readableBytesView)) else { continue }
        parks.append((tenantID, recordID, park.uniqueKey))
      }
      for (tenantID, recordID, key) in parks {
        try await connection.query(
          """
          UPDATE record SET unique_key = \(key) WHERE tenant_id = \(tenantID) AND kind = 'park' AND record_id = \(recordID)
            AND NOT EXISTS (SELECT 1 FROM record WHERE tenant_id = \(tenantID) AND kind = 'park' AND unique_key = \(key))
          """,
          logger: store.logger
        )
      }
    },
    // A commit round's opening in one round trip: see ``PostgresCommitStatements/OpenRound``.
    Migration(
      version: 3, name: "open-round-function",
      statements: [
        """
        CREATE FUNCTION gongjian_open_round(
          tenants text[], statement_timeout_ms text, lock_timeout_ms text, locked text[], clients text[],
          mutation_clients text[], mutation_ids text[])
        RETURNS TABLE (what integer, k1 text, k2 text, blob bytea, n1 bigint, n2 bigint, n3 bigint, n4 bigint, n5 bigint)
        LANGUAGE plpgsql VOLATILE AS $$
        #variable_conflict use_column
        BEGIN
          PERFORM set_config('gongjian.tenants', tenants::text, true), set_config('statement_timeout', statement_timeout_ms, true),
            set_config('lock_timeout', lock_timeout_ms, true), set_config('plan_cache_mode', 'force_custom_plan', true);
          -- Each statement below takes a new snapshot: the reads see what the commits this one
          -- waited for wrote.
          RETURN QUERY SELECT 0, s.tenant_id, NULL::text, s.audit_head, s.head, s.checksum, s.live, s.audit_count, s.bytes
            FROM tenant_state s WHERE s.tenant_id = ANY(locked) ORDER BY s.tenant_id FOR UPDATE;
          RETURN QUERY SELECT 1, c.client_id, c.office_id, NULL::bytea, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint,
              NULL::bigint
            FROM client c WHERE c.client_id = ANY(clients);
          RETURN QUERY SELECT 2, m.client_id, m.mutation_id, m.result, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint,
              NULL::bigint
            FROM unnest(mutation_clients, mutation_ids) AS k(client_id, mutation_id)
            CROSS JOIN LATERAL (
              SELECT x.client_id, x.mutation_id, x.result FROM mutation x
              WHERE x.client_id = k.client_id AND x.mutation_id = k.mutation_id OFFSET 0) m;
        END
        $$
        """
      ]
    ),
  ]
}
