internal import Dispatch
internal import Foundation
internal import GongjianProtocol
internal import GongjianServer
internal import Logging
internal import Synchronization

/// The push path in process: a sync engine on a SQLite store in a temporary directory with the
/// sample directory, fed one push per input (as a contributor of `sip-suqian`).
final class PushTarget: Sendable {
  static let shared = PushTarget()

  private let engine: SyncEngine
  private let caller: Caller
  private let tenant = "sip-suqian"

  private init() {
    var logger = Logger(label: "fuzz")
    logger.logLevel = .critical
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gongjian-fuzz-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let store = try! SQLiteStore(path: directory.appendingPathComponent("fuzz.sqlite").path, logger: logger)
    let office = DevDirectory.offices.first { $0.id == "suqian.commerce" }!
    Self.blocking {
      for tenant in DevDirectory.tenants { try await store.createTenant(tenant) }
      for office in DevDirectory.offices { try await store.putOffice(office) }
      for entry in DevDirectory.memberships {
        _ = try await store.setMembership(tenantID: entry.tenant, officeID: entry.office, role: entry.role, keyDepartment: entry.keyDepartment)
      }
    }.orCrash("set up the store")
    self.engine = SyncEngine(
      store: store, authorizer: Authorizer(store: store, operatorTenant: "city"), configuration: .defaults, logger: logger
    )
    self.caller = Caller(office: office, certificateSerial: "")
  }

  func run(_ data: Data) {
    guard var request = try? Gongjian_V1_PushRequest(serializedBytes: data) else { return }
    request.tenantID = self.tenant
    request.clientID = "fuzz"
    request.mutations = Array(request.mutations.prefix(20))
    let push = request
    let engine = self.engine
    let caller = self.caller
    let first = Self.blocking { try await engine.push(push, caller: caller) }
    let replay = Self.blocking { try await engine.push(push, caller: caller) }
    switch (first, replay) {
    case (.success(let answer), .success(let again)):
      precondition(answer.results.count == request.mutations.count, "not one answer per mutation")
      // An atomic push that was not applied whole stores nothing: its replay is evaluated again,
      // against the same records, and must answer exactly as the first time.
      let rolledBack = push.atomic && answer.results.contains { if case .applied = $0.outcome { false } else { true } }
      if rolledBack {
        precondition(again.results == answer.results, "an atomic push rolled back answered differently the second time")
        break
      }
      for (result, repeated) in zip(answer.results, again.results) {
        var expected = result
        expected.replayed = true
        // A mutation id repeated within the push answers from the first of them already.
        precondition(repeated == expected || (result.replayed && repeated == result), "a replay answered differently")
      }
    case (.failure(let error), .failure(let again)):
      precondition("\(error)" == "\(again)", "a refused push is refused differently the second time")
    default:
      preconditionFailure("a push and its replay disagree: \(first) / \(replay)")
    }
    self.checkFeed()
  }

  /// Sequences strictly increase up to the head, and the checkpoint's checksum is the sum over
  /// the live records.
  private func checkFeed() {
    let engine = self.engine
    let caller = self.caller
    let tenant = self.tenant
    let pages = Self.blocking { () -> (records: [Gongjian_V1_Record], checkpoint: Gongjian_V1_Checkpoint) in
      var records: [Gongjian_V1_Record] = []
      var cursor: UInt64 = 0
      while true {
        let page = try await engine.pull(.with { $0.tenantID = tenant; $0.cursor = cursor; $0.pageSize = 5000 }, caller: caller)
        records += page.records
        cursor = page.nextCursor
        if !page.more { return (records, page.checkpoint) }
      }
    }.orCrash("pull the feed")
    var last: UInt64 = 0
    var live: [String: Gongjian_V1_Record] = [:]
    for record in pages.records {
      precondition(record.sequence > last, "sequences do not increase: \(record.sequence) after \(last)")
      last = record.sequence
      live["\(record.kind)/\(record.id)"] = record
    }
    precondition(last == pages.checkpoint.headSequence, "the head \(pages.checkpoint.headSequence) is not the last sequence \(last)")
    let checksum = RecordChecksum.checksum(of: live.values.filter { !$0.deleted }.map { ($0.kind, $0.id, $0.version) })
    precondition(checksum == pages.checkpoint.checksum, "the checkpoint's checksum does not match the live records")
  }

  /// Runs async work from libFuzzer's synchronous callback, on a thread of its own.
  static func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) -> Result<T, any Error> {
    let outcome = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
      let result: Result<T, any Error>
      do { result = .success(try await body()) } catch { result = .failure(error) }
      outcome.withLock { $0 = result }
      done.signal()
    }
    done.wait()
    return outcome.withLock { $0! }
  }
}

extension Result {
  fileprivate func orCrash(_ what: String) -> Success {
    switch self {
    case .success(let value): return value
    case .failure(let error): preconditionFailure("could not \(what): \(error)")
    }
  }
}
