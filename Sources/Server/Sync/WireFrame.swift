internal import GRPCCore
public import SwiftProtobuf

/// A response as a handler hands it to the transport: a message to encode, or the wire bytes
/// of one, assembled ahead (changes the hub encoded once for all subscribers, a pulled page
/// written straight from the store's rows).
public enum WireFrame<Message: SwiftProtobuf.Message>: Sendable {
  case message(Message)
  case encoded([UInt8])

  /// The message; a pre-encoded frame is decoded (for in-process callers and tests).
  ///
  /// - Throws: When pre-encoded bytes are not a valid `Message`.
  public func decoded() throws -> Message {
    switch self {
    case .message(let message):
      return message
    case .encoded(let bytes):
      return try Message(serializedBytes: bytes)
    }
  }
}

/// Serializes ``WireFrame``s: pre-encoded frames are copied, messages encoded.
struct WireFrameSerializer<Message: SwiftProtobuf.Message>: MessageSerializer {
  func serialize<Bytes: GRPCContiguousBytes>(_ frame: WireFrame<Message>) throws -> Bytes {
    switch frame {
    case .encoded(let bytes):
      return Bytes(bytes)
    case .message(let message):
      do {
        return Bytes(try message.serializedBytes() as [UInt8])
      } catch {
        throw RPCError(code: .internalError, message: "cannot encode \(Message.protoMessageName): \(error)")
      }
    }
  }
}
