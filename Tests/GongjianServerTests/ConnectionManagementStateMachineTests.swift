// Ported from grpc-swift-nio-transport 2.9.2,
// Tests/GRPCNIOTransportCoreTests/Server/Connection/ServerConnectionManagementHandler+StateMachineTests.swift
// (Copyright 2024, gRPC Authors, Apache License 2.0), to Swift Testing against the adapted copy in
// Sources/Server/Transport/Connection: every upstream case, the same names and expectations.
// `dev/upstream-diff.sh` shows what upstream changed in these files since.

@testable import GongjianServer
import NIOCore
import NIOHTTP2
import Testing

@Suite("Connection management state machine (upstream's tests)")
struct ConnectionManagementStateMachineTests {
  typealias StateMachine = ConnectionManagementHandler.StateMachine

  private func makeStateMachine(
    allowKeepaliveWithoutCalls: Bool = false,
    minPingReceiveIntervalWithoutCalls: TimeAmount = .minutes(5),
    goAwayPingData: HTTP2PingData = HTTP2PingData(withInteger: 42)
  ) -> StateMachine {
    StateMachine(
      allowKeepaliveWithoutCalls: allowKeepaliveWithoutCalls,
      minPingReceiveIntervalWithoutCalls: minPingReceiveIntervalWithoutCalls,
      goAwayPingData: goAwayPingData
    )
  }

  @Test func closeAllStreamsWhenActive() {
    var state = self.makeStateMachine()
    state.streamOpened(1)
    #expect(state.streamClosed(1) == .startIdleTimer)
  }

  @Test func closeSomeStreamsWhenActive() {
    var state = self.makeStateMachine()
    state.streamOpened(1)
    state.streamOpened(2)
    #expect(state.streamClosed(2) == StateMachine.OnStreamClosed.none)
  }

  @Test func openAndCloseStreamWhenClosed() {
    var state = self.makeStateMachine()
    state.markClosed()
    state.streamOpened(1)
    #expect(state.streamClosed(1) == StateMachine.OnStreamClosed.none)
  }

  @Test func gracefulShutdownWhenNoOpenStreams() {
    let pingData = HTTP2PingData(withInteger: 42)
    var state = self.makeStateMachine(goAwayPingData: pingData)
    #expect(state.startGracefulShutdown() == .sendGoAwayAndPing(pingData))
  }

  @Test func gracefulShutdownWhenClosing() {
    let pingData = HTTP2PingData(withInteger: 42)
    var state = self.makeStateMachine(goAwayPingData: pingData)
    #expect(state.startGracefulShutdown() == .sendGoAwayAndPing(pingData))
    #expect(state.startGracefulShutdown() == StateMachine.OnStartGracefulShutdown.none)
  }

  @Test func gracefulShutdownWhenClosed() {
    let pingData = HTTP2PingData(withInteger: 42)
    var state = self.makeStateMachine(goAwayPingData: pingData)
    state.markClosed()
    #expect(state.startGracefulShutdown() == StateMachine.OnStartGracefulShutdown.none)
  }

  @Test func receiveAckForGoAwayPingWhenStreamsOpenedBeforeShutdownOnly() {
    let pingData = HTTP2PingData(withInteger: 42)
    var state = self.makeStateMachine(goAwayPingData: pingData)
    state.streamOpened(1)
    #expect(state.startGracefulShutdown() == .sendGoAwayAndPing(pingData))
    #expect(state.receivedPingAck(data: pingData) == .sendGoAway(lastStreamID: 1, close: false))
  }

  @Test func receiveAckForGoAwayPingWhenStreamsOpenedBeforeAck() {
    let pingData = HTTP2PingData(withInteger: 42)
    var state = self.makeStateMachine(goAwayPingData: pingData)
    #expect(state.startGracefulShutdown() == .sendGoAwayAndPing(pingData))
    state.streamOpened(1)
    #expect(state.receivedPingAck(data: pingData) == .sendGoAway(lastStreamID: 1, close: false))
  }

  @Test func receiveAckForGoAwayPingWhenNoOpenStreams() {
    let pingData = HTTP2PingData(withInteger: 42)
    var state = self.makeStateMachine(goAwayPingData: pingData)
    #expect(state.startGracefulShutdown() == .sendGoAwayAndPing(pingData))
    #expect(state.receivedPingAck(data: pingData) == .sendGoAway(lastStreamID: .rootStream, close: true))
  }

  @Test func receiveAckNotForGoAwayPing() {
    let pingData = HTTP2PingData(withInteger: 42)
    var state = self.makeStateMachine(goAwayPingData: pingData)
    #expect(state.startGracefulShutdown() == .sendGoAwayAndPing(pingData))
    let otherPingData = HTTP2PingData(withInteger: 0)
    #expect(state.receivedPingAck(data: otherPingData) == StateMachine.OnPingAck.none)
  }

  @Test func receivePingAckWhenActive() {
    var state = self.makeStateMachine()
    #expect(state.receivedPingAck(data: HTTP2PingData()) == StateMachine.OnPingAck.none)
  }

  @Test func receivePingAckWhenClosed() {
    var state = self.makeStateMachine()
    state.markClosed()
    #expect(state.receivedPingAck(data: HTTP2PingData()) == StateMachine.OnPingAck.none)
  }

  @Test func gracefulShutdownFlow() {
    var state = self.makeStateMachine()
    // Open a few streams.
    state.streamOpened(1)
    state.streamOpened(2)

    switch state.startGracefulShutdown() {
    case .sendGoAwayAndPing(let pingData):
      // Open another stream and then receive the ping ack.
      state.streamOpened(3)
      #expect(state.receivedPingAck(data: pingData) == .sendGoAway(lastStreamID: 3, close: false))
    case .none:
      Issue.record("Expected '.sendGoAwayAndPing'")
    }

    // Both GOAWAY frames have been sent. Start closing streams.
    #expect(state.streamClosed(1) == StateMachine.OnStreamClosed.none)
    #expect(state.streamClosed(2) == StateMachine.OnStreamClosed.none)
    #expect(state.streamClosed(3) == .close)
  }

  @Test func gracefulShutdownWhenNoOpenStreamsBeforeSecondGoAway() {
    var state = self.makeStateMachine()
    // Open a stream.
    state.streamOpened(1)

    switch state.startGracefulShutdown() {
    case .sendGoAwayAndPing(let pingData):
      // Close the stream. This shouldn't lead to a close.
      #expect(state.streamClosed(1) == StateMachine.OnStreamClosed.none)
      // Only on receiving the ack do we send a GOAWAY and close.
      #expect(state.receivedPingAck(data: pingData) == .sendGoAway(lastStreamID: 1, close: true))
    case .none:
      Issue.record("Expected '.sendGoAwayAndPing'")
    }
  }

  private func pingStrikeUsingMinReceiveInterval(
    state: inout StateMachine,
    interval: TimeAmount,
    expectedID id: HTTP2StreamID
  ) {
    var time = NIODeadline.now()
    let data = HTTP2PingData()

    // The first ping is never a strike.
    #expect(state.receivedPing(atTime: time, data: data) == .sendAck)

    // Advance time by just less than the interval and get two strikes.
    time = time + interval - .nanoseconds(1)
    #expect(state.receivedPing(atTime: time, data: data) == .sendAck)
    #expect(state.receivedPing(atTime: time, data: data) == .sendAck)

    // Advance time so that we're at one interval since the last valid ping. This isn't a
    // strike (but doesn't reset strikes) and updates the last valid ping time.
    time = time + .nanoseconds(1)
    #expect(state.receivedPing(atTime: time, data: data) == .sendAck)

    // Now get a third and final strike.
    #expect(state.receivedPing(atTime: time, data: data) == .enhanceYourCalmThenClose(id))
  }

  @Test func pingStrikesWhenKeepaliveIsNotPermittedWithoutCalls() {
    let initialState = self.makeStateMachine(allowKeepaliveWithoutCalls: false, minPingReceiveIntervalWithoutCalls: .minutes(5))

    var state = initialState
    state.streamOpened(1)
    self.pingStrikeUsingMinReceiveInterval(state: &state, interval: .minutes(5), expectedID: 1)

    state = initialState
    self.pingStrikeUsingMinReceiveInterval(state: &state, interval: .hours(2), expectedID: 0)
  }

  @Test func pingStrikesWhenKeepaliveIsPermittedWithoutCalls() {
    var state = self.makeStateMachine(allowKeepaliveWithoutCalls: true, minPingReceiveIntervalWithoutCalls: .minutes(5))
    self.pingStrikeUsingMinReceiveInterval(state: &state, interval: .minutes(5), expectedID: 0)
  }

  @Test func resetPingStrikeState() {
    var state = self.makeStateMachine(allowKeepaliveWithoutCalls: true, minPingReceiveIntervalWithoutCalls: .minutes(5))

    var time = NIODeadline.now()
    let data = HTTP2PingData()

    // The first ping is never a strike.
    #expect(state.receivedPing(atTime: time, data: data) == .sendAck)

    // Advance time by less than the interval and get two strikes.
    time = time + .minutes(1)
    #expect(state.receivedPing(atTime: time, data: data) == .sendAck)
    #expect(state.receivedPing(atTime: time, data: data) == .sendAck)

    // Reset the ping strike state and test ping strikes as normal.
    state.resetKeepaliveState()
    self.pingStrikeUsingMinReceiveInterval(state: &state, interval: .minutes(5), expectedID: 0)
  }
}
