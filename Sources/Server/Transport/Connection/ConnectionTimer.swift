// Adapted from grpc-swift-nio-transport 2.9.2 (Sources/GRPCNIOTransportCore/Internal/Timer.swift),
// Copyright 2024, gRPC Authors, licensed under the Apache License, Version 2.0
// (http://www.apache.org/licenses/LICENSE-2.0). The original is `package`, not public, so the
// lean server path keeps its own copy (see ConnectionManagementHandler.swift). Upstream's tests
// are ported in Tests/GongjianServerTests/ConnectionManagement*Tests.swift; `dev/upstream-diff.sh`
// shows what upstream changed since.


import NIOCore

/// A timer backed by `NIOScheduledCallback`.
final class ConnectionTimer<Handler: NIOScheduledCallbackHandler> where Handler: Sendable {
  /// The event loop on which to run this timer.
  private let eventLoop: any EventLoop

  /// The duration of the timer.
  private let duration: TimeAmount

  /// Whether this timer should repeat.
  private let repeating: Bool

  /// The handler to call when the timer fires.
  private let handler: Handler

  /// The currently scheduled callback if the timer is running.
  private var scheduledCallback: NIOScheduledCallback?

  init(eventLoop: any EventLoop, duration: TimeAmount, repeating: Bool, handler: Handler) {
    self.eventLoop = eventLoop
    self.duration = duration
    self.repeating = repeating
    self.handler = handler
    self.scheduledCallback = nil
  }

  /// Cancel the timer, if it is running.
  func cancel() {
    self.eventLoop.assertInEventLoop()
    guard let scheduledCallback = self.scheduledCallback else { return }
    scheduledCallback.cancel()
  }

  /// Start or restart the timer.
  func start() {
    self.eventLoop.assertInEventLoop()
    self.scheduledCallback?.cancel()
    // Only throws if the event loop is shutting down, so we'll just swallow the error here.
    self.scheduledCallback = try? self.eventLoop.scheduleCallback(in: self.duration, handler: self)
  }
}

extension ConnectionTimer: NIOScheduledCallbackHandler, @unchecked Sendable where Handler: Sendable {
  /// For repeated timer support, the timer itself proxies the callback and restarts the timer.
  ///
  /// - NOTE: Users should not call this function directly.
  func handleScheduledCallback(eventLoop: some EventLoop) {
    self.eventLoop.assertInEventLoop()
    self.handler.handleScheduledCallback(eventLoop: eventLoop)
    if self.repeating { self.start() }
  }
}
