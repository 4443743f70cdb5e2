"""PostgreSQL in production: nodes that survive the database going away. Each test runs a
PostgreSQL cluster of its own (dev/postgres.sh) that it kills, restarts or cuts off behind a TCP
proxy, with two server nodes on it and a stock grpcio client: writes resume by themselves within
5 s of the database answering, nothing acknowledged is lost, a mutation whose outcome was unknown
replays its first outcome or applies once, health says NOT_SERVING while the database is away,
and the housekeeping lease moves when its node dies."""
import pathlib
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "generated"))

from gongjian.v1 import sync_pb2, sync_pb2_grpc  # noqa: E402
from conftest import BIN, start_server, stop_server  # noqa: E402
from postgres_replication import Cluster, Replicated, free_port  # noqa: E402
from test_interop import channel, park, pull_all  # noqa: E402

TENANT = "changshu-sihong"
OFFICE = "sihong.gov"


def node_config(path, health_port):
    """Housekeeping often enough to watch, and the plaintext loopback health port an operator's
    checks use (it answers without the database)."""
    path.write_text(
        '{"health_listen": "127.0.0.1:%d", "sync": {"compaction_interval_seconds": 1, '
        '"audit_checkpoint_interval_seconds": 1, "database_probe_seconds": 1}}' % health_port
    )
    return path


# A commit round's prepared statements (PostgresCommitStatements), by the SQL they run.
PREPARED = {b"gongjian.begin": "BEGIN", b"gongjian.write": "INSERT INTO mutation", b"gongjian.commit": "COMMIT"}


def executed_statements(data):
    """What these frontend protocol messages execute, among BEGIN, COMMIT and the insert of mutation
    answers: a Bind of one of the round's prepared statements (its text crosses only once per
    connection, in a Parse that does not run it), or an unnamed statement's Parse with its Bind."""
    found, unnamed, i = set(), b"", 0
    while i + 5 <= len(data):
        kind, length = data[i:i + 1], int.from_bytes(data[i + 1:i + 5], "big")
        body = data[i + 5:i + 1 + length]
        i += 1 + length
        if kind == b"P" and body.startswith(b"\0"):
            unnamed = body[1:]
        elif kind == b"B":
            portal_end = body.find(b"\0")
            name = body[portal_end + 1:body.find(b"\0", portal_end + 1)]
            if name in PREPARED:
                found.add(PREPARED[name])
            elif name == b"":
                found.update(text for text in ("BEGIN", "COMMIT", "INSERT INTO mutation") if text.encode() in unnamed)
    return found


class Proxy:
    """A TCP proxy between the nodes and PostgreSQL that can cut the network, and drop one
    commit's connection just before or just after its COMMIT reaches the database."""

    def __init__(self, target_port):
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.pairs = []
        self.cut_off = False
        self.trap = None  # "before" or "after": the next commit of a push
        self.sprung = threading.Event()
        threading.Thread(target=self.accept, daemon=True).start()

    def url(self, url):
        return url.replace(f":{self.target[1]}/", f":{self.port}/")

    def accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.cut_off:
                client.close()
                continue
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            state = {"push": False}
            with self.lock:
                self.pairs.append((client, server))
            threading.Thread(target=self.pump, args=(client, server, state, True), daemon=True).start()
            threading.Thread(target=self.pump, args=(server, client, state, False), daemon=True).start()

    def pump(self, source, sink, state, upstream):
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            if upstream:
                # The transaction of a push is the one that writes mutation answers.
                executed = executed_statements(data)
                if "BEGIN" in executed:
                    state["push"] = False
                if "INSERT INTO mutation" in executed:
                    state["push"] = True
                if self.trap and state["push"] and "COMMIT" in executed:
                    mode, self.trap = self.trap, None
                    self.sprung.set()
                    if mode == "after":
                        # The database gets the COMMIT and commits; its answer never reaches the
                        # node, whose connection drops.
                        state["mute"] = True
                        sink.sendall(data)
                        self.close(source)
                        time.sleep(0.5)
                    self.close(source, sink)
                    return
            if state.get("mute"):
                continue
            try:
                sink.sendall(data)
            except OSError:
                break
        self.close(source, sink)

    @staticmethod
    def close(*sockets):
        for s in sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def cut(self):
        """The network between the nodes and the database fails: every connection drops and new
        ones are refused."""
        self.cut_off = True
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            self.close(*pair)

    def restore(self):
        self.cut_off = False
        return time.time()


def push_request(name, mutation_id=None, record_id=None):
    record_id = record_id or str(uuid.uuid4())
    return sync_pb2.PushRequest(tenant_id=TENANT, client_id="outage", mutations=[
        sync_pb2.Mutation(mutation_id=mutation_id or str(uuid.uuid4()), kind="park", record_id=record_id,
                          base_version=0, payload=park(f"{name} {record_id[:8]}")),
    ])


def first_write(address, data, since, limit=15):
    """Seconds from `since` until the node acknowledges a fresh write (each try bounded)."""
    with channel(address, data, OFFICE) as ch:
        sync = sync_pb2_grpc.SyncStub(ch)
        deadline = time.time() + limit
        while time.time() < deadline:
            try:
                sync.Push(push_request("恢复"), timeout=1)
                return time.time() - since
            except grpc.RpcError:
                time.sleep(0.05)
    raise AssertionError(f"{address} accepted no write within {limit} s")


def health(health_address):
    with grpc.insecure_channel(health_address) as ch:
        try:
            return health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(service="gongjian.v1.Sync"), timeout=3).status
        except grpc.RpcError as error:
            return error.code()


class Pushers:
    """Offices pushing all along, alternating between the nodes, each retrying an unanswered
    mutation with the same id until it is acknowledged."""

    def __init__(self, nodes, data, count=4):
        self.nodes, self.data = nodes, data
        self.acknowledged = {}  # mutation id → (record id, sequence)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(n,), daemon=True) for n in range(count)]
        for thread in self.threads:
            thread.start()

    def run(self, n):
        channels = [channel(address, self.data, OFFICE) for _, address in self.nodes]
        stubs = [sync_pb2_grpc.SyncStub(ch) for ch in channels]
        attempt = n
        while not self.stop.is_set():
            request = push_request(f"压测{n}")
            while not self.stop.is_set():
                attempt += 1
                try:
                    answer = stubs[attempt % len(stubs)].Push(request, timeout=2)
                except grpc.RpcError:
                    time.sleep(0.05)
                    continue
                mutation = request.mutations[0]
                with self.lock:
                    self.acknowledged[mutation.mutation_id] = (mutation.record_id, answer.results[0].applied.sequence)
                break
        for ch in channels:
            ch.close()

    def finish(self):
        self.stop.set()
        for thread in self.threads:
            thread.join(30)
        return dict(self.acknowledged)


def check_nothing_lost(address, data, acknowledged):
    """Every acknowledged write is in the feed once, and its replay answers the first outcome."""
    with channel(address, data, OFFICE) as ch:
        sync = sync_pb2_grpc.SyncStub(ch)
        records = pull_all(sync, TENANT)
        # Latest versions only: sequences may skip superseded ones, never repeat or go back.
        sequences = [r.sequence for r in records]
        assert sequences == sorted(set(sequences)), "the feed repeats or goes back"
        ids = {r.id for r in records}
        missing = [m for m, (record_id, _) in acknowledged.items() if record_id not in ids]
        assert not missing, f"{len(missing)} acknowledged writes lost"
        for mutation_id, (record_id, sequence) in list(acknowledged.items())[:20]:
            replay = sync.Push(sync_pb2.PushRequest(tenant_id=TENANT, client_id="outage", mutations=[
                sync_pb2.Mutation(mutation_id=mutation_id, kind="park", record_id=record_id, base_version=0, payload=park("重放")),
            ]), timeout=10)
            assert replay.results[0].replayed and replay.results[0].applied.sequence == sequence


@pytest.fixture
def deployment(tmp_path):
    """A cluster of its own, a proxy in front of it, a data directory on it and two nodes."""
    root = pathlib.Path(tempfile.mkdtemp(prefix="gongjian-outage-"))
    root.chmod(0o755)  # PostgreSQL runs as its own user
    cluster = Cluster.create(root)
    proxy = Proxy(cluster.port)
    data = root / "data"
    url = proxy.url(cluster.url)
    init = subprocess.run([str(BIN / "gongjian-server"), "init", "--data-dir", str(data), "--dev", "--storage", url],
                          capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, init.stderr
    health_ports = [free_port(), free_port()]
    nodes = [start_server(data, "serve", "--config", str(node_config(root / f"node{n}.json", port))) for n, port in enumerate(health_ports)]
    yield type("Deployment", (), {"cluster": cluster, "proxy": proxy, "data": data, "nodes": nodes,
                                  "health": [f"127.0.0.1:{port}" for port in health_ports]})
    for proc, _ in nodes:
        if proc.poll() is None:
            stop_server(proc)
    cluster.stop()


def test_a_database_killed_under_load_and_restarted_takes_writes_again_within_5_s(deployment):
    data, nodes = deployment.data, deployment.nodes
    pushers = Pushers(nodes, data)
    time.sleep(2)
    deployment.cluster.kill()
    time.sleep(2)
    # While it is away the services that need it say so; health itself still answers.
    deadline = time.time() + 10
    while time.time() < deadline and health(deployment.health[0]) != health_pb2.HealthCheckResponse.NOT_SERVING:
        time.sleep(0.2)
    assert health(deployment.health[0]) == health_pb2.HealthCheckResponse.NOT_SERVING
    back = deployment.cluster.resume()
    waits = [first_write(address, data, back) for _, address in nodes]
    assert max(waits) < 5, f"writes resumed {waits} s after the database accepted connections"
    deadline = time.time() + 10
    while time.time() < deadline and health(deployment.health[0]) != health_pb2.HealthCheckResponse.SERVING:
        time.sleep(0.2)
    assert health(deployment.health[0]) == health_pb2.HealthCheckResponse.SERVING
    time.sleep(1)
    acknowledged = pushers.finish()
    assert len(acknowledged) > 50
    check_nothing_lost(nodes[1][1], data, acknowledged)
    # The outage is said once on each node, not once per failed round.
    for proc, _ in nodes:
        log = pathlib.Path(proc.log_path).read_text()
        assert log.count("commits fail;") <= 1 and log.count("job=database probe") <= 2, log[-3000:]


def test_a_network_cut_between_node_and_database_heals_by_itself(deployment):
    data, nodes = deployment.data, deployment.nodes
    pushers = Pushers(nodes, data, count=2)
    time.sleep(1)
    deployment.proxy.cut()
    time.sleep(3)
    back = deployment.proxy.restore()
    waits = [first_write(address, data, back) for _, address in nodes]
    assert max(waits) < 5, f"writes resumed {waits} s after the network came back"
    acknowledged = pushers.finish()
    check_nothing_lost(nodes[0][1], data, acknowledged)


@pytest.mark.parametrize("moment", ["before", "after"])
def test_a_commit_whose_outcome_is_unknown_replays_its_first_outcome_or_applies_once(deployment, moment):
    data, (_, address) = deployment.data, deployment.nodes[0]
    request = push_request("未知结果")
    with channel(address, data, OFFICE) as ch:
        sync = sync_pb2_grpc.SyncStub(ch)
        deployment.proxy.trap = moment
        with pytest.raises(grpc.RpcError) as lost:
            sync.Push(request, timeout=10)
        assert deployment.proxy.sprung.is_set()
        assert lost.value.code() == grpc.StatusCode.UNAVAILABLE, lost.value.details()
        assert "retry with the same mutation ids" in lost.value.details()
        # RetryInfo says when to retry.
        trailers = dict(lost.value.trailing_metadata() or ())
        assert "grpc-status-details-bin" in trailers
        retry = sync.Push(request, timeout=10)
        result = retry.results[0]
        assert result.WhichOneof("outcome") == "applied"
        # Committed before the connection dropped: the replay answers that first outcome.
        # Dropped before the COMMIT reached the database: nothing was applied, the retry applies it.
        assert result.replayed == (moment == "after"), result
        page = sync.Pull(sync_pb2.PullRequest(tenant_id=TENANT, cursor=result.applied.sequence - 1, page_size=10), timeout=10)
        assert [r.id for r in page.records].count(request.mutations[0].record_id) == 1


def test_one_node_does_the_housekeeping_and_another_takes_over_when_it_dies(deployment):
    data, nodes = deployment.data, deployment.nodes

    def holders():
        return [i for i, (proc, _) in enumerate(nodes) if "took the housekeeping lease" in pathlib.Path(proc.log_path).read_text()]

    deadline = time.time() + 15
    while time.time() < deadline and not holders():
        time.sleep(0.2)
    time.sleep(3)  # several rounds of each job on both nodes
    assert len(holders()) == 1, holders()
    holder = holders()[0]
    other = 1 - holder
    logs = [pathlib.Path(proc.log_path).read_text() for proc, _ in nodes]
    assert "compacted change feed" in logs[holder] and "compacted change feed" not in logs[other]
    nodes[holder][0].send_signal(signal.SIGKILL)
    nodes[holder][0].wait()
    deadline = time.time() + 15
    while time.time() < deadline and "took the housekeeping lease" not in pathlib.Path(nodes[other][0].log_path).read_text():
        time.sleep(0.2)
    log = pathlib.Path(nodes[other][0].log_path).read_text()
    assert "took the housekeeping lease" in log
    time.sleep(2.5)
    assert "compacted change feed" in pathlib.Path(nodes[other][0].log_path).read_text()


def test_the_nodes_reach_a_promoted_synchronous_standby_through_haproxy_and_lose_no_acknowledged_write():
    root = pathlib.Path(tempfile.mkdtemp(prefix="gongjian-failover-"))
    root.chmod(0o755)  # PostgreSQL runs as its own user
    database = Replicated(root)
    nodes = []
    try:
        data = root / "data"
        init = subprocess.run([str(BIN / "gongjian-server"), "init", "--data-dir", str(data), "--dev", "--storage", database.url],
                              capture_output=True, text=True, timeout=120)
        assert init.returncode == 0, init.stderr
        nodes = [start_server(data, "serve") for _ in range(2)]
        pushers = Pushers(nodes, data)
        time.sleep(2)
        promoted = database.fail_over(rebuild=False)
        waits = [first_write(address, data, promoted) for _, address in nodes]
        assert max(waits) < 5, f"writes resumed {waits} s after the standby was promoted"
        time.sleep(1)
        acknowledged = pushers.finish()
        assert len(acknowledged) > 50
        # Synchronous replication: every write the old primary acknowledged is on the new one.
        check_nothing_lost(nodes[0][1], data, acknowledged)
    finally:
        for proc, _ in nodes:
            if proc.poll() is None:
                stop_server(proc)
        database.stop()
