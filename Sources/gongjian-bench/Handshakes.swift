import ArgumentParser
import GongjianClient

/// New connections, each a full mutual-TLS handshake and one `whoami`, then closed.
struct Handshakes: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "New mutual-TLS connections per second (handshake and one whoami each).")
  @OptionGroup var target: Target
  @Option var concurrency = 16
  @Option var seconds = 10.0

  func run() async throws {
    let credentials = try ClientCredentials(folder: self.target.credentials)
    let recorder = Recorder()
    let done = Counter()
    let clock = ContinuousClock()
    let start = clock.now
    let deadline = start + .milliseconds(Int(self.seconds * 1000))
    try await withThrowingTaskGroup(of: Void.self) { group in
      for _ in 0..<self.concurrency {
        group.addTask {
          var local: [Double] = []
          while clock.now < deadline {
            let t0 = clock.now
            _ = try await GongjianClient.withClient(server: self.target.server, credentials: credentials) { try await $0.whoAmI() }
            local.append(micros(clock.now - t0))
          }
          recorder.add(contentsOf: local)
          done.add(local.count)
        }
      }
      try await group.waitForAll()
    }
    let elapsed = micros(clock.now - start) / 1e6
    let s = recorder.summary()
    emit(["scenario": "handshakes", "concurrency": self.concurrency, "rpcs": done.value, "seconds": elapsed,
          "handshakes_per_s": Double(done.value) / elapsed, "p50_us": s.p50, "p99_us": s.p99])
  }
}
