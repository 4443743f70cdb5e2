"""Memory of stalled subscribers (issue 8): a leak or the allocator? Starts the server with
dev/memory/malloc-stats.c preloaded, opens N subscriptions that never read, closes them, and prints
RSS beside glibc's bytes in use and kept, before and after malloc_trim(0).

    dev/memory/stalled-subscribers.py [N]   (after dev/test.sh or dev/torture.sh generated the stubs)"""
import os, pathlib, signal, socket, subprocess, sys, tempfile, time, uuid
ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "Tests" / "interop"))
sys.path.insert(0, str(ROOT / "Tests" / "interop" / "generated"))
os.environ.setdefault("GONGJIAN_BIN_DIR", str(ROOT / ".build" / "debug"))
from conftest import start_server, stop_server
from test_hardening import connect, context
from test_http2_limits import RawConnection, frame, request_block, HEADERS, DATA, END_HEADERS, END_STREAM
from test_interop import channel, park
from gongjian.v1 import sync_pb2, sync_pb2_grpc
data = pathlib.Path(tempfile.mkdtemp())
work = pathlib.Path(tempfile.mkdtemp())
preload, report = work / "malloc-stats.so", work / "report"
subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", str(preload), str(ROOT / "dev" / "memory" / "malloc-stats.c")], check=True)
report.touch()
proc, address = start_server(data, env={"LD_PRELOAD": str(preload), "MALLOC_STATS_FILE": str(report)})
def rss():
    for line in open(f"/proc/{proc.pid}/status"):
        if line.startswith("VmRSS"): return int(line.split()[1])
def stats(label, sig=signal.SIGUSR1):
    os.kill(proc.pid, sig); time.sleep(0.3)
    print(label, "RSS KiB", rss(), report.read_text().strip().splitlines()[-1], flush=True)
with channel(address, data, "sihong.gov") as ch:
    sync = sync_pb2_grpc.SyncStub(ch)
    for batch in range(20):
        sync.Push(sync_pb2.PushRequest(tenant_id="changshu-sihong", client_id="s", mutations=[
            sync_pb2.Mutation(mutation_id=str(uuid.uuid4()), kind="park", record_id=str(uuid.uuid4()), base_version=0, payload=park("园" * 300 + str(i)))
            for i in range(100)]), timeout=30)
time.sleep(1); stats("baseline")
conns = []
request = sync_pb2.SubscribeRequest(tenant_id="changshu-sihong", cursor=0).SerializeToString()
for n in range(int(sys.argv[1]) if len(sys.argv) > 1 else 100):
    raw = RawConnection(address, data)
    block = request_block(raw.encoder, path="/gongjian.v1.Sync/Subscribe")
    raw.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.send(frame(HEADERS, END_HEADERS, 1, block) + frame(DATA, END_STREAM, 1, b"\0" + len(request).to_bytes(4, "big") + request))
    conns.append(raw)
time.sleep(5); stats(f"{len(conns)} stalled subscribers")
for raw in conns: raw.close()
time.sleep(5); stats("closed, after 5 s")
time.sleep(10); stats("closed, after 15 s")
time.sleep(55); stats("closed, after 70 s (the server trims every 60 s)")
stats("after malloc_trim(0)", signal.SIGUSR2); time.sleep(0.5); stats("after malloc_trim(0)")
stop_server(proc)
