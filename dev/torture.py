"""Torture run against the real server binary (issue 8; not part of CI): kill -9 rounds under
concurrent pushers and subscribers, a rapid-reset flood while another office's latency is
measured, thousands of connections opened and dropped, and every malformed input of the
outside probe. Prints the counts at the end; exits 1 if anything acknowledged was lost or
duplicated, or a malformed input was not refused as expected."""
import argparse
import os
import pathlib
import random
import signal
import socket
import ssl
import statistics
import struct
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
from conftest import start_server, stop_server  # noqa: E402
from gongjian.v1 import identity_pb2, identity_pb2_grpc, sync_pb2, sync_pb2_grpc  # noqa: E402
from test_hardening import H2, connect, context  # noqa: E402
from test_http2_limits import CANCEL, END_HEADERS, HEADERS, RST_STREAM, RawConnection, frame, request_block  # noqa: E402
from test_interop import channel, park  # noqa: E402

TENANT, WRITERS, READER = "changshu-sihong", ["sihong.gov", "changshu.commerce", "suqian.commerce"], "sihong.gov"


def log(*parts):
    print(time.strftime("%H:%M:%S"), *parts, flush=True)


class Server:
    """The server on a fixed port, restarted after each kill."""

    def __init__(self, data):
        self.data = data
        self.proc, self.address = start_server(data)
        self.port = self.address.rsplit(":", 1)[1]

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def restart(self):
        args = ["serve", "--listen", f"127.0.0.1:{self.port}"]
        for _ in range(50):
            proc = subprocess.Popen(
                [str(pathlib.Path(os.environ["GONGJIAN_BIN_DIR"]) / "gongjian-server"), *args, "--data-dir", str(self.data)],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            )
            line = proc.stdout.readline()
            if "listening on" in line:
                self.proc = proc
                return
            proc.wait()
            time.sleep(0.2)
        raise RuntimeError("the server did not restart")


def kill_rounds(server, rounds):
    """Pushers push new records (retrying each mutation with its own id until answered) and
    subscribers follow the feed, while the server is killed with SIGKILL and restarted."""
    acknowledged, conflicts, gaps, repeats = {}, [0], [0], [0]
    stop = threading.Event()
    lock = threading.Lock()

    def pusher(office, client):
        while not stop.is_set():
            record_id = str(uuid.uuid4())
            request = sync_pb2.PushRequest(tenant_id=TENANT, client_id=client, mutations=[
                sync_pb2.Mutation(mutation_id=str(uuid.uuid4()), kind="park", record_id=record_id, base_version=0, payload=park("压力园区")),
            ])
            while True:  # the same mutation id until an answer comes
                try:
                    with channel(server.address, server.data, office) as ch:
                        answer = sync_pb2_grpc.SyncStub(ch).Push(request, timeout=5)
                    break
                except grpc.RpcError:
                    if stop.is_set():
                        return
                    time.sleep(0.05)
            outcome = answer.results[0].WhichOneof("outcome")
            with lock:
                if outcome == "applied":
                    acknowledged[record_id] = answer.results[0].applied.sequence
                elif outcome == "conflict":
                    conflicts[0] += 1

    def subscriber():
        cursor = 0
        while not stop.is_set():
            try:
                with channel(server.address, server.data, READER) as ch:
                    stream = sync_pb2_grpc.SyncStub(ch).Subscribe(sync_pb2.SubscribeRequest(tenant_id=TENANT, cursor=cursor), timeout=30)
                    for event in stream:
                        if stop.is_set():
                            stream.cancel()
                            return
                        if event.WhichOneof("event") == "changes":
                            for record in event.changes.records:
                                with lock:
                                    if record.sequence <= cursor:
                                        repeats[0] += 1
                                    elif record.sequence != cursor + 1 and cursor > 0:
                                        # Compaction may skip superseded sequences; none here (creates only).
                                        gaps[0] += 1
                                cursor = max(cursor, record.sequence)
            except grpc.RpcError:
                time.sleep(0.05)

    threads = [threading.Thread(target=pusher, args=(office, f"torture-{index}"), daemon=True) for index, office in enumerate(WRITERS * 2)]
    threads += [threading.Thread(target=subscriber, daemon=True) for _ in range(3)]
    for thread in threads:
        thread.start()
    for round_ in range(rounds):
        time.sleep(random.uniform(0.3, 1.5))
        server.kill()
        time.sleep(random.uniform(0.0, 0.3))
        server.restart()
        if (round_ + 1) % 10 == 0:
            log(f"kill -9 round {round_ + 1}/{rounds}: {len(acknowledged)} acknowledged so far")
    time.sleep(1)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    # Every acknowledged record is in the feed exactly once, at the acknowledged sequence.
    seen = {}
    with channel(server.address, server.data, READER) as ch:
        sync, cursor = sync_pb2_grpc.SyncStub(ch), 0
        while True:
            page = sync.Pull(sync_pb2.PullRequest(tenant_id=TENANT, cursor=cursor, page_size=5000), timeout=30)
            for record in page.records:
                seen.setdefault(record.id, []).append(record)
            cursor = page.next_cursor
            if not page.more:
                break
    lost = sum(1 for record_id in acknowledged if record_id not in seen)
    duplicated = sum(1 for record_id in acknowledged if len(seen.get(record_id, [])) > 1 or (seen.get(record_id) and seen[record_id][0].version != 1))
    return {"acknowledged": len(acknowledged), "lost": lost, "duplicated": duplicated, "conflicts on retry": conflicts[0],
            "subscriber gaps": gaps[0], "subscriber repeats": repeats[0]}


def reset_flood(server, seconds):
    """One office floods HEADERS+RST_STREAM (reconnecting after each GOAWAY); another office's
    WhoAmI latency is measured on its own connection, before and during the flood."""
    def latencies(duration):
        samples, end = [], time.time() + duration
        with channel(server.address, server.data, "changshu.commerce") as ch:
            stub = identity_pb2_grpc.IdentityStub(ch)
            stub.WhoAmI(identity_pb2.WhoAmIRequest(), timeout=10)
            while time.time() < end:
                start = time.perf_counter()
                stub.WhoAmI(identity_pb2.WhoAmIRequest(), timeout=10)
                samples.append((time.perf_counter() - start) * 1000)
        return samples

    quiet = latencies(seconds / 2)
    stop, floods, resets = threading.Event(), [0], [0]

    def flood():
        while not stop.is_set():
            try:
                raw = RawConnection(server.address, server.data)
                block = request_block(raw.encoder)
                for index in range(100_000):
                    if stop.is_set() or not raw.send(frame(HEADERS, END_HEADERS, 1 + 2 * index, block) + frame(RST_STREAM, 0, 1 + 2 * index, struct.pack(">I", CANCEL))):
                        break
                    resets[0] += 1
                raw.close()
                floods[0] += 1
            except OSError:
                time.sleep(0.01)

    thread = threading.Thread(target=flood, daemon=True)
    thread.start()
    loaded = latencies(seconds)
    stop.set()
    thread.join(timeout=10)

    def p(samples, q):
        return round(statistics.quantiles(samples, n=100)[q - 1], 2)

    return {"flood connections": floods[0], "resets sent": resets[0], "other office calls": len(loaded),
            "p50 ms quiet": p(quiet, 50), "p99 ms quiet": p(quiet, 99), "p50 ms flooded": p(loaded, 50), "p99 ms flooded": p(loaded, 99)}


def connection_churn(server, count):
    """Opens and drops `count` connections (half of them after a full mutual-TLS handshake)."""
    host, port = server.address.rsplit(":", 1)
    fds_before = len(os.listdir(f"/proc/{server.proc.pid}/fd"))
    ctx = context(server.data)
    refused = 0
    start = time.time()
    for index in range(count):
        try:
            if index % 2:
                connect(server.address, ctx).close()
            else:
                socket.create_connection((host, int(port)), timeout=5).close()
        except OSError:
            refused += 1
    elapsed = time.time() - start
    time.sleep(2)
    fds_after = len(os.listdir(f"/proc/{server.proc.pid}/fd"))
    with channel(server.address, server.data, "changshu.commerce") as ch:
        identity_pb2_grpc.IdentityStub(ch).WhoAmI(identity_pb2.WhoAmIRequest(), timeout=10)
    return {"connections": count, "refused": refused, "seconds": round(elapsed, 1), "server fds before": fds_before, "server fds after": fds_after}


def malformed_inputs(server):
    """Every malformed input of the probe; each must get its documented refusal."""
    import test_hardening as hardening
    checks = {}

    def check(name, body):
        try:
            body()
            checks[name] = "ok"
        except Exception as error:  # noqa: BLE001 — reported, not raised
            checks[name] = f"FAILED: {error!r}"

    fixture = (server.address, server.data)
    check("CBC suites refused", lambda: [hardening.test_tls12_cbc_suites_refused(fixture, suite) for suite in ["ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA"]])
    check("alerts", lambda: hardening.test_alerts_name_the_reason(fixture))
    check("two office URIs", lambda: hardening.test_two_office_uris_refused(fixture))
    check("resumed session", lambda: hardening.test_resumed_session_keeps_its_identity(fixture))
    check("forged identity header", lambda: hardening.test_identity_header_from_a_client_is_ignored(fixture))
    check("compressed flag 2", lambda: hardening.test_bad_compressed_flags(fixture, 2, (), "13", "invalid compressed flag 2"))
    check("compressed without encoding", lambda: hardening.test_bad_compressed_flags(fixture, 1, (), "13", "without a grpc-encoding header"))
    check("oversize prefix", lambda: hardening.test_oversize_length_prefix_answers_resource_exhausted(fixture))
    return checks


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--flood-seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=5000)
    parser.add_argument("--postgres", action="store_true",
                        help="instead: two nodes on a primary with a synchronous standby behind HAProxy, killing "
                             "PostgreSQL, a node and the primary (failover) in turns")
    parser.add_argument("--seconds", type=float, default=120, help="with --postgres: how long")
    parser.add_argument("--every", type=float, default=10, help="with --postgres: seconds between faults")
    options = parser.parse_args()
    if options.postgres:
        from torture_postgres import torture
        sys.exit(torture(options.seconds, options.every))
    data = pathlib.Path(tempfile.mkdtemp(prefix="gongjian-torture-"))
    server = Server(data)
    results = {}
    try:
        log(f"server on {server.address}, data in {data}")
        results["kill -9"] = kill_rounds(server, options.rounds)
        log("kill -9:", results["kill -9"])
        results["rapid reset"] = reset_flood(server, options.flood_seconds)
        log("rapid reset:", results["rapid reset"])
        results["churn"] = connection_churn(server, options.connections)
        log("connections:", results["churn"])
        results["malformed"] = malformed_inputs(server)
        log("malformed inputs:", results["malformed"])
    finally:
        stop_server(server.proc)
    failed = (
        results["kill -9"]["lost"] or results["kill -9"]["duplicated"] or results["kill -9"]["subscriber repeats"]
        or any(value != "ok" for value in results["malformed"].values())
    )
    print("\nTORTURE", "FAILED" if failed else "PASSED")
    for section, counts in results.items():
        print(f"  {section}: " + ", ".join(f"{key} {value}" for key, value in counts.items()))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
