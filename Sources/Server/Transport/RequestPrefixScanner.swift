internal import GRPCCore
internal import NIOCore

/// Follows a request's length-prefixed messages through its DATA frames as they arrive, and
/// finds the first message the method must refuse before anything is decoded: one larger than
/// the method takes (`RESOURCE_EXHAUSTED`), or one whose compressed flag is invalid or names no
/// encoding (`INTERNAL`).
///
/// grpc-swift would reset the stream for an oversize prefix, and decode a 3 MB string of a typed
/// call for seconds of CPU before the service could refuse it. Used by the lean path's streams.
struct RequestPrefixScanner {
  /// The method's path, for the refusal's words.
  let path: String
  /// The largest message the method takes.
  let maxMessageBytes: Int
  /// Whether the request names a `grpc-encoding` other than identity.
  let encoded: Bool

  /// The prefix bytes read so far (big-endian, up to five) and how many.
  private var prefix: UInt64 = 0
  private var prefixCount = 0
  /// Body bytes of the current message still to skip.
  private var bodyRemaining = 0

  init(path: String, maxMessageBytes: Int, encoded: Bool) {
    self.path = path
    self.maxMessageBytes = maxMessageBytes
    self.encoded = encoded
  }

  /// Reads one DATA frame's bytes; the first violation found, if any.
  mutating func scan(_ buffer: ByteBuffer) -> (code: RPCError.Code, message: String)? {
    var index = buffer.readerIndex
    let end = buffer.writerIndex
    while index < end {
      if self.bodyRemaining > 0 {
        let skip = min(self.bodyRemaining, end - index)
        index += skip
        self.bodyRemaining -= skip
        continue
      }
      self.prefix = self.prefix << 8 | UInt64(buffer.getInteger(at: index, as: UInt8.self)!)
      self.prefixCount += 1
      index += 1
      guard self.prefixCount == 5 else { continue }
      let flag = UInt8(truncatingIfNeeded: self.prefix >> 32)
      let length = Int(self.prefix & 0xFFFF_FFFF)
      self.prefix = 0
      self.prefixCount = 0
      if flag > 1 {
        return (.internalError, "invalid compressed flag \(flag) in a request message of \(self.path) (0 or 1)")
      }
      if flag == 1 && !self.encoded {
        return (.internalError, "a compressed request message of \(self.path) without a grpc-encoding header")
      }
      if length > self.maxMessageBytes {
        return (
          .resourceExhausted,
          "request message of \(length) bytes exceeds the limit of \(self.maxMessageBytes) bytes for \(self.path)"
        )
      }
      self.bodyRemaining = length
    }
    return nil
  }
}
