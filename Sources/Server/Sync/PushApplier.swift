internal import Crypto
internal import Foundation
internal import GongjianProtocol
internal import SwiftProtobuf

/// The commit algorithm, once for every backend: for each mutation of a push, in order, the
/// stored answer of its id (a replay), its base version against the current record, its
/// references and the kind's rule checks, its unique key, the tenant's stored-bytes quota; then
/// the new version with its sequence, checksum and audit entry, and the answer kept for replays.
///
/// Pure: it plans over a ``FeedSnapshot`` and asks for what it lacks (``CommitPlan/needs(_:)``);
/// later mutations of a push see the earlier ones' writes through an overlay. A backend drives it
/// inside its transaction (see ``CommitPlanner``).
public struct PushApplier: CommitPlanner {
  /// The planner.
  public init() {}

  public func plan(_ batch: PushBatch, snapshot: FeedSnapshot, states: [String: TenantState]) -> CommitPlan {
    var planning = Planning(batch: batch, snapshot: snapshot)
    let push = planning.run(states: states)
    return planning.missing.isEmpty ? .ready(push) : .needs(planning.missing)
  }

  /// The client's binding, the tenant's state, and per mutation its stored answer, its record,
  /// the holder of its unique key and its references: everything but a rule check's lookups.
  /// Read first, they spare a pass that plans every mutation only to learn what it lacks.
  public func reads(for batch: PushBatch, states: [String: TenantState]) -> FeedReads {
    var reads = FeedReads()
    reads.results.reserveCapacity(batch.mutations.count)
    reads.records.reserveCapacity(batch.mutations.count)
    reads.clients.insert(batch.clientID)
    if states[batch.tenantID] == nil { reads.tenants.insert(batch.tenantID) }
    for mutation in batch.mutations {
      reads.results.insert(MutationKey(clientID: batch.clientID, mutationID: mutation.mutationID))
      switch mutation.change {
      case .rejected:
        continue
      case .delete:
        reads.records.insert(RecordKey(tenantID: batch.tenantID, kind: mutation.kind, id: mutation.recordID))
      case .put:
        reads.records.insert(RecordKey(tenantID: batch.tenantID, kind: mutation.kind, id: mutation.recordID))
        if let key = mutation.uniqueKey {
          reads.keyHolders.insert(UniqueKeySlot(tenantID: batch.tenantID, kind: mutation.kind, key: key))
        }
        for reference in mutation.references {
          reads.records.insert(RecordKey(tenantID: reference.tenantID ?? batch.tenantID, kind: reference.kind, id: reference.id))
        }
      }
    }
    return reads
  }
}

/// One pass over a push. A read the snapshot lacks is noted in `missing` and taken as absent, so
/// that one pass names everything it can see it needs; a pass with anything missing is discarded.
private struct Planning {
  let batch: PushBatch
  let snapshot: FeedSnapshot
  var missing = FeedReads()
  /// This push's own writes, read before the snapshot: versions by record, and unique keys.
  var written: [RecordKey: (record: StoredRecord, uniqueKey: String?)] = [:]
  /// The record of this push that last claimed each unique key.
  var claimed: [UniqueKeySlot: String] = [:]
  var answered: [MutationKey: Data] = [:]

  init(batch: PushBatch, snapshot: FeedSnapshot) {
    self.batch = batch
    self.snapshot = snapshot
    self.written.reserveCapacity(batch.mutations.count)
    self.answered.reserveCapacity(batch.mutations.count)
  }

  // MARK: Reads

  mutating func clientOwner(_ clientID: String) -> String? {
    guard let owner = self.snapshot.clientOwners[clientID] else {
      self.missing.clients.insert(clientID)
      return nil
    }
    return owner
  }

  mutating func tenantState(_ tenantID: String) -> TenantState? {
    guard let state = self.snapshot.tenantStates[tenantID] else {
      self.missing.tenants.insert(tenantID)
      return nil
    }
    return state
  }

  mutating func storedResult(_ key: MutationKey) -> Data? {
    if let answer = self.answered[key] { return answer }
    guard let stored = self.snapshot.results[key] else {
      self.missing.results.insert(key)
      return nil
    }
    return stored
  }

  mutating func current(_ key: RecordKey) -> StoredRecord? {
    if let written = self.written[key] { return written.record }
    guard let record = self.snapshot.records[key] else {
      self.missing.records.insert(key)
      return nil
    }
    return record
  }

  /// The live record of another id that holds `key`.
  mutating func keyHolder(_ slot: UniqueKeySlot, excluding id: String) -> StoredRecord? {
    func rewritten(_ holder: String) -> (record: StoredRecord, uniqueKey: String?)? {
      self.written[RecordKey(tenantID: slot.tenantID, kind: slot.kind, id: holder)]
    }
    // A record this push wrote holds the key while its newest version does.
    if let mine = self.claimed[slot], mine != id, let version = rewritten(mine), version.uniqueKey == slot.key {
      return version.record
    }
    guard let stored = self.snapshot.keyHolders[slot] else {
      self.missing.keyHolders.insert(slot)
      return nil
    }
    guard let holder = stored, holder != id else { return nil }
    if let version = rewritten(holder) {
      return version.uniqueKey == slot.key ? version.record : nil
    }
    return self.current(RecordKey(tenantID: slot.tenantID, kind: slot.kind, id: holder))
  }

  // MARK: The algorithm

  mutating func run(states: [String: TenantState]) -> PlannedPush {
    let batch = self.batch
    var writes: [FeedWrite] = []
    let owner = self.clientOwner(batch.clientID)
    if let owner {
      guard owner == batch.officeID else {
        return PlannedPush(outcome: .failure(GongjianError(
          .permissionDenied, "client_id \(batch.clientID) is bound to another office; each installation needs its own client_id"
        )), writes: [], state: nil)
      }
    } else {
      writes.append(.bindClient(clientID: batch.clientID, officeID: batch.officeID, at: batch.receivedAt))
    }
    let known = states[batch.tenantID] ?? self.tenantState(batch.tenantID)
    if known == nil && self.missing.tenants.isEmpty {
      return PlannedPush(outcome: .failure(GongjianError(.notFound, "tenant \(batch.tenantID) does not exist")), writes: [], state: nil)
    }
    // Until the state is read, a stand-in lets this pass name the other reads it needs.
    let before = known ?? TenantState(head: 0, checksum: 0, live: 0, auditCount: 0, auditHead: Data(), bytes: 0)
    var state = before
    var results: [Gongjian_V1_MutationResult] = []
    var committed: [StoredRecord] = []
    results.reserveCapacity(batch.mutations.count)
    for mutation in batch.mutations {
      let mutationKey = MutationKey(clientID: batch.clientID, mutationID: mutation.mutationID)
      if let stored = self.storedResult(mutationKey) {
        guard var replay = try? Gongjian_V1_MutationResult(serializedBytes: stored) else {
          return PlannedPush(outcome: .failure(GongjianError(
            .internalError, "the stored answer of mutation \(mutation.mutationID) cannot be read"
          )), writes: [], state: nil)
        }
        replay.replayed = true
        results.append(replay)
        continue
      }
      var result = Gongjian_V1_MutationResult()
      result.mutationID = mutation.mutationID
      // Over the stored-bytes quota: refused now, not remembered, so a retry after room is made works.
      var remembered = true
      switch mutation.change {
      case .rejected(let rejected):
        result.rejected = rejected
      case .put, .delete:
        let key = RecordKey(tenantID: batch.tenantID, kind: mutation.kind, id: mutation.recordID)
        let current = self.current(key)
        if let conflict = Self.conflict(of: mutation, with: current) {
          var answer = Gongjian_V1_MutationResult.Conflict()
          answer.message = conflict
          if let current { answer.current = current.proto }
          result.conflict = answer
        } else if let violations = self.violations(of: mutation, over: current) {
          result.rejected = .invalid(code: .failedPrecondition, violations)
        } else if let holder = self.uniqueKeyHolder(of: mutation) {
          result.conflict = .with {
            $0.current = holder.proto
            $0.message = "\(mutation.kind) \(holder.id) already holds this key (\(mutation.uniqueKey ?? "")): update it with base_version \(holder.version)"
          }
        } else if let refusal = Self.overQuota(mutation, over: current, batch: batch, state: state) {
          result.rejected = refusal
          remembered = false
        } else {
          let record = self.write(mutation, over: current, state: &state, writes: &writes)
          committed.append(record)
          result.applied = .with {
            $0.version = record.version
            $0.sequence = record.sequence
            $0.warnings = mutation.warnings.map { warning in .with { $0.field = warning.field; $0.description_p = warning.description } }
          }
        }
      }
      if remembered {
        let bytes = (try? result.serializedBytes() as Data) ?? Data()
        self.answered[mutationKey] = bytes
        writes.append(.result(mutationKey, tenantID: batch.tenantID, result: bytes, at: batch.receivedAt))
      }
      results.append(result)
    }
    let everyApplied = results.allSatisfy { if case .applied = $0.outcome { true } else { false } }
    if batch.atomic && !everyApplied {
      // Not every mutation applied: nothing is written, and no answer is kept for replay.
      return PlannedPush(
        outcome: .success(PushOutcome(results: Self.rolledBack(results), writeCheckpoint: before.head, committed: [])),
        writes: [], state: before
      )
    }
    return PlannedPush(outcome: .success(PushOutcome(results: results, writeCheckpoint: state.head, committed: committed)), writes: writes, state: state)
  }

  /// The answers of an atomic batch that was rolled back: each mutation that would have been
  /// applied is refused (ABORTED), naming the mutation that was not.
  static func rolledBack(_ results: [Gongjian_V1_MutationResult]) -> [Gongjian_V1_MutationResult] {
    let failed = results.firstIndex { if case .applied = $0.outcome { false } else { true } } ?? 0
    return results.map { result in
      guard case .applied = result.outcome else { return result }
      var refused = result
      refused.replayed = false
      refused.rejected = .with {
        $0.code = GongjianError.Code.aborted.status
        $0.message = "not applied: this push is atomic and mutations[\(failed)] was not applied"
      }
      return refused
    }
  }

  /// Violations of references (to live records) and of the kind's checks.
  mutating func violations(of mutation: PushBatch.Mutation, over current: StoredRecord?) -> [GongjianError.FieldViolation]? {
    guard case .put = mutation.change else { return nil }
    var violations: [GongjianError.FieldViolation] = []
    for reference in mutation.references {
      let tenant = reference.tenantID ?? self.batch.tenantID
      let record = self.current(RecordKey(tenantID: tenant, kind: reference.kind, id: reference.id))
      if record == nil || record?.deleted == true {
        violations.append(.init(field: reference.field, description: "no \(reference.kind) \(reference.id) in tenant \(tenant)"))
      }
    }
    if let check = mutation.check {
      let live = current.flatMap { $0.deleted ? nil : $0.payload }
      let tenantID = self.batch.tenantID
      // What the check asks for and the snapshot lacks is noted, and read before the next pass.
      violations += check(live) { kind, id in
        self.current(RecordKey(tenantID: tenantID, kind: kind, id: id.lowercased())).flatMap { $0.deleted ? nil : $0.payload }
      }
    }
    return violations.isEmpty ? nil : violations
  }

  mutating func uniqueKeyHolder(of mutation: PushBatch.Mutation) -> StoredRecord? {
    guard case .put = mutation.change, let key = mutation.uniqueKey else { return nil }
    return self.keyHolder(UniqueKeySlot(tenantID: self.batch.tenantID, kind: mutation.kind, key: key), excluding: mutation.recordID)
  }

  /// Why the mutation's base version does not fit the current record, or `nil` if it does.
  static func conflict(of mutation: PushBatch.Mutation, with current: StoredRecord?) -> String? {
    let isDelete: Bool
    if case .delete = mutation.change { isDelete = true } else { isDelete = false }
    guard let current else {
      if mutation.baseVersion != 0 {
        return "record \(mutation.kind)/\(mutation.recordID) does not exist; base_version must be 0 to create it"
      }
      return isDelete ? "record \(mutation.kind)/\(mutation.recordID) does not exist; nothing to delete" : nil
    }
    if mutation.baseVersion != current.version {
      return "base_version \(mutation.baseVersion) is stale: record \(mutation.kind)/\(mutation.recordID) is at version \(current.version)"
    }
    if isDelete && current.deleted {
      return "record \(mutation.kind)/\(mutation.recordID) is already deleted at version \(current.version)"
    }
    return nil
  }

  /// The refusal of a write that would take the tenant's live records past its stored-bytes quota.
  static func overQuota(
    _ mutation: PushBatch.Mutation, over current: StoredRecord?, batch: PushBatch, state: TenantState
  ) -> Gongjian_V1_MutationResult.Rejected? {
    guard batch.storedBytesQuota > 0, case .put(let data) = mutation.change else { return nil }
    let growth = Int64(data.count) - Int64(current.map { $0.deleted ? 0 : $0.payload.count } ?? 0)
    guard growth > 0, state.bytes + growth > batch.storedBytesQuota else { return nil }
    return .with {
      $0.code = GongjianError.Code.resourceExhausted.status
      $0.message = "tenant \(batch.tenantID) stores \(state.bytes) bytes of live records; this write (\(growth) more) would pass its quota of \(batch.storedBytesQuota) bytes"
      $0.violations = [.with { $0.field = "payload"; $0.description_p = "over the tenant's stored-bytes quota of \(batch.storedBytesQuota)" }]
    }
  }

  /// The new version: its sequence, the tenant's counters, its rows and its audit entry.
  mutating func write(
    _ mutation: PushBatch.Mutation, over current: StoredRecord?, state: inout TenantState, writes: inout [FeedWrite]
  ) -> StoredRecord {
    let payload: Data
    let deleted: Bool
    switch mutation.change {
    case .put(let data): (payload, deleted) = (data, false)
    case .delete: (payload, deleted) = (Data(), true)
    case .rejected: preconditionFailure("rejected mutations are never written")
    }
    state.head += 1
    let record = StoredRecord(
      tenantID: self.batch.tenantID, kind: mutation.kind, id: mutation.recordID,
      version: (current?.version ?? 0) + 1, sequence: state.head, deleted: deleted,
      payload: payload, officeID: self.batch.officeID, updatedAt: self.batch.receivedAt
    )
    if let current, !current.deleted {
      state.checksum &-= RecordChecksum.hash(kind: current.kind, id: current.id, version: current.version)
      state.live -= 1
      state.bytes -= Int64(current.payload.count)
    }
    if !deleted {
      state.checksum &+= RecordChecksum.hash(kind: record.kind, id: record.id, version: record.version)
      state.live += 1
      state.bytes += Int64(payload.count)
    }
    let uniqueKey = deleted ? nil : mutation.uniqueKey
    self.written[RecordKey(tenantID: record.tenantID, kind: record.kind, id: record.id)] = (record, uniqueKey)
    if let uniqueKey { self.claimed[UniqueKeySlot(tenantID: record.tenantID, kind: record.kind, key: uniqueKey)] = record.id }
    let entry = AuditEntry(
      tenantID: record.tenantID, number: state.auditCount + 1, at: record.updatedAt.timeIntervalSince1970,
      officeID: record.officeID,
      action: deleted ? "delete" : (current == nil || current!.deleted ? "create" : "update"),
      kind: record.kind, recordID: record.id, version: Int64(record.version), sequence: Int64(record.sequence),
      payloadSHA256: Data(SHA256.hash(data: payload)), previousHash: state.auditHead
    )
    // A pass that lacks a read is discarded: its chain hashes (SHA-256) would be thrown away.
    let hash = self.missing.isEmpty ? entry.hash : Data()
    state.auditCount = entry.number
    state.auditHead = hash
    writes.append(.change(record))
    writes.append(.record(record, uniqueKey: uniqueKey))
    writes.append(.audit(entry, hash: hash))
    return record
  }
}
