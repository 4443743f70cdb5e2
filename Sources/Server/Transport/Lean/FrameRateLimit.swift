internal import NIOCore

/// Counts frames of a kind over a sliding window and tells when a peer sent more than it may:
/// SwiftNIO's control-frame heuristic (200 in 30 s), kept for SETTINGS and PRIORITY on the lean
/// path, whose PINGs are policed by the gRPC keepalive policy instead (``LeanServer``).
struct FrameRateLimit {
  private let maximumCount: Int
  private let window: TimeAmount
  /// The times of the frames within the window, oldest first; nothing is reserved until a frame
  /// arrives.
  private var times = CircularBuffer<NIODeadline>(initialCapacity: 0)

  init(maximumCount: Int = 200, window: TimeAmount = .seconds(30)) {
    self.maximumCount = maximumCount
    self.window = window
  }

  /// Records a frame; false when it is one too many.
  mutating func admit(at now: NIODeadline = .now()) -> Bool {
    while let first = self.times.first, now - first > self.window {
      self.times.removeFirst()
    }
    guard self.times.count < self.maximumCount else { return false }
    self.times.append(now)
    return true
  }
}
