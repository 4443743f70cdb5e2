"""Graceful shutdown as an operator sees it: on SIGTERM health turns NOT_SERVING, pushes that
were acknowledged are all kept, subscriptions end cleanly with the cursor to resume from, and the
process exits 0 within its deadline; the maintenance jobs are logged."""
import signal
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import grpc

from conftest import HERE, start_server, stop_server
from test_interop import channel, park

sys.path.insert(0, str(HERE / "generated"))
from gongjian.v1 import sync_pb2, sync_pb2_grpc  # noqa: E402


def test_sigterm_keeps_every_acknowledged_write_and_ends_streams_with_their_cursor():
    data = Path(tempfile.mkdtemp(prefix="gongjian-shutdown-"))
    proc, address = start_server(data, "quickstart")
    stop_server(proc)
    proc, address = start_server(data, "serve", "--shutdown-deadline-seconds", "10")
    acknowledged, frames, ended = [], [], []
    with channel(address, data, "sihong.gov") as ch:
        sync = sync_pb2_grpc.SyncStub(ch)
        stream = sync.Subscribe(sync_pb2.SubscribeRequest(tenant_id="changshu-sihong"), timeout=60)

        def follow():
            try:
                for frame in stream:
                    frames.append(frame)
                ended.append("ok")
            except grpc.RpcError as error:
                ended.append(error.code())

        follower = threading.Thread(target=follow)
        follower.start()

        def write():
            for n in range(200):
                record = str(uuid.uuid4())
                try:
                    answer = sync.Push(sync_pb2.PushRequest(tenant_id="changshu-sihong", client_id="shutdown-test", mutations=[
                        sync_pb2.Mutation(mutation_id=f"m{n}", kind="park", record_id=record, payload=park(f"停机测试{n}")),
                    ]), timeout=10)
                    if answer.results[0].WhichOneof("outcome") == "applied":
                        acknowledged.append(record)
                except grpc.RpcError:
                    return

        writer = threading.Thread(target=write)
        writer.start()
        time.sleep(0.5)
        started = time.time()
        proc.send_signal(signal.SIGTERM)
        writer.join(timeout=30)
        follower.join(timeout=30)
        code = proc.wait(timeout=20)
        took = time.time() - started
    assert code == 0 and took < 10, (code, took)
    assert acknowledged, "no write was acknowledged before the signal"
    assert ended == ["ok"] and not follower.is_alive(), f"the subscription did not end cleanly: {ended}"
    # The stream's frames carry the cursor to resume from.
    cursors = [f.changes.cursor for f in frames if f.WhichOneof("event") == "changes"]
    delivered = [r.sequence for f in frames if f.WhichOneof("event") == "changes" for r in f.changes.records]
    assert delivered and cursors and cursors[-1] == max(delivered), "the subscriber has no cursor to resume from"
    # Every acknowledged write is there after a restart.
    proc, address = start_server(data, "serve")
    try:
        with channel(address, data, "sihong.gov") as ch:
            sync = sync_pb2_grpc.SyncStub(ch)
            seen, cursor = set(), 0
            while True:
                page = sync.Pull(sync_pb2.PullRequest(tenant_id="changshu-sihong", cursor=cursor, page_size=1000), timeout=10)
                seen.update(r.id for r in page.records)
                if not page.more:
                    break
                cursor = page.next_cursor
            missing = [r for r in acknowledged if r not in seen]
            assert not missing, f"{len(missing)} acknowledged writes lost"
            assert max(delivered) <= page.checkpoint.head_sequence
    finally:
        stop_server(proc)


def test_a_second_signal_stops_at_once_while_a_call_holds_the_drain():
    data = Path(tempfile.mkdtemp(prefix="gongjian-shutdown-"))
    proc, address = start_server(data, "quickstart")
    stop_server(proc)
    proc, address = start_server(data, "serve", "--shutdown-deadline-seconds", "60")
    release = threading.Event()

    def never_sent():
        # The unary call's one request never comes: the call stays in flight and the drain waits.
        release.wait()
        yield from ()

    try:
        with channel(address, data, "sihong.gov") as ch:
            whoami = ch.stream_unary("/gongjian.v1.Identity/WhoAmI", request_serializer=lambda m: m, response_deserializer=lambda b: b)
            held = whoami.future(never_sent(), timeout=120)
            time.sleep(0.5)
            proc.send_signal(signal.SIGTERM)
            time.sleep(1.5)
            assert proc.poll() is None, "the server stopped although a call was still in flight"
            started = time.time()
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=10)
            took = time.time() - started
            release.set()
            held.cancel()
        assert code == 1 and took < 2, (code, took)
        log = Path(proc.log_path).read_text()
        assert "second SIGTERM: stopping now" in log, log
        assert "shutting down: no new calls" in log, log
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
