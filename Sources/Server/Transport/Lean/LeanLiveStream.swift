internal import NIOCore

/// A lean stream as the change hub writes to it (``LiveStream``): on the stream's event loop,
/// without the method's task.
struct LeanLiveStream: LiveStream {
  let eventLoop: any EventLoop
  let stream: NIOLoopBound<LeanStream>

  func frame(_ message: [UInt8]) -> ByteBuffer {
    self.stream.value.frame(message)
  }

  func write(framed: ByteBuffer) -> Bool {
    self.stream.value.writeLive(framed)
  }

  func flush() {
    self.stream.value.flushLive()
  }
}
