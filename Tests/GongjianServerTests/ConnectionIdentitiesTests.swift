import Foundation
@testable import GongjianServer
import NIOCore
import Testing

@Suite("Connection identities")
struct ConnectionIdentitiesTests {
  let identity = ConnectionIdentities.Identity(officeID: "suqian.drc", serial: "0a1b", notAfter: Date(timeIntervalSince1970: 2_000_000_000))

  @Test("Keys are the transport's remotePeer format, for IPv4 and IPv6")
  func keys() throws {
    #expect(ConnectionIdentities.key(for: try SocketAddress.makeAddressResolvingHost("127.0.0.1", port: 50123)) == "ipv4:127.0.0.1:50123")
    #expect(ConnectionIdentities.key(for: try SocketAddress.makeAddressResolvingHost("::1", port: 443)) == "ipv6:[::1]:443")
    #expect(ConnectionIdentities.key(for: nil) == nil)
  }

  @Test("A closing connection removes only its own entry, not a newer one from the same address")
  func tokens() {
    let identities = ConnectionIdentities()
    let old = identities.register(peer: "ipv4:127.0.0.1:5000", identity: self.identity)
    var newer = self.identity
    newer.officeID = "suzhou.drc"
    let new = identities.register(peer: "ipv4:127.0.0.1:5000", identity: newer)
    identities.remove(peer: "ipv4:127.0.0.1:5000", token: old)
    #expect(identities.identity(peer: "ipv4:127.0.0.1:5000") == newer)
    identities.remove(peer: "ipv4:127.0.0.1:5000", token: new)
    #expect(identities.identity(peer: "ipv4:127.0.0.1:5000") == nil)
    #expect(identities.count == 0)
  }
}
