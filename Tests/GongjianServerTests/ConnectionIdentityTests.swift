import Foundation
@testable import GongjianServer
import Testing

@Suite("Connection identity stamped into each stream")
struct ConnectionIdentityTests {
  @Test("The header value round-trips; malformed values are not an identity")
  func headerValue() {
    let identity = ConnectionIdentity(officeID: "suqian.drc", serial: "0a1b", notAfter: Date(timeIntervalSince1970: 2_000_000_000))
    #expect(identity.headerValue == "suqian.drc 0a1b 2000000000")
    #expect(ConnectionIdentity(headerValue: identity.headerValue) == identity)
    for bad in ["", "suqian.drc", "suqian.drc 0a1b", "suqian.drc 0a1b soon", " 0a1b 1", "a b 1 extra", "suqian.drc  1"] {
      #expect(ConnectionIdentity(headerValue: bad) == nil, "\(bad)")
    }
  }

  @Test("grpc-message is percent-encoded outside printable ASCII")
  func percentEncoding() {
    #expect(StreamGuard.percentEncoded("limit 100% of 园") == "limit 100%25 of %E5%9B%AD")
  }
}
