"""`dev/torture.py --postgres`: two nodes on a primary with a synchronous standby behind HAProxy,
for a given time, with pushers, a subscriber per node and pulls, while PostgreSQL is killed and
restarted, a node is killed and restarted, and the primary fails over to the standby, in turns.
Reports what was acknowledged, lost and duplicated, the longest time no write was acknowledged
anywhere, and the p99 of another office's pushes (another tenant) over the run."""
import os
import pathlib
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "Tests" / "interop"))
sys.path.insert(0, str(ROOT / "Tests" / "interop" / "generated"))

import grpc  # noqa: E402
from conftest import BIN, start_server, stop_server  # noqa: E402
from gongjian.v1 import sync_pb2, sync_pb2_grpc  # noqa: E402
from postgres_replication import Replicated  # noqa: E402
from test_interop import channel, park, pull_all  # noqa: E402

TENANT, OFFICE = "changshu-sihong", "sihong.gov"
OTHER_TENANT, OTHER_OFFICE = "wujiang-siyang", "siyang.gov"


def log(*parts):
    print(time.strftime("%H:%M:%S"), *parts, flush=True)


def push_request(tenant, name):
    record_id = str(uuid.uuid4())
    return sync_pb2.PushRequest(tenant_id=tenant, client_id="torture-pg", mutations=[
        sync_pb2.Mutation(mutation_id=str(uuid.uuid4()), kind="park", record_id=record_id, base_version=0,
                          payload=park(f"{name} {record_id[:8]}")),
    ])


class Node:
    """A server node that may be killed and started again on the same port."""

    def __init__(self, data):
        self.data = data
        self.proc, self.address = start_server(data, "serve")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def restart(self):
        self.proc, _ = start_server(self.data, "serve", listen=self.address)


class Run:
    def __init__(self, nodes, data):
        self.nodes, self.data = nodes, data
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acknowledged = {}  # record id → sequence
        self.last_ack = time.time()
        self.longest_gap = 0.0
        self.other_latencies = []
        self.delivered = {n: [] for n in range(len(nodes))}

    def note_ack(self, record_id, sequence):
        now = time.time()
        with self.lock:
            self.acknowledged[record_id] = sequence
            self.longest_gap = max(self.longest_gap, now - self.last_ack)
            self.last_ack = now

    def pusher(self, n):
        attempt = n
        while not self.stop.is_set():
            request = push_request(TENANT, f"折磨{n}")
            while not self.stop.is_set():
                attempt += 1
                address = self.nodes[attempt % len(self.nodes)].address
                try:
                    with channel(address, self.data, OFFICE) as ch:
                        answer = sync_pb2_grpc.SyncStub(ch).Push(request, timeout=3)
                    self.note_ack(request.mutations[0].record_id, answer.results[0].applied.sequence)
                    break
                except grpc.RpcError:
                    time.sleep(0.05)

    def other_office(self):
        """Another tenant's office pushing once a second: its latency is what the faults cost a
        bystander."""
        while not self.stop.is_set():
            request = push_request(OTHER_TENANT, "旁观")
            started = time.time()
            while not self.stop.is_set():
                try:
                    with channel(self.nodes[0].address, self.data, OTHER_OFFICE) as ch:
                        sync_pb2_grpc.SyncStub(ch).Push(request, timeout=3)
                    break
                except grpc.RpcError:
                    time.sleep(0.05)
            with self.lock:
                self.other_latencies.append(time.time() - started)
            time.sleep(1)

    def subscriber(self, n):
        cursor = 0
        while not self.stop.is_set():
            try:
                with channel(self.nodes[n].address, self.data, OFFICE) as ch:
                    stream = sync_pb2_grpc.SyncStub(ch).Subscribe(sync_pb2.SubscribeRequest(tenant_id=TENANT, cursor=cursor), timeout=30)
                    for event in stream:
                        if self.stop.is_set():
                            stream.cancel()
                            break
                        if event.WhichOneof("event") == "changes":
                            self.delivered[n] += [r.sequence for r in event.changes.records]
                            cursor = event.changes.cursor
                        elif event.WhichOneof("event") == "reset":
                            cursor = 0
                            self.delivered[n] = []
            except grpc.RpcError:
                time.sleep(0.2)

    def puller(self):
        while not self.stop.is_set():
            try:
                with channel(self.nodes[1].address, self.data, OFFICE) as ch:
                    sync_pb2_grpc.SyncStub(ch).Pull(sync_pb2.PullRequest(tenant_id=TENANT, cursor=0, page_size=500), timeout=5)
            except grpc.RpcError:
                pass
            time.sleep(0.5)


def check(run, nodes, data):
    """Acknowledged writes missing from the feed, and records that appear twice."""
    deadline = time.time() + 60
    while True:
        try:
            with channel(nodes[0].address, data, OFFICE) as ch:
                records = pull_all(sync_pb2_grpc.SyncStub(ch), TENANT, page_size=5000)
            break
        except grpc.RpcError:
            if time.time() > deadline:
                raise
            time.sleep(1)
    ids = [r.id for r in records]
    lost = [record_id for record_id in run.acknowledged if record_id not in set(ids)]
    duplicated = len(ids) - len(set(ids))
    # Latest versions only: sequences may skip superseded ones, never repeat or go back.
    sequences = [r.sequence for r in records]
    in_order = sequences == sorted(set(sequences))
    repeats = sum(len(seen) - len(set(seen)) for seen in run.delivered.values())
    return lost, duplicated, in_order, repeats


def torture(seconds, every):
    root = pathlib.Path(tempfile.mkdtemp(prefix="gongjian-torture-pg-"))
    root.chmod(0o755)  # PostgreSQL runs as its own user
    database = Replicated(root)
    data = root / "data"
    init = subprocess.run([str(BIN / "gongjian-server"), "init", "--data-dir", str(data), "--dev", "--storage", database.url],
                          capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, init.stderr
    nodes = [Node(data), Node(data)]
    run = Run(nodes, data)
    threads = [threading.Thread(target=run.pusher, args=(n,), daemon=True) for n in range(4)]
    threads += [threading.Thread(target=run.subscriber, args=(n,), daemon=True) for n in range(2)]
    threads += [threading.Thread(target=run.other_office, daemon=True), threading.Thread(target=run.puller, daemon=True)]
    for thread in threads:
        thread.start()
    faults = {"database killed": 0, "node killed": 0, "failover": 0}
    started = time.time()
    turn = 0
    try:
        log(f"two nodes {[n.address for n in nodes]} on {database.url}, data in {data}")
        while time.time() - started < seconds:
            time.sleep(every)
            kind = ["database killed", "node killed", "failover"][turn % 3]
            turn += 1
            if kind == "database killed":
                database.primary.kill()
                time.sleep(2)
                database.primary.resume()
            elif kind == "node killed":
                victim = nodes[turn % 2]
                victim.kill()
                time.sleep(1)
                victim.restart()
            else:
                database.fail_over()
            faults[kind] += 1
            log(f"{kind}; {len(run.acknowledged)} acknowledged so far")
        time.sleep(3)
    finally:
        run.stop.set()
        for thread in threads:
            thread.join(10)
    try:
        lost, duplicated, in_order, repeats = check(run, nodes, data)
    finally:
        for node in nodes:
            if node.proc.poll() is None:
                stop_server(node.proc)
        database.stop()
    latencies = sorted(run.other_latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else float("nan")
    report = {
        "seconds": round(time.time() - started), "faults": faults, "acknowledged": len(run.acknowledged),
        "lost": len(lost), "duplicated": duplicated, "feed in order": in_order, "subscriber repeats": repeats,
        "longest write outage (s)": round(run.longest_gap, 2),
        "other office p99 (s)": round(p99, 3), "other office median (s)": round(statistics.median(latencies), 3) if latencies else None,
    }
    failed = bool(lost) or duplicated or not in_order or repeats
    print("\nTORTURE (PostgreSQL)", "FAILED" if failed else "PASSED")
    for key, value in report.items():
        print(f"  {key}: {value}")
    return 1 if failed else 0
