internal import Foundation
internal import NIOCore
internal import PostgresNIO

/// The statements of a commit round, prepared once per connection.
///
/// PostgresNIO's queries are unnamed statements: each is parsed, analysed, rewritten (row-level
/// security adds its policy) and planned anew on every call. A commit round runs the same six
/// statements each time, so each connection prepares them on first use and then only binds and
/// executes them. Their plans stay current: PostgreSQL plans a statement again when its tables'
/// statistics change. Their names (`gongjian.write`, …) show in `pg_prepared_statements` and on
/// the wire.
enum PostgresCommitStatements {
  struct Begin: PostgresPreparedStatement {
    static let name = "gongjian.begin"
    typealias Row = ()
    static let sql = "BEGIN"

    func makeBindings() throws -> PostgresBindings { PostgresBindings() }
    func decodeRow(_ row: PostgresRow) throws {}
  }

  struct Commit: PostgresPreparedStatement {
    static let name = "gongjian.commit"
    typealias Row = ()
    static let sql = "COMMIT"

    func makeBindings() throws -> PostgresBindings { PostgresBindings() }
    func decodeRow(_ row: PostgresRow) throws {}
  }

  /// A round's opening, in one round trip (`gongjian_open_round`, a PL/pgSQL function of the
  /// schema): the transaction's tenants (row-level security) and bounds (PostgreSQL cancels a
  /// statement after ``PostgresStore/Configuration/statementTimeout`` and a lock wait after
  /// ``PostgresStore/Configuration/lockTimeout``), the pushing tenants' counter rows locked in one
  /// order on every node, then the pushing clients' bindings and the mutations' first answers,
  /// read after the locks. Rows come tagged: 0 a tenant's state, 1 a client's office, 2 a
  /// mutation's answer.
  struct OpenRound: PostgresPreparedStatement {
    static let name = "gongjian.open_round"
    static let sql = "SELECT what, k1, k2, blob, n1, n2, n3, n4, n5 FROM gongjian_open_round($1, $2, $3, $4, $5, $6, $7)"
    var tenants: [String]
    var statementTimeout: String
    var lockTimeout: String
    var locked: [String]
    var clients: [String]
    var mutations: [MutationKey]

    /// One row of the answer, by its tag.
    enum Row {
      case tenant(String, TenantState)
      case client(String, office: String)
      case answer(MutationKey, Data)
    }

    func makeBindings() throws -> PostgresBindings {
      var bindings = PostgresBindings(capacity: 7)
      bindings.append(self.tenants)
      bindings.append(self.statementTimeout)
      bindings.append(self.lockTimeout)
      bindings.append(self.locked)
      bindings.append(self.clients)
      bindings.append(self.mutations.map(\.clientID))
      bindings.append(self.mutations.map(\.mutationID))
      return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
      let (what, key, other, blob, n1, n2, n3, n4, n5) = try row.decode(
        (Int32, String, String?, Data?, Int64?, Int64?, Int64?, Int64?, Int64?).self
      )
      switch (what, other, blob, n1, n2, n3, n4, n5) {
      case (0, _, .some(let auditHead), .some(let head), .some(let checksum), .some(let live), .some(let auditCount), .some(let bytes)):
        return .tenant(key, TenantState(
          head: UInt64(head), checksum: UInt64(bitPattern: checksum), live: live, auditCount: auditCount, auditHead: auditHead,
          bytes: bytes
        ))
      case (1, .some(let officeID), _, _, _, _, _, _):
        return .client(key, office: officeID)
      case (2, .some(let mutationID), .some(let result), _, _, _, _, _):
        return .answer(MutationKey(clientID: key, mutationID: mutationID), result)
      default:
        throw GongjianError(.internalError, "gongjian_open_round answered a row of kind \(what) without its fields")
      }
    }
  }

  /// The offices that client ids are bound to.
  struct ClientOwners: PostgresPreparedStatement {
    static let name = "gongjian.client_owners"
    typealias Row = (String, String)
    static let sql = "SELECT client_id, office_id FROM client WHERE client_id = ANY($1)"
    var clients: [String]

    func makeBindings() throws -> PostgresBindings {
      var bindings = PostgresBindings(capacity: 1)
      bindings.append(self.clients)
      return bindings
    }
    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
  }

  /// First outcomes of mutations, by (client id, mutation id) pairs: the primary key is probed
  /// once per pair. (`client_id = ANY(…) AND mutation_id = ANY(…)` probes every combination of
  /// the two arrays: a round of 16 pushes of 100 mutations made 25,600 probes for 1,600 pairs.)
  /// `OFFSET 0` keeps the subquery a probe per pair, never a join the planner could turn into a
  /// scan.
  struct MutationResults: PostgresPreparedStatement {
    static let name = "gongjian.mutation_results"
    typealias Row = (String, String, Data)
    static let sql = """
      SELECT m.client_id, m.mutation_id, m.result FROM unnest($1::text[], $2::text[]) AS k(client_id, mutation_id)
      CROSS JOIN LATERAL (
        SELECT client_id, mutation_id, result FROM mutation WHERE client_id = k.client_id AND mutation_id = k.mutation_id OFFSET 0) m
      """
    var clients: [String]
    var mutations: [String]

    func makeBindings() throws -> PostgresBindings {
      var bindings = PostgresBindings(capacity: 2)
      bindings.append(self.clients)
      bindings.append(self.mutations)
      return bindings
    }
    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
  }

  /// Current versions of records of one tenant and kind.
  struct Records: PostgresPreparedStatement {
    static let name = "gongjian.records"
    typealias Row = StoredRecord
    static let sql = """
      SELECT c.tenant_id, c.kind, c.record_id, c.version, c.seq, c.deleted, c.payload, c.office_id, c.at
      FROM record r JOIN change c ON c.tenant_id = r.tenant_id AND c.seq = r.seq
      WHERE r.tenant_id = $1 AND r.kind = $2 AND r.record_id = ANY($3)
      """
    var tenantID: String
    var kind: String
    var ids: [String]

    func makeBindings() throws -> PostgresBindings {
      var bindings = PostgresBindings(capacity: 3)
      bindings.append(self.tenantID)
      bindings.append(self.kind)
      bindings.append(self.ids)
      return bindings
    }
    func decodeRow(_ row: PostgresRow) throws -> Row { try PostgresStore.storedRecord(row) }
  }

  /// The records holding unique keys of one tenant and kind.
  struct KeyHolders: PostgresPreparedStatement {
    static let name = "gongjian.key_holders"
    typealias Row = (String, String)
    static let sql = "SELECT unique_key, record_id FROM record WHERE tenant_id = $1 AND kind = $2 AND unique_key = ANY($3)"
    var tenantID: String
    var kind: String
    var keys: [String]

    func makeBindings() throws -> PostgresBindings {
      var bindings = PostgresBindings(capacity: 3)
      bindings.append(self.tenantID)
      bindings.append(self.kind)
      bindings.append(self.keys)
      return bindings
    }
    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
  }

  /// A round's rows, each table's with one `INSERT … SELECT FROM unnest(arrays)` in a
  /// data-modifying `WITH` (PostgreSQL runs each to completion whether or not the statement reads
  /// it), and the tenants' new states, each announced on ``PostgresStore/feedChannel`` at commit
  /// with the committing node's name.
  /// An empty array inserts nothing, so one text serves every round.
  struct Write: PostgresPreparedStatement {
    static let name = "gongjian.write"
    typealias Row = Int64
    static let sql = """
      WITH clients AS (
        INSERT INTO client (client_id, office_id, first_seen) SELECT * FROM unnest($1::text[], $2::text[], $3::float8[])),
      changes AS (
        INSERT INTO change (tenant_id, seq, kind, record_id, version, deleted, payload, office_id, at)
        SELECT * FROM unnest($4::text[], $5::int8[], $6::text[], $7::text[], $8::int8[], $9::bool[], $10::bytea[], $11::text[],
          $12::float8[])),
      records AS (
        INSERT INTO record (tenant_id, kind, record_id, version, seq, deleted, unique_key)
        SELECT t, k, i, v, q, d, NULLIF(u, '')
        FROM unnest($13::text[], $14::text[], $15::text[], $16::int8[], $17::int8[], $18::bool[], $19::text[])
          AS w(t, k, i, v, q, d, u)
        ON CONFLICT (tenant_id, kind, record_id) DO UPDATE
        SET version = excluded.version, seq = excluded.seq, deleted = excluded.deleted, unique_key = excluded.unique_key),
      audits AS (
        INSERT INTO audit (tenant_id, n, at, office_id, action, kind, record_id, version, seq, payload_sha256, prev_hash, hash)
        SELECT * FROM unnest($20::text[], $21::int8[], $22::float8[], $23::text[], $24::text[], $25::text[], $26::text[],
          $27::int8[], $28::int8[], $29::bytea[], $30::bytea[], $31::bytea[])),
      mutations AS (
        INSERT INTO mutation (client_id, mutation_id, tenant_id, result, at)
        SELECT * FROM unnest($32::text[], $33::text[], $34::text[], $35::bytea[], $36::float8[])),
      saved AS (
        UPDATE tenant_state t SET head = u.head, checksum = u.checksum, live = u.live, audit_count = u.audit_count,
          audit_head = u.audit_head, bytes = u.bytes
        FROM unnest($37::text[], $38::int8[], $39::int8[], $40::int8[], $41::int8[], $42::bytea[], $43::int8[])
          AS u(tenant_id, head, checksum, live, audit_count, audit_head, bytes)
        WHERE t.tenant_id = u.tenant_id
        RETURNING t.tenant_id, t.head)
      SELECT count(pg_notify('\(PostgresStore.feedChannel)', tenant_id || ':' || head || ':' || $44)) FROM saved
      """

    var bindings: PostgresBindings

    init(
      clients: [(String, String, Double)], changes: [StoredRecord], records: [(StoredRecord, String?)],
      audits: [(AuditEntry, Data)], results: [(MutationKey, String, Data, Double)], states: [(key: String, value: TenantState)],
      nodeID: String
    ) {
      var b = PostgresBindings(capacity: 44)
      b.append(clients.map(\.0))
      b.append(clients.map(\.1))
      b.append(clients.map(\.2))
      b.append(changes.map(\.tenantID))
      b.append(changes.map { Int64($0.sequence) })
      b.append(changes.map(\.kind))
      b.append(changes.map(\.id))
      b.append(changes.map { Int64($0.version) })
      b.append(changes.map(\.deleted))
      b.append(changes.map { ByteBuffer(bytes: $0.payload) })
      b.append(changes.map(\.officeID))
      b.append(changes.map(\.updatedAt.timeIntervalSince1970))
      b.append(records.map(\.0.tenantID))
      b.append(records.map(\.0.kind))
      b.append(records.map(\.0.id))
      b.append(records.map { Int64($0.0.version) })
      b.append(records.map { Int64($0.0.sequence) })
      b.append(records.map(\.0.deleted))
      b.append(records.map { $0.1 ?? "" })
      b.append(audits.map(\.0.tenantID))
      b.append(audits.map(\.0.number))
      b.append(audits.map(\.0.at))
      b.append(audits.map(\.0.officeID))
      b.append(audits.map(\.0.action))
      b.append(audits.map(\.0.kind))
      b.append(audits.map(\.0.recordID))
      b.append(audits.map(\.0.version))
      b.append(audits.map(\.0.sequence))
      b.append(audits.map { ByteBuffer(bytes: $0.0.payloadSHA256) })
      b.append(audits.map { ByteBuffer(bytes: $0.0.previousHash) })
      b.append(audits.map { ByteBuffer(bytes: $0.1) })
      b.append(results.map(\.0.clientID))
      b.append(results.map(\.0.mutationID))
      b.append(results.map(\.1))
      b.append(results.map { ByteBuffer(bytes: $0.2) })
      b.append(results.map(\.3))
      b.append(states.map(\.key))
      b.append(states.map { Int64($0.value.head) })
      b.append(states.map { Int64(bitPattern: $0.value.checksum) })
      b.append(states.map(\.value.live))
      b.append(states.map(\.value.auditCount))
      b.append(states.map { ByteBuffer(bytes: $0.value.auditHead) })
      b.append(states.map(\.value.bytes))
      b.append(nodeID)
      self.bindings = b
    }

    func makeBindings() throws -> PostgresBindings { self.bindings }
    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Int64.self) }
  }
}
