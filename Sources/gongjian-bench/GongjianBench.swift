import ArgumentParser
import Foundation
import GongjianClient
import GongjianProtocol
import Synchronization

/// `gongjian-bench`: load generator on `GongjianClient` (mutual TLS) for `bench/run`.
/// Prints one JSON object per run on stdout.
@main
struct GongjianBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gongjian-bench",
    abstract: "Load generator for Gongjian benchmarks (mutual TLS, real gRPC).",
    subcommands: [Unary.self, PushLoad.self, Seed.self, PullAll.self, MirrorSync.self, Ready.self, FanOut.self, Connections.self, Handshakes.self, Greeter.self, InProcessGreeter.self]
  )
}

struct Target: ParsableArguments {
  @Option(help: "HOST:PORT") var server: String
  @Option(help: "Credential folder.") var credentials: String
}

/// Latencies in microseconds, shared by the load tasks.
final class Recorder: Sendable {
  private let samples = Mutex<[Double]>([])

  func add(_ micros: Double) { self.samples.withLock { $0.append(micros) } }
  func add(contentsOf values: [Double]) { self.samples.withLock { $0.append(contentsOf: values) } }
  var count: Int { self.samples.withLock { $0.count } }

  func summary() -> (count: Int, p50: Double, p99: Double, max: Double) {
    let sorted = self.samples.withLock { $0.sorted() }
    guard !sorted.isEmpty else { return (0, 0, 0, 0) }
    func at(_ q: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] }
    return (sorted.count, at(0.5), at(0.99), sorted.last!)
  }
}

func micros(_ duration: Duration) -> Double {
  Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) / 1e12
}

func emit(_ object: [String: Any]) {
  let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
  FileHandle.standardOutput.write(data + Data("\n".utf8))
}

/// Runs `connections` clients, each with `streams` concurrent loops of `call`, for `seconds`.
func load(
  target: Target, connections: Int, streams: Int, seconds: Double,
  call: @escaping @Sendable (GongjianClient, Int) async throws -> Int
) async throws -> (units: Int, elapsed: Double, recorder: Recorder) {
  let credentials = try ClientCredentials(folder: target.credentials)
  let recorder = Recorder()
  let units = Counter()
  let clock = ContinuousClock()
  let start = clock.now
  let deadline = start + .milliseconds(Int(seconds * 1000))
  try await withThrowingTaskGroup(of: Void.self) { group in
    for connection in 0..<connections {
      group.addTask {
        try await GongjianClient.withClient(server: target.server, credentials: credentials) { client in
          try await withThrowingTaskGroup(of: Void.self) { inner in
            for stream in 0..<streams {
              inner.addTask {
                var local: [Double] = []
                var done = 0
                while clock.now < deadline {
                  let t0 = clock.now
                  done += try await call(client, connection * streams + stream)
                  local.append(micros(clock.now - t0))
                }
                recorder.add(contentsOf: local)
                units.add(done)
              }
            }
            try await inner.waitForAll()
          }
        }
      }
    }
    try await group.waitForAll()
  }
  return (units.value, micros(clock.now - start) / 1e6, recorder)
}

struct Unary: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "whoami under load.")
  @OptionGroup var target: Target
  @Option var connections = 16
  @Option var streams = 10
  @Option var seconds = 10.0

  func run() async throws {
    let (count, elapsed, recorder) = try await load(target: self.target, connections: self.connections, streams: self.streams, seconds: self.seconds) { client, _ in
      _ = try await client.whoAmI()
      return 1
    }
    let s = recorder.summary()
    emit(["scenario": "unary", "connections": self.connections, "streams": self.streams, "rpcs": count, "seconds": elapsed,
          "rps": Double(count) / elapsed, "p50_us": s.p50, "p99_us": s.p99])
  }
}

/// How the bench names the records it writes and their mutations.
enum IDScheme: String, ExpressibleByArgument, CaseIterable {
  /// As the client library does: time-ordered record ids (``RecordID``), mutation ids derived
  /// from the content and led by the record's time (``MutationDocument``).
  case library
  /// Random version-4 UUIDs for both, as a client that picks its own may.
  case random
}

/// A new park of about `bytes` bytes. Its name carries its record id: a tenant's parks have
/// distinct names (the kind's unique key), so a name repeated across pushes would conflict.
func park(_ n: Int, bytes: Int, ids: IDScheme = .library) -> Gongjian_V1_Mutation {
  let id = ids == .library ? RecordID.make() : UUID().uuidString.lowercased()
  let padding = String(repeating: "园", count: max(0, (bytes - 96) / 3))
  let park = Gongjian_V1_Park.with {
    $0.name = "基准园区 \(id) \(padding)"
    $0.hostCounty = "宿城区"
    $0.suzhouPartner = "苏州工业园区"
  }
  let payload: Data = try! park.serializedBytes()
  switch ids {
  case .library:
    return MutationDocument.mutation(kind: "park", id: id, baseVersion: 0, payload: payload)
  case .random:
    return .with {
      $0.mutationID = UUID().uuidString
      $0.kind = "park"
      $0.recordID = id
      $0.payload = RecordKind.park.pack(serialized: payload)
    }
  }
}

struct PushLoad: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "push", abstract: "Durable pushes under load.")
  @OptionGroup var target: Target
  @Option var tenant = "city"
  @Option var clients = 16
  @Option var batch = 1
  @Option var payloadBytes = 200
  @Option var seconds = 10.0
  @Option(help: "Record and mutation ids: \(IDScheme.allCases.map(\.rawValue).joined(separator: " or ")).") var ids = IDScheme.library

  func run() async throws {
    let (records, elapsed, recorder) = try await load(target: self.target, connections: self.clients, streams: 1, seconds: self.seconds) { client, worker in
      let mutations = (0..<self.batch).map { park($0, bytes: self.payloadBytes, ids: self.ids) }
      let response = try await client.push(tenantID: self.tenant, clientID: "bench-\(worker)-\(ProcessInfo.processInfo.processIdentifier)", mutations: mutations)
      return response.results.filter { if case .applied = $0.outcome { return true } else { return false } }.count
    }
    let s = recorder.summary()
    emit(["scenario": "push", "clients": self.clients, "batch": self.batch, "ids": self.ids.rawValue, "records": records, "seconds": elapsed,
          "records_per_s": Double(records) / elapsed, "pushes": s.count, "p50_ack_us": s.p50, "p99_ack_us": s.p99])
  }
}

struct Seed: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Push N records (batches of 500 from 4 clients).")
  @OptionGroup var target: Target
  @Option var tenant = "city"
  @Option var records = 100_000
  @Option var payloadBytes = 200

  func run() async throws {
    let credentials = try ClientCredentials(folder: self.target.credentials)
    let perClient = self.records / 4
    let start = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
      for worker in 0..<4 {
        group.addTask {
          try await GongjianClient.withClient(server: self.target.server, credentials: credentials) { client in
            var left = perClient
            while left > 0 {
              let n = min(500, left)
              _ = try await client.push(tenantID: self.tenant, clientID: "seed-\(worker)-\(UUID().uuidString)", mutations: (0..<n).map { park($0, bytes: self.payloadBytes) })
              left -= n
            }
          }
        }
      }
      try await group.waitForAll()
    }
    let seconds = micros(ContinuousClock.now - start) / 1e6
    emit(["scenario": "seed", "records": perClient * 4, "seconds": seconds, "records_per_s": Double(perClient * 4) / seconds])
  }
}

struct PullAll: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "pull", abstract: "Pull a tenant from scratch, counting records and bytes.")
  @OptionGroup var target: Target
  @Option var tenant = "city"
  @Option var pageSize: UInt32 = 5000
  @Option(help: "The server's process id, to report its CPU over the timed pull alone.") var serverPid: Int32?

  func run() async throws {
    let credentials = try ClientCredentials(folder: self.target.credentials)
    // Timed: pull and decode only. The wire size is counted afterwards, by a second pass that
    // re-encodes the pages, so that encoding does not count as pull time or client CPU.
    let start = ContinuousClock.now
    let cpuStart = processCPUSeconds()
    let serverStart = try self.serverPid.map { try processCPUSeconds(pid: $0) }
    let (records, cursors) = try await GongjianClient.withClient(server: self.target.server, credentials: credentials) { client in
      var cursor: UInt64 = 0
      var cursors: [UInt64] = []
      var records = 0
      while true {
        cursors.append(cursor)
        let page = try await client.pull(tenantID: self.tenant, cursor: cursor, pageSize: self.pageSize)
        records += page.records.count
        cursor = page.nextCursor
        if !page.more { break }
      }
      return (records, cursors)
    }
    let seconds = micros(ContinuousClock.now - start) / 1e6
    let clientCPU = processCPUSeconds() - cpuStart
    let serverCPU = try serverStart.map { try processCPUSeconds(pid: self.serverPid!) - $0 }
    let bytes = try await GongjianClient.withClient(server: self.target.server, credentials: credentials) { client in
      var bytes = 0
      for cursor in cursors {
        let page = try await client.pull(tenantID: self.tenant, cursor: cursor, pageSize: self.pageSize)
        bytes += (try page.serializedBytes() as [UInt8]).count
      }
      return bytes
    }
    var line: [String: Any] = [
      "scenario": "pull", "records": records, "bytes": bytes, "seconds": seconds, "client_cpu_s": clientCPU,
      "records_per_s": Double(records) / seconds, "mb_per_s": Double(bytes) / seconds / 1e6,
    ]
    if let serverCPU { line["server_cpu_s"] = serverCPU }
    emit(line)
  }
}

struct Ready: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Retry whoami until it succeeds; print the wall-clock time (ns) of the first success.")
  @OptionGroup var target: Target
  @Option var timeout = 60.0

  func run() async throws {
    let credentials = try ClientCredentials(folder: self.target.credentials)
    let deadline = Date().addingTimeInterval(self.timeout)
    while Date() < deadline {
      do {
        _ = try await GongjianClient.withClient(server: self.target.server, credentials: credentials) { try await $0.whoAmI() }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        emit(["ready_ns": Int(now.tv_sec) * 1_000_000_000 + now.tv_nsec])
        return
      } catch {
        try await Task.sleep(for: .milliseconds(2))
      }
    }
    throw ExitCode(1)
  }
}

/// CPU seconds (user and system) this process has used.
func processCPUSeconds() -> Double {
  var usage = rusage()
  getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
  return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// CPU seconds (user and system) another process has used, from `/proc/<pid>/stat`.
func processCPUSeconds(pid: Int32) throws -> Double {
  let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
  // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
  guard let close = stat.lastIndex(of: ")") else { throw ValidationError("unreadable /proc/\(pid)/stat") }
  let fields = stat[stat.index(after: close)...].split(separator: " ")
  guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else {
    throw ValidationError("unreadable /proc/\(pid)/stat")
  }
  return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// A shared counter.
final class Counter: Sendable {
  private let atomic = Atomic<Int>(0)
  var value: Int { self.atomic.load(ordering: .relaxed) }
  func add(_ n: Int) { self.atomic.add(n, ordering: .relaxed) }
}

struct FanOut: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fanout",
    abstract: "Many live subscribers on one tenant while a writer commits at a fixed rate; commit-to-delivery latency."
  )
  @OptionGroup var target: Target
  @Option var tenant = "city"
  @Option var subscribers = 1000
  @Option var connections = 8
  @Option var rate = 100
  @Option var seconds = 10.0

  func run() async throws {
    let credentials = try ClientCredentials(folder: self.target.credentials)
    let head = try await GongjianClient.withClient(server: self.target.server, credentials: credentials) {
      try await $0.pull(tenantID: self.tenant, cursor: 0, pageSize: 1).checkpoint.headSequence
    }
    let recorder = Recorder()
    let live = Counter()
    let pushed = Counter()
    let offered = Counter()
    let perConnection = (self.subscribers + self.connections - 1) / self.connections
    try await withThrowingTaskGroup(of: Void.self) { group in
      for connection in 0..<self.connections {
        let count = min(perConnection, self.subscribers - connection * perConnection)
        guard count > 0 else { continue }
        group.addTask {
          try await GongjianClient.withClient(server: self.target.server, credentials: credentials) { client in
            try await withThrowingTaskGroup(of: Void.self) { streams in
              for _ in 0..<count {
                streams.addTask {
                  let caughtUp = Counter()
                  do {
                    try await client.subscribe(tenantID: self.tenant, cursor: head) { event in
                      if case .heartbeat(let beat) = event.event, beat.caughtUp, caughtUp.value == 0 {
                        caughtUp.add(1)
                        live.add(1)
                      }
                      let now = Date()
                      recorder.add(contentsOf: event.changes.records.map { now.timeIntervalSince($0.updatedAt.date) * 1e6 })
                      return true
                    }
                  } catch {
                    // Cancelled at the end of the run.
                  }
                }
              }
              try await streams.waitForAll()
            }
          }
        }
      }
      // Wait until every subscriber is live, then write at the fixed rate.
      let waitDeadline = ContinuousClock.now + .seconds(60)
      while live.value < self.subscribers && ContinuousClock.now < waitDeadline {
        try await Task.sleep(for: .milliseconds(50))
      }
      // Open loop: each push starts on schedule whether or not earlier ones were acknowledged, so
      // the offered rate does not fall to what one writer's round trips allow.
      try await GongjianClient.withClient(server: self.target.server, credentials: credentials) { client in
        try await withThrowingTaskGroup(of: Void.self) { writes in
          let interval = Duration.microseconds(1_000_000 / self.rate)
          let writer = "fanout-writer-\(ProcessInfo.processInfo.processIdentifier)"
          var next = ContinuousClock.now
          let end = next + .milliseconds(Int(self.seconds * 1000))
          var n = 0
          while ContinuousClock.now < end {
            let mutation = park(n, bytes: 200)
            writes.addTask {
              _ = try await client.push(tenantID: self.tenant, clientID: writer, mutations: [mutation])
              pushed.add(1)
            }
            n += 1
            next += interval
            try await Task.sleep(until: next, clock: .continuous)
          }
          offered.add(n)
          try await writes.waitForAll()
        }
      }
      // Let the last deliveries arrive (a late one counts in the latencies, not as missing), then
      // end the subscriptions.
      let expected = pushed.value * self.subscribers
      let drainDeadline = ContinuousClock.now + .seconds(30)
      while recorder.count < expected && ContinuousClock.now < drainDeadline {
        try await Task.sleep(for: .milliseconds(50))
      }
      group.cancelAll()
    }
    let s = recorder.summary()
    emit(["scenario": "fanout", "subscribers": self.subscribers, "live": live.value, "connections": self.connections,
          "offered": offered.value, "commits": pushed.value, "deliveries": s.count, "expected_deliveries": pushed.value * self.subscribers,
          "p50_ms": s.p50 / 1000, "p99_ms": s.p99 / 1000, "max_ms": s.max / 1000])
  }
}
