@testable import GongjianServer
import Testing

@Suite("Status trailers")
struct StatusTrailersTests {
  @Test("grpc-message is percent-encoded outside printable ASCII")
  func percentEncoding() {
    #expect(StatusTrailers.percentEncoded("limit 100% of 园") == "limit 100%25 of %E5%9B%AD")
  }
}
