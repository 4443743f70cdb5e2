// From grpc-swift-nio-transport 2.9.2, Tests/GRPCNIOTransportCoreTests/HTTP2Frame+Helpers.swift
// (Copyright 2024, gRPC Authors, Apache License 2.0): the accessors upstream's connection tests use.

import NIOCore
import NIOHTTP2

extension HTTP2Frame.FramePayload {
  var goAway: (lastStreamID: HTTP2StreamID, errorCode: HTTP2ErrorCode, opaqueData: ByteBuffer?)? {
    switch self {
    case .goAway(let lastStreamID, let errorCode, let opaqueData):
      return (lastStreamID, errorCode, opaqueData)
    default:
      return nil
    }
  }

  var ping: (data: HTTP2PingData, ack: Bool)? {
    switch self {
    case .ping(let data, ack: let ack):
      return (data, ack)
    default:
      return nil
    }
  }
}
