import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol

/// Queues writes in the mirror's outbox and, with `--wait`, delivers them at once.
enum Outbox {
  /// Queues `mutations` and reports; with `wait`, pushes the tenant's outbox and prints each
  /// write's outcome. The writes of one council move are `atomic`: delivered all or nothing.
  ///
  /// - Returns: The exit status the outcomes call for.
  @discardableResult
  static func submit(
    _ mutations: [(mutation: Gongjian_V1_Mutation, place: String)], tenantID: String, connection: ConnectionOptions, wait: Bool,
    atomic: Bool = false
  ) async throws -> ExitStatus {
    let mirror = try connection.mirror()
    let pending = try mirror.enqueue(mutations.map(\.mutation), tenantID: tenantID, atomic: atomic)
    guard wait else {
      if connection.json {
        for (mutation, place) in mutations {
          printJSON(["place": place, "kind": mutation.kind, "id": mutation.recordID, "mutation_id": mutation.mutationID, "result": "queued"])
        }
      } else {
        printTable(["RECORD", "KIND", "ID", "BASE"], mutations.map { [$0.place, $0.mutation.kind, $0.mutation.recordID, "v\($0.mutation.baseVersion)"] })
      }
      printError("queued (\(pending) pending); `gongjian sync` delivers, or pass --wait")
      return .success
    }
    let tally = try await Self.deliver(tenantID: tenantID, mirror: mirror, connection: connection)
    var worst = ExitStatus.success
    var rows: [[String]] = []
    for (mutation, place) in mutations {
      var outcome = try Self.outcome(of: mutation, tenantID: tenantID, mirror: mirror)
      for warning in tally?.warnings ?? [] where warning.mutationID == mutation.mutationID {
        outcome.text += "; warning: \(warning.field): \(warning.description)"
      }
      if outcome.status.rawValue > worst.rawValue { worst = outcome.status }
      if connection.json {
        printJSON(["place": place, "kind": mutation.kind, "id": mutation.recordID, "mutation_id": mutation.mutationID, "result": outcome.text])
      } else {
        rows.append([place, mutation.kind, mutation.recordID, outcome.text])
      }
    }
    if !connection.json { printTable(["RECORD", "KIND", "ID", "RESULT"], rows) }
    return worst
  }

  /// Pushes the tenant's outbox now and waits for the answers.
  ///
  /// - Returns: The answers' tally (with warnings), or nil when not waiting.
  /// - Throws: ``GongjianClientError`` (`connection`) saying the writes stay queued.
  @discardableResult
  static func deliver(tenantID: String, mirror: Mirror, connection: ConnectionOptions, wait: Bool = true) async throws -> PushTally? {
    guard wait else {
      let pending = try mirror.pending(tenantID: tenantID).count
      printError("queued (\(pending) pending); `gongjian sync` delivers, or pass --wait")
      return nil
    }
    do {
      return try await connection.connect { client in
        let me = try await client.whoAmI()
        return try await Synchronizer(mirror: mirror).push(client: client, tenantID: tenantID, officeID: me.office.id)
      }
    } catch let error as GongjianClientError where error.kind == .connection {
      let pending = try mirror.pending(tenantID: tenantID).count
      throw GongjianClientError(.connection, "\(error.message); queued (\(pending) pending), `gongjian sync` delivers later", cause: error)
    }
  }

  /// What became of a queued write: applied (gone from the outbox), or an open item.
  static func outcome(of mutation: Gongjian_V1_Mutation, tenantID: String, mirror: Mirror) throws -> (text: String, status: ExitStatus) {
    if let entry = try mirror.unresolved(tenantID: tenantID).first(where: { $0.mutationID == mutation.mutationID }) {
      let detail = entry.detail
      if entry.state == .conflict { return ("conflict #\(entry.number): \(detail)", .conflict) }
      return ("rejected #\(entry.number): \(detail)", entry.deniedPermission ? .auth : .rejected)
    }
    if try mirror.pending(tenantID: tenantID).contains(where: { $0.mutationID == mutation.mutationID }) {
      return ("queued", .success)
    }
    let record = try mirror.records(tenantID: tenantID, kind: mutation.kind).first { $0.id == mutation.recordID }
    return (mutation.delete ? "deleted" : "applied v\(record?.version ?? mutation.baseVersion + 1)", .success)
  }
}
