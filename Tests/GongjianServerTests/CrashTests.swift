import Foundation
import GongjianClient
import GongjianProtocol
import Synchronization
import Testing

/// The server binary in a child process.
final class ServerProcess: Sendable {
  let process: Process
  let address: String

  static var binDirectory: URL {
    if let dir = ProcessInfo.processInfo.environment["GONGJIAN_BIN_DIR"] {
      return URL(fileURLWithPath: dir)
    }
    // `swift test` runs the test bundle from the products' folder, whatever the configuration
    // and the triple.
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    if FileManager.default.isExecutableFile(atPath: beside.appendingPathComponent("gongjian-server").path) { return beside }
    let swift = Process()
    swift.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    swift.arguments = ["swift", "build", "--show-bin-path"]
    swift.currentDirectoryURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let output = Pipe()
    swift.standardOutput = output
    try? swift.run()
    swift.waitUntilExit()
    let path = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return URL(fileURLWithPath: path)
  }

  static func run(_ arguments: [String]) throws {
    let process = Process()
    process.executableURL = Self.binDirectory.appendingPathComponent("gongjian-server")
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
  }

  init(dataDirectory: String) throws {
    let process = Process()
    process.executableURL = Self.binDirectory.appendingPathComponent("gongjian-server")
    process.arguments = ["serve", "--data-dir", dataDirectory, "--listen", "127.0.0.1:0", "--log-level", "warning"]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    var text = ""
    let deadline = Date().addingTimeInterval(60)
    while !text.contains("\n"), Date() < deadline {
      let chunk = output.fileHandleForReading.availableData
      if chunk.isEmpty { break }
      text += String(decoding: chunk, as: UTF8.self)
    }
    guard let line = text.split(separator: "\n").first(where: { $0.contains("listening on") }) else {
      process.terminate()
      throw CocoaError(.executableLoad)
    }
    self.process = process
    self.address = String(line.split(separator: " ").last!)
  }

  func kill9() {
    kill(self.process.processIdentifier, SIGKILL)
    self.process.waitUntilExit()
  }

  func stop() {
    self.process.terminate()
    self.process.waitUntilExit()
  }
}

@Suite("Crash safety")
struct CrashTests {
  @Test("Every acknowledged push survives SIGKILL of the server, exactly once")
  func acknowledgedPushesSurviveKill() async throws {
    try await withTemporaryDirectory { url in
      let data = url.path
      try ServerProcess.run(["init", "--dev", "--data-dir", data, "--host", "127.0.0.1"])
      let credentials = try ClientCredentials(folder: url.appendingPathComponent("pki/offices/suqian.commerce").path)
      let server = try ServerProcess(dataDirectory: data)
      let acknowledged = Acknowledged()

      // Four writers push one record per call until the server dies under them.
      await withTaskGroup(of: Void.self) { group in
        for writer in 0..<4 {
          group.addTask {
            try? await GongjianClient.withClient(server: server.address, credentials: credentials) { client in
              for n in 0..<10_000 {
                let id = newID()
                let response = try await client.push(
                  tenantID: "sip-suqian", clientID: "crash-\(writer)",
                  mutations: [putPark(id, base: 0, name: "crash \(writer)-\(n)")]
                )
                if case .applied = response.results.first?.outcome {
                  acknowledged.ids.withLock { $0.append(id) }
                }
              }
            }
          }
        }
        group.addTask {
          while acknowledged.ids.withLock({ $0.count }) < 150 {
            try? await Task.sleep(for: .milliseconds(5))
          }
          server.kill9()
        }
      }

      let restarted = try ServerProcess(dataDirectory: data)
      defer { restarted.stop() }
      let pulled = try await GongjianClient.withClient(server: restarted.address, credentials: credentials) { client in
        var ids: [String] = []
        var cursor: UInt64 = 0
        while true {
          let page = try await client.pull(tenantID: "sip-suqian", cursor: cursor, pageSize: 1000)
          ids += page.records.map(\.id)
          cursor = page.nextCursor
          if !page.more { break }
        }
        return ids
      }
      let acked = acknowledged.ids.withLock { $0 }
      #expect(acked.count >= 150)
      #expect(Set(pulled).count == pulled.count, "no record twice")
      #expect(Set(acked).isSubset(of: Set(pulled)), "every acknowledged record is present")
    }
  }
}

/// Record ids whose push was acknowledged.
final class Acknowledged: Sendable {
  let ids = Mutex<[String]>([])
}
