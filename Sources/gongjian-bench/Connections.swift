import ArgumentParser
import Foundation
import GongjianClient

/// Opens `count` mutual-TLS connections, each making one `whoami` and then staying idle, and
/// reports the server's resident memory before and after (from `/proc/<server-pid>/status`).
struct Connections: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Memory per idle mutual-TLS connection, and the rate at which they open.")
  @OptionGroup var target: Target
  @Option var count = 1000
  @Option(help: "Connections being opened at once.") var concurrency = 32
  @Option(help: "The server's process id, to read its resident memory.") var serverPid: Int32
  @Option(help: "Seconds to hold the idle connections before measuring.") var settle = 2.0
  @Flag(help: "Send the server SIGUSR1 before opening and after settling (bench/run's allocation report).") var signalServer = false

  func run() async throws {
    let credentials = try ClientCredentials(folder: self.target.credentials)
    let before = try residentBytes(of: self.serverPid)
    if self.signalServer { kill(self.serverPid, SIGUSR1) }
    let opened = Counter()
    let release = AsyncStream<Void>.makeStream()
    let clock = ContinuousClock()
    let start = clock.now
    let (openedAt, after) = try await withThrowingTaskGroup(of: Void.self) { group in
      // A semaphore of `concurrency` slots: a slot frees when a connection's first call returns.
      let slots = AsyncStream<Void>.makeStream()
      for _ in 0..<self.concurrency { slots.continuation.yield() }
      var slotIterator = slots.stream.makeAsyncIterator()
      for _ in 0..<self.count {
        _ = await slotIterator.next()
        group.addTask {
          try await GongjianClient.withClient(server: self.target.server, credentials: credentials) { client in
            _ = try await client.whoAmI()
            opened.add(1)
            slots.continuation.yield()
            for await _ in release.stream {}
          }
        }
      }
      while opened.value < self.count {
        try await Task.sleep(for: .milliseconds(5))
      }
      let openedAt = clock.now
      try await Task.sleep(for: .milliseconds(Int(self.settle * 1000)))
      let after = try residentBytes(of: self.serverPid)
      if self.signalServer { kill(self.serverPid, SIGUSR1) }
      release.continuation.finish()
      try await group.waitForAll()
      return (openedAt, after)
    }
    let seconds = micros(openedAt - start) / 1e6
    emit([
      "scenario": "connections", "connections": self.count, "concurrency": self.concurrency, "open_seconds": seconds,
      "connections_per_s": Double(self.count) / seconds, "server_rss_before": before, "server_rss_after": after,
      "bytes_per_connection": Double(after - before) / Double(self.count),
    ])
  }
}

/// Resident set size of a process, in bytes.
func residentBytes(of pid: Int32) throws -> Int {
  let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
  guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
    let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
  else { throw ValidationError("no VmRSS in /proc/\(pid)/status") }
  return kib * 1024
}
