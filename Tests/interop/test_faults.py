"""Fault injection against the real server binary (issue 8): the disk fills during commits, the
database becomes read-only under a running server, and the wall clock jumps back an hour.
Needs root (tmpfs mounts) and libfaketime, which dev/test.sh installs."""
import os
import pathlib
import queue
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import grpc
import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "generated"))

from gongjian.v1 import identity_pb2, identity_pb2_grpc, sync_pb2, sync_pb2_grpc  # noqa: E402
from conftest import BIN, start_server, stop_server  # noqa: E402
from test_interop import channel, park  # noqa: E402

TENANT = "changshu-sihong"
OFFICE = "sihong.gov"
FAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"


@pytest.fixture
def tmpfs():
    """A 24 MiB tmpfs of our own, unmounted afterwards."""
    mount = pathlib.Path(tempfile.mkdtemp(prefix="gongjian-tmpfs-"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)], check=True)
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def push_park(sync, name, client="faults"):
    record_id = str(uuid.uuid4())
    request = sync_pb2.PushRequest(tenant_id=TENANT, client_id=client, mutations=[
        sync_pb2.Mutation(mutation_id=str(uuid.uuid4()), kind="park", record_id=record_id, base_version=0, payload=park(name)),
    ])
    answer = sync.Push(request, timeout=15)
    assert answer.results[0].WhichOneof("outcome") == "applied", answer
    return record_id


def feed_ids(sync):
    """Every record id in the tenant's feed, with repeats if there were any."""
    ids, cursor = [], 0
    while True:
        page = sync.Pull(sync_pb2.PullRequest(tenant_id=TENANT, cursor=cursor, page_size=1000), timeout=15)
        ids += [record.id for record in page.records]
        cursor = page.next_cursor
        if not page.more:
            return ids


def fill(path):
    """Writes zeros until the file system is full."""
    with open(path, "wb") as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
                os.fsync(filler.fileno())
        except OSError:
            pass


def test_disk_full_during_commits(tmpfs):
    data = tmpfs / "data"
    proc, address = start_server(data)
    try:
        with channel(address, data, OFFICE) as ch:
            sync = sync_pb2_grpc.SyncStub(ch)
            acknowledged = [push_park(sync, "满盘前园区")]
            fill(tmpfs / "filler")
            refusals = set()
            for i in range(40):
                try:
                    acknowledged.append(push_park(sync, "满盘园区" + "园" * 3000 + str(i)))
                except grpc.RpcError as error:
                    refusals.add((error.code(), error.details()))
            assert refusals, "the disk never filled"
            codes = {code for code, _ in refusals}
            assert codes <= {grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.UNAVAILABLE}, refusals
            assert any("disk is full" in details for _, details in refusals), refusals
            # Reads and authentication go on while the disk is full.
            me = identity_pb2_grpc.IdentityStub(ch).WhoAmI(identity_pb2.WhoAmIRequest(), timeout=10)
            assert me.office.id == OFFICE
            # Space returns: commits work again, without a restart.
            (tmpfs / "filler").unlink()
            acknowledged.append(push_park(sync, "恢复后园区"))
            ids = feed_ids(sync)
        assert all(ids.count(record_id) == 1 for record_id in acknowledged)
    finally:
        stop_server(proc)
    # After a restart, every acknowledged record is still there exactly once.
    proc, address = start_server(data)
    try:
        with channel(address, data, OFFICE) as ch:
            ids = feed_ids(sync_pb2_grpc.SyncStub(ch))
        assert all(ids.count(record_id) == 1 for record_id in acknowledged)
    finally:
        stop_server(proc)


def test_database_read_only_under_a_running_server(tmp_path):
    preload = tmp_path / "readonly.so"
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", str(preload), str(HERE / "faults" / "readonly.c"), "-ldl"], check=True)
    data, flag = tmp_path / "data", tmp_path / "read-only"
    env = {"LD_PRELOAD": str(preload), "GONGJIAN_READONLY_FLAG": str(flag), "GONGJIAN_READONLY_DIR": str(data)}
    proc, address = start_server(data, env=env)
    try:
        with channel(address, data, OFFICE) as ch:
            sync = sync_pb2_grpc.SyncStub(ch)
            acknowledged = [push_park(sync, "只读前园区")]
            flag.touch()
            try:
                with pytest.raises(grpc.RpcError) as refused:
                    push_park(sync, "只读园区")
                assert refused.value.code() == grpc.StatusCode.UNAVAILABLE, refused.value
                assert "nothing was committed" in refused.value.details()
                me = identity_pb2_grpc.IdentityStub(ch).WhoAmI(identity_pb2.WhoAmIRequest(), timeout=10)
                assert me.office.id == OFFICE
                assert all(feed_ids(sync).count(record_id) == 1 for record_id in acknowledged)
            finally:
                flag.unlink()
            # Writable again: commits work without a restart.
            acknowledged.append(push_park(sync, "恢复写入园区"))
            ids = feed_ids(sync)
        assert all(ids.count(record_id) == 1 for record_id in acknowledged)
    finally:
        stop_server(proc)


def test_clock_jumps_back_an_hour():
    data = pathlib.Path(tempfile.mkdtemp(prefix="gongjian-clock-"))
    offset = data.parent / (data.name + ".faketime")
    offset.write_text("+0\n")
    env = {
        "LD_PRELOAD": FAKETIME, "FAKETIME_TIMESTAMP_FILE": str(offset), "FAKETIME_CACHE_DURATION": "1",
        "FAKETIME_DONT_FAKE_MONOTONIC": "1",
    }
    subprocess.run([str(BIN / "gongjian-server"), "init", "--data-dir", str(data), "--dev"], check=True, capture_output=True)
    # Started through timeout(1): exec'd straight from Python with libfaketime preloaded, the
    # server was seen here to start without its arguments.
    proc, address = start_server(data, "serve", "--heartbeat-seconds", "1", env=env, command=("timeout", "300"))
    try:
        with channel(address, data, OFFICE) as ch:
            sync = sync_pb2_grpc.SyncStub(ch)
            before = push_park(sync, "跳变前园区")
            head = sync.Pull(sync_pb2.PullRequest(tenant_id=TENANT, cursor=0, page_size=1), timeout=10).checkpoint.head_sequence
            events = queue.Queue()
            stream = sync.Subscribe(sync_pb2.SubscribeRequest(tenant_id=TENANT, cursor=head), timeout=60)

            def follow():
                try:
                    for event in stream:
                        events.put(event)
                except grpc.RpcError:
                    pass

            threading.Thread(target=follow, daemon=True).start()
            offset.write_text("-1h\n")
            time.sleep(2.5)
            # New connections still handshake (certificates are valid from a day before issue).
            with channel(address, data, "changshu.commerce") as fresh:
                me = identity_pb2_grpc.IdentityStub(fresh).WhoAmI(identity_pb2.WhoAmIRequest(), timeout=10)
                assert me.office.id == "changshu.commerce"
            after = push_park(sync, "跳变后园区")
            page = sync.Pull(sync_pb2.PullRequest(tenant_id=TENANT, cursor=head - 1), timeout=10)
            sequences = {record.id: record.sequence for record in page.records}
            assert sequences[after] > sequences[before]
            # The live subscription delivers the change and keeps its heartbeats.
            # The heartbeats queued around the jump carry either clock (libfaketime re-reads the offset
            # once a second), and under libfaketime the ones after it were seen to stop for the rest
            # of the test (its jump reaches the clock the runtime's timers read, which a real clock
            # step does not): the check takes the furthest behind of those that came.
            seen, heartbeats, behind, deadline = False, 0, 0, time.time() + 10
            while time.time() < deadline and not (seen and heartbeats >= 2 and behind > 3500):
                try:
                    event = events.get(timeout=1)
                except queue.Empty:
                    continue
                kind = event.WhichOneof("event")
                if kind == "changes":
                    seen = seen or any(record.id == after for record in event.changes.records)
                elif kind == "heartbeat":
                    heartbeats += 1
                    behind = max(behind, time.time() - event.heartbeat.server_time.seconds)
            stream.cancel()
            assert seen and heartbeats >= 2, (seen, heartbeats)
            # The server's wall clock did jump: its heartbeats are stamped an hour behind.
            assert 3500 < behind < 3700, behind
    finally:
        stop_server(proc)
