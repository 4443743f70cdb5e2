public import Foundation
public import GongjianProtocol
internal import GRDB

extension Mirror {
  /// How the office settles a conflict or a rejection.
  public enum Resolution: Sendable {
    /// Push my version again, on the server's current version.
    case keepMine
    /// Drop my write and keep the server's version.
    case keepTheirs
    /// Push this payload (the kind's serialized message) instead, on the server's current version.
    case replace(Data)
  }

  /// Queues writes in one transaction. A mutation id already in the outbox is not queued twice.
  ///
  /// - Parameters:
  ///   - mutations: The writes, each with its mutation id.
  ///   - tenantID: The tenant.
  ///   - atomic: The writes are one move (a deferral with its move to the next meeting): they
  ///     are pushed together, all or nothing.
  /// - Returns: The number of writes now pending for the tenant.
  @discardableResult
  public func enqueue(_ mutations: [Gongjian_V1_Mutation], tenantID: String, atomic: Bool = false) throws -> Int {
    let group: String? = atomic && mutations.count > 1 ? mutations[0].mutationID : nil
    return try self.write { db in
      let now = Date().timeIntervalSince1970
      for mutation in mutations {
        try db.execute(
          sql: """
            INSERT INTO outbox (tenant_id, mutation_id, kind, record_id, base_version, is_delete, payload, created_at, move_group)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (mutation_id) DO NOTHING
            """,
          arguments: [
            tenantID, mutation.mutationID, mutation.kind, mutation.recordID.lowercased(), Int64(stored: mutation.baseVersion),
            mutation.delete, mutation.delete ? Data() : mutation.payload.value, now, group,
          ]
        )
      }
      return try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE tenant_id = ? AND state = 'pending'", arguments: [tenantID]) ?? 0
    }
  }

  /// Pending writes of a tenant in the order they were made.
  ///
  /// - Parameters:
  ///   - tenantID: The tenant.
  ///   - limit: At most this many.
  public func pending(tenantID: String, limit: Int = .max) throws -> [OutboxEntry] {
    try self.read { db in
      try Row.fetchAll(
        db, sql: "SELECT * FROM outbox WHERE tenant_id = ? AND state = 'pending' ORDER BY number LIMIT ?",
        arguments: [tenantID, Int64(min(limit, Int(Int64.max)))]
      ).map(Self.entry(from:))
    }
  }

  /// Conflicts and rejections waiting for the office, oldest first.
  ///
  /// - Parameter tenantID: One tenant, or nil for all.
  public func unresolved(tenantID: String? = nil) throws -> [OutboxEntry] {
    try self.read { db in
      try Row.fetchAll(
        db, sql: "SELECT * FROM outbox WHERE state != 'pending' AND (? IS NULL OR tenant_id = ?) ORDER BY number",
        arguments: [tenantID, tenantID]
      ).map(Self.entry(from:))
    }
  }

  /// One outbox entry by number.
  public func entry(number: Int64) throws -> OutboxEntry? {
    try self.read { db in
      try Row.fetchOne(db, sql: "SELECT * FROM outbox WHERE number = ?", arguments: [number]).map(Self.entry(from:))
    }
  }

  /// Counts a push attempt that got no answer; the entries stay pending with their mutation ids.
  public func recordFailedAttempt(_ entries: [OutboxEntry], message: String) throws {
    try self.write { db in
      for entry in entries {
        try db.execute(
          sql: "UPDATE outbox SET attempts = attempts + 1, message = ? WHERE number = ?", arguments: [message, entry.number]
        )
      }
    }
  }

  /// Settles pushed entries with the server's answers in one transaction: an applied write leaves
  /// the outbox and its version enters the mirror; a conflict or rejection stays as an item.
  ///
  /// - Parameters:
  ///   - entries: The entries pushed.
  ///   - results: The server's results (matched by mutation id).
  ///   - officeID: The writing office, for the mirror's copy.
  /// - Returns: How many were applied, conflicted and rejected.
  @discardableResult
  public func settle(_ entries: [OutboxEntry], results: [Gongjian_V1_MutationResult], officeID: String) throws -> PushTally {
    let byID = Dictionary(results.map { ($0.mutationID, $0) }, uniquingKeysWith: { first, _ in first })
    return try self.write { db in
      var tally = PushTally()
      for entry in entries {
        guard let result = byID[entry.mutationID] else { continue }
        switch result.outcome {
        case .applied(let applied):
          tally.applied += 1
          tally.warnings += applied.warnings.map {
            PushTally.Warning(
              mutationID: entry.mutationID, kind: entry.kind, recordID: entry.recordID,
              field: $0.field.replacingOccurrences(of: #"^mutations\[\d+\]\.payload\."#, with: "", options: .regularExpression),
              description: $0.description_p
            )
          }
          try Self.ensureTenant(db, entry.tenantID)
          let mine = MirrorRecord(
            tenantID: entry.tenantID, kind: entry.kind, id: entry.recordID, version: applied.version,
            sequence: applied.sequence, deleted: entry.delete, payload: entry.payload, officeID: officeID,
            updatedAt: Date(), state: .synced
          )
          var tally = try Self.storedTally(db, entry.tenantID)
          try Self.upsert(db, mine, tally: &tally)
          try Self.storeTally(db, entry.tenantID, tally)
          try db.execute(sql: "DELETE FROM outbox WHERE number = ?", arguments: [entry.number])
        case .conflict(let conflict):
          tally.conflicts += 1
          let theirs = conflict.hasCurrent ? conflict.current : nil
          try db.execute(
            sql: """
              UPDATE outbox SET state = 'conflict', message = ?, their_version = ?, their_sequence = ?,
                their_deleted = ?, their_payload = ?, their_office = ?, their_updated_at = ?
              WHERE number = ?
              """,
            arguments: [
              conflict.message, theirs.map { Int64(stored: $0.version) }, theirs.map { Int64(stored: $0.sequence) },
              theirs?.deleted, theirs.map { $0.deleted ? Data() : $0.payload.value }, theirs?.officeID,
              theirs?.updatedAt.date.timeIntervalSince1970, entry.number,
            ]
          )
        case .rejected(let rejected):
          tally.rejected += 1
          if OutboxEntry.isPermissionCode(rejected.code) { tally.denied += 1 }
          try db.execute(
            sql: "UPDATE outbox SET state = 'rejected', message = ?, violations = ?, code = ? WHERE number = ?",
            arguments: [
              rejected.message, rejected.violations.map { "\($0.field): \($0.description_p)" }.joined(separator: "\n"), rejected.code,
              entry.number,
            ]
          )
        case nil:
          continue
        }
      }
      return tally
    }
  }

  /// Settles a conflict or rejection as the office chose. A write pushed again gets a new
  /// mutation id (the old one's answer is kept by the server) and the server's current version
  /// as its base.
  ///
  /// - Parameters:
  ///   - number: The outbox entry.
  ///   - resolution: Mine, theirs, or an edited payload.
  /// - Throws: ``GongjianClientError`` (`usage`) for an unknown or pending entry, or keeping a
  ///   rejected write unchanged.
  public func resolve(number: Int64, _ resolution: Resolution) throws {
    try self.write { db in
      guard let row = try Row.fetchOne(db, sql: "SELECT * FROM outbox WHERE number = ?", arguments: [number]) else {
        throw GongjianClientError(.usage, "conflict \(number): no such item (see `gongjian conflicts`)")
      }
      let entry = Self.entry(from: row)
      guard entry.state != .pending else {
        throw GongjianClientError(.usage, "conflict \(number): this write is still pending; `gongjian sync` delivers it")
      }
      // On a conflict the new base is the server's version (0 when the record never existed).
      let base = entry.state == .conflict ? (entry.theirs?.version ?? 0) : entry.baseVersion
      switch resolution {
      case .keepTheirs:
        if let theirs = entry.theirs {
          try Self.ensureTenant(db, entry.tenantID)
          var tally = try Self.storedTally(db, entry.tenantID)
          try Self.upsert(db, theirs, tally: &tally)
          try Self.storeTally(db, entry.tenantID, tally)
        }
        try db.execute(sql: "DELETE FROM outbox WHERE number = ?", arguments: [number])
      case .keepMine, .replace:
        var payload = entry.payload
        if case .replace(let replacement) = resolution {
          payload = replacement
        } else if entry.state == .rejected {
          throw GongjianClientError(
            .usage, "conflict \(number): the server refused this write (\(entry.message)); edit it with --file F or drop it with --keep theirs"
          )
        }
        try db.execute(
          sql: """
            UPDATE outbox SET state = 'pending', mutation_id = ?, base_version = ?, payload = ?, is_delete = ?,
              attempts = 0, message = '', violations = '', their_version = NULL, their_sequence = NULL,
              their_deleted = NULL, their_payload = NULL, their_office = NULL, their_updated_at = NULL
            WHERE number = ?
            """,
          arguments: [
            RecordID.make(), Int64(stored: base), payload,
            { if case .replace = resolution { return false } else { return entry.delete } }(), number,
          ]
        )
      }
    }
  }

  /// The version a new local write of a record should be based on: the version its last queued
  /// write will make, else the mirror's version, else 0 (a create).
  public func baseVersion(tenantID: String, kind: String, id: String) throws -> UInt64 {
    try self.read { db in
      if let base = try Int64.fetchOne(
        db, sql: "SELECT base_version FROM outbox WHERE tenant_id = ? AND kind = ? AND record_id = ? AND state = 'pending' ORDER BY number DESC LIMIT 1",
        arguments: [tenantID, kind, id]
      ) {
        return UInt64(stored: base) + 1
      }
      return try Int64.fetchOne(
        db, sql: "SELECT version FROM record WHERE tenant_id = ? AND kind = ? AND id = ? AND deleted = 0", arguments: [tenantID, kind, id]
      ).map(UInt64.init(stored:)) ?? 0
    }
  }

  static func entry(from row: Row) -> OutboxEntry {
    var theirs: MirrorRecord?
    if let version = row["their_version"] as Int64? {
      theirs = MirrorRecord(
        tenantID: row["tenant_id"], kind: row["kind"], id: row["record_id"], version: UInt64(stored: version),
        sequence: UInt64(stored: row["their_sequence"] ?? 0), deleted: row["their_deleted"] ?? false,
        payload: row["their_payload"] ?? Data(), officeID: row["their_office"] ?? "",
        updatedAt: Date(timeIntervalSince1970: row["their_updated_at"] ?? 0), state: .synced
      )
    }
    let violations: String = row["violations"]
    return OutboxEntry(
      number: row["number"], tenantID: row["tenant_id"], mutationID: row["mutation_id"], kind: row["kind"],
      recordID: row["record_id"], baseVersion: UInt64(stored: row["base_version"]), delete: row["is_delete"],
      payload: row["payload"], createdAt: Date(timeIntervalSince1970: row["created_at"]), attempts: row["attempts"],
      state: OutboxEntry.State(rawValue: row["state"]) ?? .pending, message: row["message"],
      violations: violations.isEmpty ? [] : violations.components(separatedBy: "\n"), theirs: theirs,
      group: row["move_group"], code: row["code"] ?? 0
    )
  }
}

/// Counts of a push's answers.
public struct PushTally: Sendable, Equatable {
  /// A value the server applied but found outside its field's plausible range.
  public struct Warning: Sendable, Equatable {
    public var mutationID: String
    public var kind: String
    public var recordID: String
    /// The payload field, e.g. `planned_area_centimu`.
    public var field: String
    public var description: String
  }

  public var applied = 0
  public var conflicts = 0
  public var rejected = 0
  /// Of the rejected, those refused for permission (not authenticated or not permitted).
  public var denied = 0
  /// Warnings on applied writes (a unit slip?), for the office to check.
  public var warnings: [Warning] = []

  public init() {}

  /// Adds another tally's counts and warnings.
  public mutating func add(_ other: PushTally) {
    self.applied += other.applied
    self.conflicts += other.conflicts
    self.rejected += other.rejected
    self.denied += other.denied
    self.warnings += other.warnings
  }
}
