import Foundation
import GongjianClient
import GongjianProtocol
import GongjianServer
import GRPCCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A raw TCP connection that never speaks: what a handshake-stalling attacker holds.
final class StalledConnection {
  let fd: Int32

  /// Connects from `source` (any 127.0.0.0/8 address works on Linux loopback) to `address`.
  init(from source: String, to address: String) throws {
    let colon = address.lastIndex(of: ":")!
    let host = String(address[..<colon])
    let port = UInt16(address[address.index(after: colon)...])!
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EMFILE) }
    var local = sockaddr_in()
    local.sin_family = sa_family_t(AF_INET)
    inet_pton(AF_INET, source, &local.sin_addr)
    var remote = sockaddr_in()
    remote.sin_family = sa_family_t(AF_INET)
    remote.sin_port = port.bigEndian
    inet_pton(AF_INET, host, &remote.sin_addr)
    let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    let connected = withUnsafePointer(to: &remote) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard bound == 0, connected == 0 else {
      close(fd)
      throw POSIXError(.ECONNREFUSED)
    }
    self.fd = fd
  }

  /// Whether the server closed the connection, waiting at most `timeout`.
  func closedByServer(within timeout: Duration) -> Bool {
    var descriptor = pollfd(fd: self.fd, events: Int16(POLLIN), revents: 0)
    let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
    guard poll(&descriptor, 1, milliseconds) == 1 else { return false }
    var byte: UInt8 = 0
    return recv(self.fd, &byte, 1, Int32(MSG_DONTWAIT)) <= 0
  }

  deinit { close(self.fd) }
}

/// Regression tests for the transport defects an outside probe found (issue 8, defects 4, 5, 8).
@Suite("Transport hardening over mutual TLS")
struct TransportHardeningTests {
  @Test("Defect 4: stalled handshakes are capped per address and timed out; other offices still get in")
  func stalledHandshakesDoNotLockOut() async throws {
    try await MutualTLSTests.withServer(configure: {
      $0.connections.handshakeTimeout = .seconds(1)
      $0.connections.maxHandshakesPerAddress = 8
    }) { address, directory, capture in
      // 60 connections from one address that never start TLS.
      var stalled: [StalledConnection] = []
      for _ in 0..<60 { stalled.append(try StalledConnection(from: "127.0.0.2", to: address)) }
      // All but the first 8 are refused at once.
      let refusedAtOnce = stalled.filter { $0.closedByServer(within: .milliseconds(500)) }.count
      #expect(refusedAtOnce >= 52)
      // Another office, from another address, is served meanwhile.
      try await GongjianClient.withClient(server: address, credentials: try LimitsTests.credentials(directory, "suqian.commerce")) { client in
        let me = try await client.withTimeout(.seconds(10)).whoAmI()
        #expect(me.office.id == "suqian.commerce")
      }
      // The 8 admitted ones are closed by the handshake timeout.
      #expect(stalled.allSatisfy { $0.closedByServer(within: .seconds(3)) })
      #expect(capture.contains("cap=handshakes per address"))
      #expect(capture.contains("TLS handshake not completed within 1000 ms"))
    }
  }

  @Test("Defect 4: the total handshake cap holds against many addresses; the timeout frees it again")
  func totalHandshakeCap() async throws {
    try await MutualTLSTests.withServer(configure: {
      $0.connections.handshakeTimeout = .seconds(1)
      $0.connections.maxHandshakes = 20
    }) { address, directory, capture in
      var stalled: [StalledConnection] = []
      for source in 2...7 {
        for _ in 0..<10 { stalled.append(try StalledConnection(from: "127.0.0.\(source)", to: address)) }
      }
      // The refusals are logged as the server accepts the connections; under a loaded test run
      // that can take longer than a fixed pause.
      let deadline = ContinuousClock.now + .seconds(5)
      while !capture.contains("cap=handshakes in all"), ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(50))
      }
      #expect(capture.contains("cap=handshakes in all"))
      // Once the stalled handshakes time out, an office gets in though the attackers stay connected.
      let credentials = try LimitsTests.credentials(directory, "suqian.commerce")
      try await MutualTLSTests.waitUntil("an office getting in") {
        let me = try? await GongjianClient.withClient(server: address, credentials: credentials) { client in
          try await client.withTimeout(.seconds(2)).whoAmI()
        }
        return me?.office.id == "suqian.commerce"
      }
      #expect(stalled.allSatisfy { $0.closedByServer(within: .seconds(1)) })
    }
  }

  @Test("Defect 4: the per-address connection cap counts established connections too")
  func perAddressConnectionCap() async throws {
    try await MutualTLSTests.withServer(configure: { $0.connections.maxConnectionsPerAddress = 3 }) { address, directory, capture in
      var stalled: [StalledConnection] = []
      for _ in 0..<5 { stalled.append(try StalledConnection(from: "127.0.0.3", to: address)) }
      #expect(stalled.filter { $0.closedByServer(within: .milliseconds(500)) }.count == 2)
      #expect(capture.contains("cap=connections per address"))
    }
  }

  @Test("Defect 5: a typed call with a 3 MB string is refused by its length prefix, before decoding")
  func oversizedTypedCall() async throws {
    try await MutualTLSTests.withServer { address, directory, _ in
      try await GongjianClient.withClient(server: address, credentials: try LimitsTests.credentials(directory, "suqian.commerce")) { client in
        let huge = Gongjian_V1_CreateRecordRequest.with {
          $0.tenantID = "sip-suqian"
          $0.payload.park = .with { $0.name = String(repeating: "a", count: 3_000_000) }
        }
        for _ in 0..<12 {
          let error = await #expect(throws: GongjianClientError.self) { try await client.create(huge) }
          #expect(error?.code == .resourceExhausted)
          #expect(error?.message.hasPrefix("too large or too many: request message of 3000") == true, "\(error?.message ?? "")")
          #expect(error?.message.contains("exceeds the limit of 327680 bytes for /gongjian.v1.Records/Create") == true)
        }
        // The connection still serves another call.
        let me = try await client.whoAmI()
        #expect(me.office.id == "suqian.commerce")
      }
    }
  }
}
