internal import Foundation
internal import GRPCCore
internal import NIOHPACK

/// The trailers that end a call with its status, as gRPC over HTTP/2 spells them.
enum StatusTrailers {
  /// After the response's headers, or on their own ("trailers only", with `:status` and the
  /// content type) when nothing was sent before.
  static func make(code: RPCError.Code, message: String, metadata: Metadata = [:], trailersOnly: Bool) -> HPACKHeaders {
    var trailers: HPACKHeaders = trailersOnly ? [":status": "200", "content-type": "application/grpc"] : [:]
    trailers.add(name: "grpc-status", value: "\(code.rawValue)")
    if !message.isEmpty { trailers.add(name: "grpc-message", value: Self.percentEncoded(message)) }
    for (key, value) in metadata {
      switch value {
      case .string(let string): trailers.add(name: key, value: string)
      case .binary(let bytes): trailers.add(name: key, value: Data(bytes).base64EncodedString())
      }
    }
    return trailers
  }

  /// `grpc-message` encoding: bytes outside printable ASCII, and `%`, as `%XX`.
  static func percentEncoded(_ message: String) -> String {
    var encoded = ""
    for byte in message.utf8 {
      if byte >= 0x20 && byte <= 0x7E && byte != 0x25 {
        encoded.unicodeScalars.append(Unicode.Scalar(byte))
      } else {
        let hex = Array("0123456789ABCDEF".utf8)
        encoded.unicodeScalars.append("%")
        encoded.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
        encoded.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0x0F)]))
      }
    }
    return encoded
  }
}
