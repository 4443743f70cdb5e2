"""Several server nodes on one PostgreSQL database, driven by a stock grpcio client: live fan-out
across nodes, idempotency across nodes, revocations on every node, a node killed with SIGKILL
while its subscriber moves to another, and two nodes behind HAProxy in TCP mode (mutual TLS end
to end)."""
import glob
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
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


def psql():
    found = shutil.which("psql") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))), None)
    assert found, "psql not found (dev/postgres.sh installs PostgreSQL)"
    return found


def postgres_url():
    url = os.environ.get("GONGJIAN_TEST_POSTGRES_URL")
    assert url, "GONGJIAN_TEST_POSTGRES_URL is not set: run the tests with dev/test.sh"
    return url


@pytest.fixture(scope="module")
def cluster():
    """A fresh database, a data directory initialised on it, and two nodes serving it."""
    admin = postgres_url()
    name = "cluster_" + uuid.uuid4().hex[:12]
    subprocess.run([psql(), admin, "-qc", f"CREATE DATABASE {name} OWNER gongjian"], check=True)
    parts = urllib.parse.urlsplit(admin)
    url = urllib.parse.urlunsplit(parts._replace(path="/" + name))
    data = pathlib.Path(tempfile.mkdtemp(prefix="gongjian-cluster-"))
    init = subprocess.run(
        [str(BIN / "gongjian-server"), "init", "--data-dir", str(data), "--dev", "--storage", url],
        capture_output=True, text=True, timeout=120,
    )
    assert init.returncode == 0, init.stderr
    assert (data / "storage.url").read_text().strip() == url
    assert not (data / "gongjian.sqlite").exists()
    nodes = [start_server(data, "serve") for _ in range(2)]
    yield {"data": data, "url": url, "nodes": nodes}
    for proc, _ in nodes:
        if proc.poll() is None:
            stop_server(proc)


def push(sync, name, client="cluster"):
    record_id = str(uuid.uuid4())
    # A tenant's parks have distinct names: each push its own park.
    request = sync_pb2.PushRequest(tenant_id=TENANT, client_id=client, mutations=[
        sync_pb2.Mutation(mutation_id=str(uuid.uuid4()), kind="park", record_id=record_id,
                          base_version=0, payload=park(f"{name} {record_id[:8]}")),
    ])
    return sync.Push(request, timeout=15)


def head(sync):
    return sync.Pull(sync_pb2.PullRequest(tenant_id=TENANT, cursor=0, page_size=1), timeout=15).checkpoint.head_sequence


class Follower:
    """Subscribes on a node from a cursor and records every sequence it is sent, with the time."""

    def __init__(self, address, data, cursor):
        self.seen, self.times, self.cursor = [], {}, cursor
        self.channel = channel(address, data, OFFICE)
        self.stream = sync_pb2_grpc.SyncStub(self.channel).Subscribe(
            sync_pb2.SubscribeRequest(tenant_id=TENANT, cursor=cursor), timeout=120)
        self.caught_up = threading.Event()
        self.error = None
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        try:
            for event in self.stream:
                kind = event.WhichOneof("event")
                if kind == "changes":
                    for record in event.changes.records:
                        self.seen.append(record.sequence)
                        self.times[record.id] = time.monotonic()
                    self.cursor = event.changes.cursor
                elif kind == "heartbeat" and event.heartbeat.caught_up:
                    self.caught_up.set()
        except grpc.RpcError as error:
            self.error = error

    def close(self):
        self.stream.cancel()
        self.channel.close()
        self.thread.join(timeout=5)


def test_a_push_through_one_node_reaches_a_subscriber_on_the_other_within_a_second(cluster):
    (_, a), (_, b) = cluster["nodes"]
    data = cluster["data"]
    with channel(a, data, OFFICE) as ch:
        sync = sync_pb2_grpc.SyncStub(ch)
        start = head(sync)
        follower = Follower(b, data, start)
        assert follower.caught_up.wait(10)
        latencies = []
        for n in range(10):
            sent = time.monotonic()
            answer = push(sync, f"跨节点 {n}")
            assert answer.results[0].WhichOneof("outcome") == "applied"
            deadline = time.monotonic() + 1.0
            expected = answer.results[0].applied.sequence
            while expected not in follower.seen and time.monotonic() < deadline:
                time.sleep(0.005)
            assert expected in follower.seen, f"sequence {expected} not delivered on the other node within a second"
            latencies.append(time.monotonic() - sent)
        follower.close()
        assert follower.seen == list(range(start + 1, start + 11))
        print(f"cross-node delivery: max {max(latencies) * 1000:.1f} ms, median {sorted(latencies)[5] * 1000:.1f} ms")


def test_sqlite_backup_and_restore_refuse_a_postgresql_directory(cluster):
    data = cluster["data"]
    for args in (["backup", "--out", str(data.parent / "x.sqlite")], ["restore", "--from", str(data.parent / "x.sqlite")]):
        run = subprocess.run([str(BIN / "gongjian-server"), *args, "--data-dir", str(data)], capture_output=True, text=True, timeout=60)
        assert run.returncode == 65 and "PostgreSQL" in run.stderr and "docs/deployment.md" in run.stderr, run.stderr


def test_a_mutation_retried_against_the_other_node_answers_the_first_result(cluster):
    (_, a), (_, b) = cluster["nodes"]
    data = cluster["data"]
    request = sync_pb2.PushRequest(tenant_id=TENANT, client_id="cluster", mutations=[
        sync_pb2.Mutation(mutation_id=str(uuid.uuid4()), kind="park", record_id=str(uuid.uuid4()),
                          base_version=0, payload=park("重试")),
    ])
    with channel(a, data, OFFICE) as ca, channel(b, data, OFFICE) as cb:
        first = sync_pb2_grpc.SyncStub(ca).Push(request, timeout=15)
        assert first.results[0].WhichOneof("outcome") == "applied"
        again = sync_pb2_grpc.SyncStub(cb).Push(request, timeout=15)
        assert again.results[0].replayed
        assert again.results[0].applied.sequence == first.results[0].applied.sequence


def test_a_revocation_applies_on_every_node_within_seconds(cluster):
    nodes, data = cluster["nodes"], cluster["data"]
    office = "changshu.commerce"
    listed = subprocess.run(
        [str(BIN / "gongjian-server"), "certs", "list", "--office", office, "--data-dir", str(data)],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout.split()
    serial = listed[0]
    for _, address in nodes:
        with channel(address, data, office) as ch:
            identity_pb2_grpc.IdentityStub(ch).WhoAmI(identity_pb2.WhoAmIRequest(), timeout=10)
    subprocess.run(
        [str(BIN / "gongjian-server"), "certs", "revoke", serial, "--data-dir", str(data)],
        capture_output=True, text=True, timeout=60, check=True,
    )
    revoked_at = time.monotonic()
    for _, address in nodes:
        while True:
            try:
                with channel(address, data, office) as ch:
                    identity_pb2_grpc.IdentityStub(ch).WhoAmI(identity_pb2.WhoAmIRequest(), timeout=5)
            except grpc.RpcError:
                break
            assert time.monotonic() - revoked_at < 8, f"{address} still accepts a revoked certificate"
            time.sleep(0.2)


def test_a_directory_change_through_one_node_applies_on_the_other_at_once(cluster):
    (_, a), (_, b) = cluster["nodes"]
    data = cluster["data"]
    admin = ["--server", a, "--credentials", str(data / "pki" / "offices" / "suqian.drc")]
    office = "wujiang.commerce"
    with channel(b, data, office) as ch:
        identity_pb2_grpc.IdentityStub(ch).WhoAmI(identity_pb2.WhoAmIRequest(), timeout=10)
    try:
        disabled = subprocess.run([str(BIN / "gongjian-server"), "offices", "disable", office, *admin],
                                  capture_output=True, text=True, timeout=60)
        assert disabled.returncode == 0, disabled.stderr
        changed_at = time.monotonic()
        # Node B hears of it (NOTIFY gongjian_directory) and drops its cached directory.
        while True:
            try:
                with channel(b, data, office) as ch:
                    identity_pb2_grpc.IdentityStub(ch).WhoAmI(identity_pb2.WhoAmIRequest(), timeout=5)
            except grpc.RpcError as error:
                assert error.code() == grpc.StatusCode.UNAUTHENTICATED, error
                assert "disabled" in error.details()
                print(f"disabled on the other node after {(time.monotonic() - changed_at) * 1000:.0f} ms")
                break
            assert time.monotonic() - changed_at < 3, "the other node still serves a disabled office"
            time.sleep(0.05)
    finally:
        subprocess.run([str(BIN / "gongjian-server"), "offices", "enable", office, *admin],
                       capture_output=True, text=True, timeout=60, check=True)


def test_a_killed_nodes_subscriber_resumes_on_the_other_with_nothing_lost_or_twice(cluster):
    nodes, data = cluster["nodes"], cluster["data"]
    (victim, b) = nodes[1]
    (_, a) = nodes[0]
    with channel(a, data, OFFICE) as ch:
        sync = sync_pb2_grpc.SyncStub(ch)
        start = head(sync)
        follower = Follower(b, data, start)
        assert follower.caught_up.wait(10)
        stop = threading.Event()
        pushed = []

        def writer():
            while not stop.is_set():
                pushed.append(push(sync, "持续").results[0].applied.sequence)
                time.sleep(0.01)

        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        time.sleep(1.0)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        follower.thread.join(timeout=10)
        assert follower.error is not None, "the subscription on the killed node did not end"
        # The client resumes on the surviving node from the cursor it holds.
        resumed = Follower(a, data, follower.cursor)
        time.sleep(1.0)
        stop.set()
        thread.join(timeout=20)
        last = max(pushed)
        deadline = time.monotonic() + 10
        while (resumed.seen[-1] if resumed.seen else resumed.cursor) < last and time.monotonic() < deadline:
            time.sleep(0.05)
        resumed.close()
        everything = follower.seen + resumed.seen
        assert everything == list(range(start + 1, last + 1)), "a sequence was lost or delivered twice across the move"
        assert len(follower.seen) > 0 and len(resumed.seen) > 0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_nodes_behind_haproxy_in_tcp_mode_keep_serving_when_one_is_killed(tmp_path):
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    assert os.path.exists(haproxy), "haproxy not found (dev/test.sh installs it)"
    admin = postgres_url()
    name = "haproxy_" + uuid.uuid4().hex[:12]
    subprocess.run([psql(), admin, "-qc", f"CREATE DATABASE {name} OWNER gongjian"], check=True)
    url = urllib.parse.urlunsplit(urllib.parse.urlsplit(admin)._replace(path="/" + name))
    data = tmp_path / "data"
    subprocess.run(
        [str(BIN / "gongjian-server"), "init", "--data-dir", str(data), "--dev", "--storage", url],
        capture_output=True, text=True, timeout=120, check=True,
    )
    nodes = [start_server(data, "serve") for _ in range(2)]
    front = free_port()
    config = tmp_path / "haproxy.cfg"
    backends = "\n".join(
        f"  server node{i} {address} check inter 500ms fall 2 rise 2" for i, (_, address) in enumerate(nodes)
    )
    config.write_text(f"""
global
  maxconn 1000
defaults
  mode tcp
  timeout connect 2s
  timeout client 1h
  timeout server 1h
  retries 2
  option redispatch
frontend gongjian
  bind 127.0.0.1:{front}
  default_backend nodes
backend nodes
  balance roundrobin
{backends}
""")
    proxy = subprocess.Popen([haproxy, "-f", str(config), "-db"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        address = f"127.0.0.1:{front}"
        deadline = time.time() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", front), timeout=1):
                    break
            except OSError:
                assert time.time() < deadline, "haproxy did not start"
                time.sleep(0.1)
        # The office's identity still comes from its certificate, at the node, through the proxy.
        for _ in range(4):
            with channel(address, data, OFFICE) as ch:
                me = identity_pb2_grpc.IdentityStub(ch).WhoAmI(identity_pb2.WhoAmIRequest(), timeout=10)
                assert me.office.id == OFFICE
        nodes[0][0].send_signal(signal.SIGKILL)
        nodes[0][0].wait(timeout=10)
        with channel(address, data, OFFICE) as ch:
            sync = sync_pb2_grpc.SyncStub(ch)
            for n in range(6):
                # Each call on a new connection: the proxy sends it to the node that is left.
                answer = None
                for attempt in range(20):
                    try:
                        answer = push(sync, f"负载均衡 {n}")
                        break
                    except grpc.RpcError as error:
                        assert error.code() == grpc.StatusCode.UNAVAILABLE, error
                        time.sleep(0.25)
                assert answer is not None and answer.results[0].WhichOneof("outcome") == "applied"
            assert head(sync) >= 6
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
        for proc, _ in nodes:
            if proc.poll() is None:
                stop_server(proc)


def test_serve_refuses_a_database_that_could_lose_acknowledged_pushes(cluster):
    data, url = cluster["data"], cluster["url"]
    database = urllib.parse.urlsplit(url).path.lstrip("/")
    admin = postgres_url()
    subprocess.run([psql(), admin, "-qc", f"ALTER DATABASE {database} SET synchronous_commit = off"], check=True)
    try:
        refused = subprocess.run(
            [str(BIN / "gongjian-server"), "serve", "--data-dir", str(data), "--listen", "127.0.0.1:0"],
            capture_output=True, text=True, timeout=60,
        )
        assert refused.returncode == 65, refused.stderr
        assert "synchronous_commit=off" in refused.stderr and "--allow-unsafe-storage" in refused.stderr
        unreachable = subprocess.run(
            [str(BIN / "gongjian-server"), "serve", "--data-dir", str(data), "--listen", "127.0.0.1:0",
             "--storage", f"postgres://gongjian@127.0.0.1:{free_port()}/{database}?sslmode=disable"],
            capture_output=True, text=True, timeout=60,
        )
        assert unreachable.returncode == 69, unreachable.stderr
        assert "PostgreSQL" in unreachable.stderr
        bad = subprocess.run(
            [str(BIN / "gongjian-server"), "serve", "--data-dir", str(data), "--storage", "postgres://db/x"],
            capture_output=True, text=True, timeout=60,
        )
        assert bad.returncode == 64 and "no user" in bad.stderr, bad.stderr
        # The configuration file's `storage` key is checked the same way, and names its key.
        config = pathlib.Path(tempfile.mkdtemp()) / "config.json"
        config.write_text('{"storage": "postgres://db/x"}')
        from_file = subprocess.run(
            [str(BIN / "gongjian-server"), "serve", "--data-dir", str(data), "--config", str(config), "--listen", "127.0.0.1:0"],
            capture_output=True, text=True, timeout=60,
        )
        assert from_file.returncode == 65 and "storage" in from_file.stderr and "no user" in from_file.stderr, from_file.stderr
    finally:
        subprocess.run([psql(), admin, "-qc", f"ALTER DATABASE {database} RESET synchronous_commit"], check=True)
