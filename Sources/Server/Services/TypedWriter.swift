internal import Foundation
internal import GongjianProtocol
internal import SwiftProtobuf

/// Writes typed records through the sync engine's one write path, for the typed services, and
/// turns answers other than "applied" into errors that name the payload's fields.
struct TypedWriter: Sendable {
  /// One write.
  struct Write {
    var kind: RecordKind
    var id: String
    var baseVersion: UInt64
    /// What is written; nil deletes.
    var payload: Payload?
    var requestID: String = ""

    init(kind: RecordKind, id: String, baseVersion: UInt64, payload: (any SwiftProtobuf.Message)?, requestID: String = "") {
      self.kind = kind
      self.id = id
      self.baseVersion = baseVersion
      self.payload = payload.map { .message($0) }
      self.requestID = requestID
    }

    /// A write of an already serialized payload (as it arrived), encoded once.
    init(kind: RecordKind, id: String, baseVersion: UInt64, serialized: Data, requestID: String) {
      self.kind = kind
      self.id = id
      self.baseVersion = baseVersion
      self.payload = .serialized(serialized)
      self.requestID = requestID
    }
  }

  /// A payload to write.
  enum Payload {
    case message(any SwiftProtobuf.Message)
    case serialized(Data)
  }

  let engine: SyncEngine
  let store: any GongjianStore

  /// Pushes the writes in one push, atomic when there are several: all are applied or none is.
  /// Throws for the write that was not applied (not for those only refused because of it).
  @discardableResult
  func write(_ writes: [Write], tenantID: String, caller: Caller) async throws -> [StoredRecord] {
    try await self.written(writes, tenantID: tenantID, caller: caller).map(\.record)
  }

  /// As ``write(_:tenantID:caller:)``, with each write's warnings (values outside their
  /// plausible range).
  func written(_ writes: [Write], tenantID: String, caller: Caller) async throws -> [(record: StoredRecord, warnings: [String])] {
    var mutations: [Gongjian_V1_Mutation] = []
    for write in writes {
      var mutation = Gongjian_V1_Mutation()
      mutation.mutationID = write.requestID.isEmpty ? UUID().uuidString : write.requestID
      mutation.kind = write.kind.name
      mutation.recordID = write.id
      mutation.baseVersion = write.baseVersion
      switch write.payload {
      case .message(let message)?:
        mutation.payload = write.kind.pack(serialized: try message.serializedBytes())
      case .serialized(let data)?:
        mutation.payload = write.kind.pack(serialized: data)
      case nil:
        mutation.delete = true
      }
      mutations.append(mutation)
    }
    let response = try await self.engine.push(
      .with {
        $0.tenantID = tenantID
        $0.clientID = "rpc:\(caller.office.id)"
        $0.mutations = mutations
        $0.atomic = writes.count > 1
      },
      caller: caller
    )
    // The cause first: an atomic push refuses the others with ABORTED because of it.
    func abortedOnly(_ result: Gongjian_V1_MutationResult) -> Bool {
      if case .rejected(let rejected) = result.outcome { rejected.code == GongjianError.Code.aborted.status } else { false }
    }
    let pairs = Array(zip(writes, response.results))
    let answers = pairs.filter { !abortedOnly($0.1) } + pairs.filter { abortedOnly($0.1) }
    for (write, result) in answers {
      switch result.outcome {
      case .applied:
        continue
      case .conflict(let conflict):
        throw GongjianError(.aborted, conflict.message)
      case .rejected(let rejected):
        let code = GongjianError.Code(status: rejected.code) ?? .invalidArgument
        let violations = rejected.violations.map {
          GongjianError.FieldViolation(
            field: $0.field.replacingOccurrences(of: #"^mutations\[\d+\]\."#, with: "", options: .regularExpression),
            description: $0.description_p
          )
        }
        let list = violations.map { "\($0.field): \($0.description)" }.joined(separator: "; ")
        throw GongjianError(code, list.isEmpty ? rejected.message : "invalid \(write.kind.name): \(list)", violations: violations)
      case nil:
        throw GongjianError(.internalError, "empty answer for \(write.kind.name) \(write.id)")
      }
    }
    var records: [(record: StoredRecord, warnings: [String])] = []
    for (write, result) in zip(writes, response.results) {
      if let record = try await self.store.record(tenantID: tenantID, kind: write.kind.name, id: write.id.lowercased()) {
        records.append((record, result.applied.warnings.map {
          "\($0.field.replacingOccurrences(of: #"^mutations\[\d+\]\.payload\."#, with: "", options: .regularExpression)): \($0.description_p)"
        }))
      }
    }
    return records
  }

  /// Writes one record.
  func write(_ write: Write, tenantID: String, caller: Caller) async throws -> StoredRecord {
    guard let record = try await self.write([write], tenantID: tenantID, caller: caller).first else {
      throw GongjianError(.internalError, "\(write.kind.name) \(write.id) vanished after the write")
    }
    return record
  }
}
