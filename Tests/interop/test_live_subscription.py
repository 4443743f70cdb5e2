"""Live subscriptions written to by the change hub (issue 12): a subscriber that reads slowly, with
a stream window of 1,000 bytes, falls behind and catches up again and again while 300 changes
are committed; every change arrives once, in order. A fast one on another connection is not held
back."""
import pathlib
import struct
import sys
import threading
import time
import uuid

import hpack

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "generated"))

from gongjian.v1 import sync_pb2, sync_pb2_grpc  # noqa: E402
from conftest import start_server, stop_server  # noqa: E402
from test_hardening import connect, context  # noqa: E402
from test_http2_limits import DATA, END_HEADERS, END_STREAM, HEADERS, PREFACE, SETTINGS, WINDOW_UPDATE, frame  # noqa: E402
from test_interop import channel, park  # noqa: E402

TENANT = "changshu-sihong"
INITIAL_WINDOW_SIZE = 0x4


class SlowSubscriber:
    """A Subscribe call over raw HTTP/2 whose client grants its stream 1,000 bytes at a time and
    takes its time over each DATA frame before granting more."""

    def __init__(self, address, data, cursor, window=1_000):
        self.sock = connect(address, context(data, office="sihong.gov"))
        self.sock.sendall(PREFACE + frame(SETTINGS, 0, 0, struct.pack(">HI", INITIAL_WINDOW_SIZE, window)))
        request = sync_pb2.SubscribeRequest(tenant_id=TENANT, cursor=cursor).SerializeToString()
        block = hpack.Encoder().encode([
            (":method", "POST"), (":scheme", "https"), (":path", "/gongjian.v1.Sync/Subscribe"), (":authority", "127.0.0.1"),
            ("content-type", "application/grpc"), ("te", "trailers"),
        ])
        self.sock.sendall(frame(HEADERS, END_HEADERS, 1, block) + frame(DATA, END_STREAM, 1, b"\0" + struct.pack(">I", len(request)) + request))
        self.buffer = b""
        self.messages = b""
        self.sequences = []
        self.caught_up = threading.Event()

    def read(self, wanted, timeout):
        deadline = time.time() + timeout
        self.sock.settimeout(1)
        while len(self.sequences) < wanted and time.time() < deadline:
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                break
            self.buffer += chunk
            while len(self.buffer) >= 9:
                length = int.from_bytes(self.buffer[:3], "big")
                if len(self.buffer) < 9 + length:
                    break
                kind, flags, stream = self.buffer[3], self.buffer[4], int.from_bytes(self.buffer[5:9], "big")
                payload, self.buffer = self.buffer[9:9 + length], self.buffer[9 + length:]
                if kind == SETTINGS and not flags & 0x1:
                    self.sock.sendall(frame(SETTINGS, 0x1, 0))
                if kind == DATA and stream == 1:
                    self.take(payload)
                    time.sleep(0.002)
                    grant = struct.pack(">I", length)
                    self.sock.sendall(frame(WINDOW_UPDATE, 0, 0, grant) + frame(WINDOW_UPDATE, 0, 1, grant))

    def take(self, payload):
        self.messages += payload
        while len(self.messages) >= 5 and len(self.messages) >= 5 + int.from_bytes(self.messages[1:5], "big"):
            length = int.from_bytes(self.messages[1:5], "big")
            event = sync_pb2.SubscribeResponse.FromString(self.messages[5:5 + length])
            self.messages = self.messages[5 + length:]
            self.sequences.extend(record.sequence for record in event.changes.records)
            if event.heartbeat.caught_up:
                self.caught_up.set()


def test_a_slow_subscriber_falls_behind_and_catches_up_without_losing_or_repeating_a_change(tmp_path):
    proc, address = start_server(tmp_path / "data")
    data = tmp_path / "data"
    try:
        with channel(address, data, "sihong.gov") as ch:
            sync = sync_pb2_grpc.SyncStub(ch)
            head = sync.Pull(sync_pb2.PullRequest(tenant_id=TENANT, page_size=1), timeout=10).checkpoint.head_sequence
            slow = SlowSubscriber(address, data, head)
            fast = sync.Subscribe(sync_pb2.SubscribeRequest(tenant_id=TENANT, cursor=head), timeout=120)
            fast_sequences = []

            def follow_fast():
                for event in fast:
                    fast_sequences.extend(record.sequence for record in event.changes.records)
                    if len(fast_sequences) >= 300:
                        break

            reader = threading.Thread(target=slow.read, args=(300, 90))
            reader.start()
            follower = threading.Thread(target=follow_fast)
            follower.start()
            assert slow.caught_up.wait(10), "the slow subscriber never caught up before the writes"
            for n in range(100):
                mutations = []
                for k in range(3):
                    record_id = str(uuid.uuid4())
                    mutations.append(sync_pb2.Mutation(mutation_id=record_id, kind="park", record_id=record_id,
                                                       payload=park(f"慢读园区 {n}-{k} " + "园" * 60)))
                sync.Push(sync_pb2.PushRequest(tenant_id=TENANT, client_id="live-test", mutations=mutations), timeout=10)
            follower.join(30)
            reader.join(90)
            fast.cancel()
    finally:
        stop_server(proc)
    expected = list(range(head + 1, head + 301))
    assert fast_sequences[:300] == expected
    assert slow.sequences == expected, (len(slow.sequences), len(set(slow.sequences)))
