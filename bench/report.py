"""Writes bench/results/<date>.json and BENCHMARKS.md from one run's JSON lines.

Usage: report.py RESULTS.jsonl [BASELINE.json], or report.py bench/results/DATE.json [BASELINE.json]
to rewrite BENCHMARKS.md from a stored run. Every figure in BENCHMARKS.md comes from RESULTS,
except the sentences that name the baseline run, its date and its file.
"""
import datetime
import json
import os
import platform
import subprocess
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
previous = json.load(open(sys.argv[2])) if len(sys.argv) > 2 and os.path.exists(sys.argv[2]) else None
stored = json.load(open(sys.argv[1])) if sys.argv[1].endswith(".json") else None
if stored:
    rows = stored["results"]
    today = datetime.datetime.fromisoformat(stored["date"])
else:
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    today = datetime.datetime.now(datetime.timezone.utc)


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next((l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")), "0")
    swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(int(mem) / 1024 / 1024, 1),
            "kernel": platform.release(), "swift": swift}


info = stored["machine"] if stored else machine()
os.makedirs(os.path.join(root, "bench", "results"), exist_ok=True)
result_path = os.path.join(root, "bench", "results", today.strftime("%Y-%m-%d") + ".json")
if not stored:
    with open(result_path, "w") as out:
        json.dump({"date": today.isoformat(), "machine": info, "results": rows}, out, indent=2, ensure_ascii=False)


def find(scenario, source=None, **match):
    for row in (source if source is not None else rows):
        if row.get("scenario") == scenario and all(row.get(k) == v for k, v in match.items()):
            return row
    return None


def f(x, digits=0):
    return f"{x:,.{digits}f}"


def kib(x):
    return f"{x / 1024:,.1f} KiB"


prev_rows = previous["results"] if previous else []
prev_label = (f"baseline run ({previous['date'][:16].replace('T', ' ')} UTC, `bench/results/{os.path.basename(sys.argv[2])}`)"
              if previous else None)

u16, u1 = find("unary", connections=16, path=None), find("unary", connections=1, path=None)
go16, go1 = find("h2load", peer="greeter-go", connections=16), find("h2load", peer="greeter-go", connections=1)
sw16, sw1 = find("h2load", peer="greeter-swift", connections=16), find("h2load", peer="greeter-swift", connections=1)
h2c16, h2c1 = find("h2load", peer="greeter-swift-h2c", connections=16), find("h2load", peer="greeter-swift-h2c", connections=1)
ng16, ng1 = find("h2load", peer="nghttpd", connections=16), find("h2load", peer="nghttpd", connections=1)
p1, p100 = find("push", batch=1, path=None), find("push", batch=100, path=None)
r1, r100 = find("raw_sqlite", batch=1), find("raw_sqlite", batch=100)
fs = find("fsync")
pull, bulk = find("pull"), find("bulk_nghttpd")
seed = find("seed", records=1000000)
cli = find("cli_pull")
s_small, s_big = find("startup", records=196), find("startup", records=1100196)
c1k, c5k = find("connections", connections=1000), find("connections", connections=5000)
hs = find("handshakes")
fan = find("fanout", path=None)
cu16, cu1 = find("unary", connections=16, path="grpccore"), find("unary", connections=1, path="grpccore")
cfan, cp100 = find("fanout", path="grpccore"), find("push", batch=100, path="grpccore")
checks = [r for r in rows if r["scenario"] == "grpc_status_check"]

lines = [
    "# Benchmarks",
    "",
    f"One run of `bench/run` on {today.strftime('%Y-%m-%d %H:%M UTC')}: {info['cpu']}, {info['cores']} cores, "
    f"{info['memory_gib']} GiB, Linux {info['kernel']}, {info['swift']}. Release builds; servers and load generators "
    "share the machine's 2 cores, so server CPU time per unit (from /proc/PID/stat) is the figure to compare. Every figure "
    f"below comes from that run (`bench/results/{os.path.basename(result_path)}`), except where a sentence names the baseline run.",
    "",
    "## Unary",
    "",
    "Gongjian's `whoami` is called over mutual TLS by the project's load generator (`gongjian-bench`, on GongjianClient). "
    "The peers are called by h2load, which cannot present a client certificate, so they serve TLS with the same ECDSA P-256 "
    "server certificate and no client authentication: nghttpd serving an 11-byte file (the HTTP/2-over-TLS ceiling), and "
    "a greeter (`helloworld.Greeter/SayHello`, `google.protobuf.StringValue` in and out) on grpc-go (`bench/peers/greeter-go`, "
    "built from Debian's Go packages) and on bare grpc-swift-2 (`gongjian-bench greeter`: the same transport as Gongjian, no "
    "interceptor, no storage), the latter also over plaintext h2c. h2load counts HTTP status only; a stock grpcio client "
    "called each greeter before and after its load and got grpc-status OK and the expected reply "
    f"({len([c for c in checks if c['code'] == 'OK'])} of {len(checks)} checks).",
    "",
    "| server | load | RPCs/s | latency | server CPU per RPC | CPU ratio to grpc-go |",
    "| --- | --- | ---: | --- | ---: | ---: |",
]


def unary_row(name, load, row, go):
    if not row:
        return
    if "p50_us" in row:
        latency = f"p50 {f(row['p50_us'])} µs, p99 {f(row['p99_us'])} µs"
    else:
        latency = f"mean {f(row['mean_us'])} µs, max {f(row['max_us'])} µs"
    ratio = f"{row['server_cpu_us_per_unit'] / go['server_cpu_us_per_unit']:.1f}×" if go else "–"
    lines.append(f"| {name} | {load} | {f(row['rps'])} | {latency} | {f(row['server_cpu_us_per_unit'], 1)} µs | {ratio} |")


for load, (g, s, h, n, go, ng) in (("16 conn × 10 streams", (u16, sw16, h2c16, ng16, go16, ng16)), ("one at a time", (u1, sw1, h2c1, ng1, go1, ng1))):
    unary_row("Gongjian whoami, mutual TLS", load, g, go)
    unary_row("grpc-swift-2 greeter, TLS", load, s, go)
    unary_row("grpc-swift-2 greeter, h2c", load, h, go)
    unary_row("grpc-go greeter, TLS", load, go, go)
    unary_row("nghttpd static file, TLS", load, n, go)
if prev_rows:
    pu16 = find("unary", prev_rows, connections=16)
    if pu16 and u16:
        lines += ["", f"Gongjian whoami under load in the {prev_label}, before the changes listed under Findings: {f(pu16['rps'])} RPCs/s, "
                  f"{f(pu16['server_cpu_us_per_unit'], 1)} µs of server CPU per RPC; now {f(u16['rps'])} and "
                  f"{f(u16['server_cpu_us_per_unit'], 1)} µs."]
if u16 and go16:
    ratio = u16["server_cpu_us_per_unit"] / go16["server_cpu_us_per_unit"]
    lines += ["", f"Goal \"unary server CPU per RPC no worse than grpc-go's\": {ratio:.1f}× grpc-go's, missed. "
              + (f"The bare grpc-swift-2 greeter alone costs {sw16['server_cpu_us_per_unit'] / go16['server_cpu_us_per_unit']:.1f}× "
                 f"grpc-go's ({f(sw16['server_cpu_us_per_unit'], 1)} against {f(go16['server_cpu_us_per_unit'], 1)} µs) and "
                 f"{f(h2c16['server_cpu_us_per_unit'], 1)} µs without TLS, so most of the gap is the stack, not Gongjian's handlers; "
                 "see \"Where the time goes\"." if sw16 and h2c16 else "")]
gg16, gg1 = find("unary_go", peer="gongjian", connections=16), find("unary_go", peer="gongjian", connections=1)
ggo16, ggo1 = find("unary_go", peer="greeter-go", connections=16), find("unary_go", peer="greeter-go", connections=1)
gsw16, gsw1 = find("unary_go", peer="greeter-swift", connections=16), find("unary_go", peer="greeter-swift", connections=1)
if gg16 and ggo16:
    lines += ["", "### One load generator for every server", "",
              "h2load cannot present a client certificate, and `gongjian-bench` runs on grpc-swift's client, which spends more "
              "per call than the servers measured; so the same loads were also driven by one client for all: a unary load "
              "generator on grpc-go (`bench/peers/unary-go`, requests as pre-encoded bytes), calling Gongjian's `whoami` over "
              "mutual TLS and the greeters over TLS, 10 s each.", "",
              "| server | load | RPCs/s | p50 | p99 | server CPU per RPC | RPCs/s to grpc-go's | CPU to grpc-go's |",
              "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for load, rows_ in (("16 conn × 10 streams", (gg16, gsw16, ggo16)), ("one at a time", (gg1, gsw1, ggo1))):
        go_row = rows_[2]
        for name, row in zip(("Gongjian whoami, mutual TLS", "grpc-swift-2 greeter, TLS", "grpc-go greeter, TLS"), rows_):
            if not row or not go_row:
                continue
            lines.append(f"| {name} | {load} | {f(row['rps'])} | {f(row['p50_us'])} µs | {f(row['p99_us'])} µs | "
                         f"{f(row['server_cpu_us_per_unit'], 1)} µs | {row['rps'] / go_row['rps']:.2f} | "
                         f"{row['server_cpu_us_per_unit'] / go_row['server_cpu_us_per_unit']:.1f}× |")
    if gg1 and ggo1:
        lines += ["", f"Goal \"one-at-a-time rate at least 0.7× grpc-go's\", with this one client: {gg1['rps'] / ggo1['rps']:.2f}× "
                  f"({f(gg1['rps'])} against {f(ggo1['rps'])} RPCs/s), {'met' if gg1['rps'] / ggo1['rps'] >= 0.7 else 'missed'}. "
                  f"Server CPU per RPC under load with this client: {gg16['server_cpu_us_per_unit'] / ggo16['server_cpu_us_per_unit']:.1f}× "
                  f"grpc-go's (goal at most 2×: {'met' if gg16['server_cpu_us_per_unit'] / ggo16['server_cpu_us_per_unit'] <= 2 else 'missed'})."]
ip16, ip1 = find("inprocess_greeter", concurrency=16), find("inprocess_greeter", concurrency=1)
if ip16 and go16 and sw16:
    lines += ["", f"GRPCCore alone: the same greeter through GRPCCore over its in-process transport (`gongjian-bench inprocess-greeter`: "
              f"client and server in one process, no HTTP/2, no TLS, no sockets) costs {f(ip16['cpu_us_per_rpc'], 1)} µs of CPU per RPC "
              f"for client and server together with 16 callers ({f(ip16['rpcs_per_s'])} RPCs/s)"
              + (f" and {f(ip1['cpu_us_per_rpc'], 1)} µs one at a time ({f(ip1['rpcs_per_s'])} RPCs/s)" if ip1 else "")
              + f", against {f(sw16['server_cpu_us_per_unit'], 1)} µs of server CPU for the greeter over HTTP/2 and TLS and "
              f"{f(go16['server_cpu_us_per_unit'], 1)} µs for grpc-go's: GRPCCore's own per-RPC work is itself several times grpc-go's "
              "whole server."]

if cu16 and u16:
    lines += ["", "### The lean path against GRPCCore's executor, in this run", "",
              "Gongjian serves every call on a lean path, on HTTP/2 connections of its own (docs/DESIGN.md, "
              "\"A lean server path\"). The same loads against the same server with `transport.lean_path: false`, which "
              "serves every call through grpc-swift-nio-transport and GRPCCore's executor and interceptor as before:", "",
              "| load | lean path | through GRPCCore | lean / GRPCCore |", "| --- | ---: | ---: | ---: |"]

    def compare(name, lean, core, key, unit, digits=1):
        if lean and core:
            lines.append(f"| {name} | {f(lean[key], digits)} {unit} | {f(core[key], digits)} {unit} | {lean[key] / core[key]:.2f} |")

    compare("whoami 16 × 10: server CPU per RPC", u16, cu16, "server_cpu_us_per_unit", "µs")
    compare("whoami 16 × 10: RPCs/s", u16, cu16, "rps", "", 0)
    compare("whoami one at a time: RPCs/s", u1, cu1, "rps", "", 0)
    compare("whoami one at a time: server CPU per RPC", u1, cu1, "server_cpu_us_per_unit", "µs")
    if fan and cfan:
        lean_us = fan["server_cpu_s"] * 1e6 / max(fan["deliveries"], 1)
        core_us = cfan["server_cpu_s"] * 1e6 / max(cfan["deliveries"], 1)
        lines.append(f"| fan-out: server CPU per delivery | {lean_us:.1f} µs | {core_us:.1f} µs | {lean_us / core_us:.2f} |")
        compare("fan-out: p99 commit to delivery", fan, cfan, "p99_ms", "ms")
    if p100 and cp100:
        lean_us, core_us = (r["server_cpu_s"] * 1e6 / r["records"] for r in (p100, cp100))
        lines.append(f"| push, 100 records per push: server CPU per record | {lean_us:.1f} µs | {core_us:.1f} µs | {lean_us / core_us:.2f} |")

lines += ["", "## Where the time goes", ""]
profiles = [r for r in rows if r["scenario"] == "profile"]
if profiles:
    lines += [
        "Share of the server's CPU samples (perf with the software clock, 499 Hz, call graphs; this machine has no hardware "
        "counters) under frames that mark a stage. Shares are inclusive, so nested stages overlap: the TLS handler's reads "
        "include the HTTP/2 and gRPC handlers they feed. \"(self)\" rows count only the named functions' own time.",
        "",
        "| stage | " + " | ".join(p["what"] for p in profiles) + " |",
        "| --- | " + " | ".join("---:" for _ in profiles) + " |",
    ]
    for stage in profiles[0]["stages_pct"]:
        values = [p["stages_pct"].get(stage, 0) for p in profiles]
        if any(v >= 0.5 for v in values):
            lines.append(f"| {stage} | " + " | ".join(f"{v:.1f}%" for v in values) + " |")
    lines.append("| samples | " + " | ".join(f(p["samples"]) for p in profiles) + " |")
allocs = [r for r in rows if r["scenario"] == "allocations"]
if allocs:
    lines += [
        "",
        "Allocations, counted by ordo-one's malloc-interposer (1.6.1, from the package mirror) preloaded into the server, "
        "with a small preload of ours (`bench/peers/malloc-report`) that reads its counters on SIGUSR1 around a load; "
        "server side only (the load generator is another process). Live bytes are allocated minus freed: what stays.",
        "",
        "| server, load | per | mallocs | bytes allocated | live bytes | largest buffers (bytes × count per unit) |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    for a in allocs:
        largest = ", ".join(f"{f(size)} × {per:g}" for size, per in a.get("large_allocations_per_unit", [])[:4]) or "–"
        lines.append(f"| {a['what']} | {a['unit']} | {f(a['mallocs_per_unit'], 1)} | {f(a['bytes_per_unit'])} | {f(a['live_bytes_per_unit'])} | {largest} |")

whoami_profile = find("profile", what="whoami (16 x 10)")
greeter_alloc = find("allocations", what="grpc-swift-2 greeter, SayHello over TLS (h2load, 16 x 10)")
whoami_alloc = find("allocations", what="Gongjian whoami over mutual TLS (16 x 10)")
if u16 and go16 and sw16 and h2c16 and ng16:
    st = whoami_profile["stages_pct"] if whoami_profile else None
    findings = [
        "", "### Findings", "",
        f"- The stack, not Gongjian's handlers, is most of the unary cost. The bare grpc-swift-2 greeter costs "
        f"{f(sw16['server_cpu_us_per_unit'], 1)} µs per RPC over TLS and {f(h2c16['server_cpu_us_per_unit'], 1)} µs over h2c; grpc-go "
        f"{f(go16['server_cpu_us_per_unit'], 1)} µs and nghttpd {f(ng16['server_cpu_us_per_unit'], 1)} µs per request over TLS. "
        f"Gongjian's whoami over mutual TLS, with authentication, the directory and the handler, costs "
        f"{f(u16['server_cpu_us_per_unit'], 1)} µs (under a different load generator, so the comparison with the greeter is approximate).",
    ]
    if st:
        findings.append(
            f"- In whoami's profile, BoringSSL's own crypto and record layer is {st['BoringSSL crypto and record layer (self)']:.1f}% of the "
            f"samples; the Swift side of the pipeline dominates: the TLS handler's reads and flushes (which carry the HTTP/2 and gRPC "
            f"handlers) {st['TLS (NIOSSL handler, reads and flushes)']:.1f}%, retain/release {st['swift_retain/release (self)']:.1f}%, "
            f"malloc/free {st['malloc/free (self)']:.1f}%, while the lean path's reading and running of the call on the event "
            f"loop (caller resolution, the handler and its encoding included) is "
            f"{st.get('lean path: calls read and run on the event loop (LeanConnectionHandler)', 0):.1f}%, caller resolution alone "
            f"{st['caller resolution (revocation, directory)']:.1f}%.")
    if greeter_alloc and whoami_alloc:
        findings.append(
            f"- Allocations per RPC: {f(greeter_alloc['mallocs_per_unit'])} for the bare greeter ({f(greeter_alloc['bytes_per_unit'])} bytes) "
            f"and {f(whoami_alloc['mallocs_per_unit'])} for whoami ({f(whoami_alloc['bytes_per_unit'])} bytes): the stack allocates "
            "for every stream (stream channel, its pipeline and handlers, async sequences between the event loop and the task), "
            "in line with the retain/release and malloc shares of the profile.")
    findings += [
        "- What changed since the baseline run (its figures are quoted beside this run's): the identity of a connection is "
        "established once by a listener of our own on `HTTP2ServerTransport.Custom` instead of `Posix`, which re-read and "
        "parsed the peer certificate on every stream; the certificate serial is hex-encoded without `String(format:)`; the "
        "authentication interceptor builds log metadata only when it logs; the required-text check no longer goes through "
        "NSString; SQLite reads through a memory map with a larger page cache; the change hub encodes each change once for all "
        "subscribers and appends in place; HTTP/2 gets a right-sized copy of each decrypted read, so NIOSSL's read buffer is no "
        "longer copied on write and held twice by every connection; flushes are merged per turn of the event loop between TLS "
        "and HTTP/2; pulled pages are written straight from the store's rows, without building and encoding messages; "
        "every call is served on a lean path with connections of its own (no grpc-swift stream handler, `NIOAsyncChannel`, "
        "task, executor, interceptor chain or async sequences per stream, `WhoAmI` answered on the event loop from the "
        "directory cache); the directory cache's reads are shared by "
        "the calls that miss it at once; subscribers are woken by a signal of our own instead of an `AsyncStream`; the small "
        "writes of a flush are joined into TLS records; grpc-swift's timed flush coalescing is off.",
        "- What would close the rest of the gap, in order of expected gain: (1) each stream handled inside the connection's "
        "pipeline by stream id, without a child channel and its pipeline (SwiftNIO's inline HTTP/2 measured at 1.4× grpc-go "
        "against 2.0× with a child channel per stream, in the issue's measurement); the room is bounded by whoami's "
        f"{f(u16['server_cpu_us_per_unit'], 1)} µs against nghttpd's {f(ng16['server_cpu_us_per_unit'], 1)} µs per request; "
        "(2) the call's admission (metadata, caller, metrics and log line) made cheaper per call; (3) NIOSSL's buffers "
        "released when idle, for connection memory (below).",
    ]
    lines += findings

lines += ["", "## Durable push", "",
          "| push | records/s | p50 ack | p99 ack | server CPU per record | raw SQLite, same batch | ratio |",
          "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
for label, row, raw in (("16 clients, 1 record per push", p1, r1), ("16 clients, 100 records per push", p100, r100)):
    if row and raw:
        lines.append(
            f"| {label} | {f(row['records_per_s'])} | {f(row['p50_ack_us'] / 1000, 1)} ms | {f(row['p99_ack_us'] / 1000, 1)} ms | "
            f"{f(row['server_cpu_s'] * 1e6 / row['records'], 0)} µs | {f(raw['records_per_s'])} | {row['records_per_s'] / raw['records_per_s']:.2f} |"
        )
if fs:
    lines += ["", f"fsync rate of this disk (4 KiB write + fsync): {f(fs['fsyncs_per_s'])}/s. Raw SQLite: Python's sqlite3, "
              "WAL, synchronous=FULL, one transaction per batch, one row per record, in the same run. Each pushed record "
              "writes four rows (change, record, audit entry, idempotency key) with their indexes, and two SHA-256 digests, "
              "in the same transaction."]
if prev_rows:
    pp1, pp100 = find("push", prev_rows, batch=1), find("push", prev_rows, batch=100)
    if pp1 and pp100 and p1 and p100:
        lines += ["", f"In the {prev_label}: {f(pp1['records_per_s'])} and {f(pp100['records_per_s'])} records/s."]
if p100 and r100:
    ratio = p100["records_per_s"] / r100["records_per_s"]
    push_profile = find("profile", what="push, 100 records per push (16 clients)")
    cause = ""
    if push_profile:
        st = push_profile["stages_pct"]
        cause = (f" Measured cause: the server is CPU-bound, not fsync-bound (fdatasync {st['kernel: fdatasync']:.1f}% of its samples). "
                 f"The SQLite transaction takes {st['SQLite transaction (GRDB write)']:.1f}% (of which planning in PushApplier "
                 f"{st.get('commit planning (PushApplier, passes included)', 0):.1f}%, pwrite {st['kernel: pwrite']:.1f}% and "
                 f"pread {st['kernel: pread']:.1f}%: four rows and their indexes per record against the raw test's one), validation "
                 f"{st['validation (kind rules)']:.1f}%, the audit chain's SHA-256 {st['audit hash (SHA-256)']:.1f}%, "
                 f"publishing to subscribers {st['change hub publish']:.1f}%; the rest is decoding, gRPC and TLS.")
    verdict = "met" if ratio >= 0.5 else "missed"
    lines += ["", f"Goal \"durable push at least half the raw SQLite batched insert rate\": {ratio:.2f} of it at 100 records per push, {verdict}.{cause}"]

if fan:
    rate = fan["commits"] / 10
    if rate < 90:
        verdict = f"not shown, since only {rate:.0f} commits per second were reached"
    else:
        verdict = "met" if fan["p99_ms"] < 50 else "missed"
    per_delivery = fan["server_cpu_s"] * 1e6 / max(fan["deliveries"], 1)
    lines += [
        "", "## Fan-out", "",
        f"{f(fan['subscribers'])} live subscribers on one tenant over {fan['connections']} connections ({f(fan['live'])} caught up "
        f"before writing began); a writer offering 100 commits per second, each push started on schedule without waiting for "
        f"the previous acknowledgement ({f(fan.get('offered', fan['commits']))} offered, {f(fan['commits'])} committed in 10 s). "
        f"Deliveries: {f(fan['deliveries'])} of {f(fan['expected_deliveries'])} expected. Commit-to-delivery latency (from the "
        f"change's server timestamp to its arrival at the subscriber): p50 {f(fan['p50_ms'], 1)} ms, p99 {f(fan['p99_ms'], 1)} ms, "
        f"max {f(fan['max_ms'], 1)} ms. Goal p99 under 50 ms at 100 commits per second: {verdict}.",
    ]
    fan_profile = find("profile", what="fan-out, 1,000 subscribers, 100 commits/s")
    if verdict == "missed":
        cause = (f" Measured cause: the two cores are saturated. The server spent {f(fan['server_cpu_s'], 1)} s of CPU in the "
                 f"10 s ({f(per_delivery, 1)} µs per delivery) while the load generator decoded the 1,000 streams on the same cores, "
                 "so messages queue.")
        if fan_profile:
            st = fan_profile["stages_pct"]
            lean_writes = st.get("lean path: response writes to HTTP/2 and TLS", 0)
            writes = (f"writing the streams' messages (the lean path's sends, through HTTP/2 and TLS) takes {lean_writes:.1f}%"
                      if lean_writes else
                      f"writing the streams' messages through NIOAsyncChannel, HTTP/2 and TLS takes "
                      f"{st.get('stream writes (NIOAsyncChannel writer to HTTP/2 and TLS)', 0):.1f}%")
            cause += (f" In the server's profile of this scenario, {writes} of its samples and "
                      f"protobuf encoding {st.get('protobuf encoding of responses', 0):.1f}% (changes are encoded once per commit by "
                      f"the hub and sent as bytes; what remains is heartbeats and catch-up pages), the hub "
                      f"{st.get('change hub publish', 0):.1f}%. The cost is per message and per stream in the transport: one HTTP/2 "
                      "DATA frame per subscriber per commit, each through its stream's child channel (the flushes of one turn of the "
                      "event loop are merged into one, and the writes of a flush joined into TLS records, before TLS).")
        lines += ["", cause[1:]]

if c1k or c5k or hs:
    lines += ["", "## Connections", "",
              "Each connection is a full mutual-TLS handshake and one `whoami`, then stays idle; each count on a freshly started "
              "server (warmed by one call); resident memory from /proc/PID/status before and after.", "",
              "| idle connections | opened per second | server RSS before | after | per connection |",
              "| ---: | ---: | ---: | ---: | ---: |"]
    for c in (c1k, c5k):
        if c:
            lines.append(f"| {f(c['connections'])} | {f(c['connections_per_s'])} | {f(c['server_rss_before'] / 2**20, 1)} MiB | "
                         f"{f(c['server_rss_after'] / 2**20, 1)} MiB | {kib(c['bytes_per_connection'])} |")
    live = find("allocations", unit="connection")
    if c5k:
        per = c5k["bytes_per_connection"]
        verdict = "met" if per <= 64 * 1024 else "missed"
        extra = ""
        if live:
            big = [(size, per) for size, per in live.get("large_allocations_per_unit", []) if size >= 16384]
            held = "".join(f", {per:g} × {f(size)} bytes" for size, per in big)
            extra = (f" The live heap per open connection is {kib(live['live_bytes_per_unit'])} "
                     f"({f(live['mallocs_per_unit'])} allocations to open one; allocations table above){held}: NIOSSL gives every "
                     "connection a plaintext read buffer of two TLS records (32 KiB, `NIOSSLHandler.handlerAdded`) and an outbound "
                     "buffer it never shrinks (`maximumPreservedOutboundBufferCapacity: .max`), allocated for the connection's life "
                     "and not configurable. Resident memory grows by less than the live heap because an idle connection never "
                     "touches most pages of those buffers. A second 32 KiB buffer per connection is gone: HTTP/2's frame decoder "
                     "kept a slice of NIOSSL's read buffer, so NIOSSL's next read copied the buffer and both stayed; HTTP/2 now gets "
                     "a copy of each read (`ReadDetacher`, docs/DESIGN.md). Going further needs NIOSSL to release its buffers when "
                     "idle (as BoringSSL itself does), an upstream change.")
        lines += ["", f"Goal \"at most 64 KiB per idle connection\": {kib(per)} at 5,000, {verdict}.{extra}"]
    if hs:
        lines += ["", f"New connections (mutual-TLS handshake, one `whoami`, close) from 16 concurrent clients: "
                  f"{f(hs['handshakes_per_s'])} per second, p50 {f(hs['p50_us'] / 1000, 1)} ms, p99 {f(hs['p99_us'] / 1000, 1)} ms; "
                  f"server CPU {f(hs['server_cpu_us_per_unit'])} µs per connection (the client's handshakes share the cores)."]

lines += ["", "## Pull and the client", ""]
if seed:
    lines.append(f"- Seeding 1,000,000 records (4 clients, 500 per push): {f(seed['records_per_s'])} records/s.")
if pull:
    text = (f"- One client pulling {f(pull['records'])} records from scratch (pages of 5,000): {f(pull['records_per_s'])} records/s, "
            f"{f(pull['mb_per_s'], 1)} MB/s of protobuf; server CPU {f(pull['server_cpu_s'], 1)} s.")
    if bulk:
        rate = bulk["bytes"] / bulk["seconds"] / 1e6
        ratio = pull["mb_per_s"] / rate
        text += (f" nghttpd serving a file of the same size over TLS to h2load (three downloads on one connection): "
                 f"{f(rate, 1)} MB/s. Ratio {ratio:.2f} (goal at least 0.5: {'met' if ratio >= 0.5 else 'missed'}).")
        if ratio < 0.5 and "client_cpu_s" in pull:
            pull_profile = find("profile", what="pull of 1,000,000 records (pages of 5,000)")
            text += (f" Measured cause: in the {f(pull['seconds'], 1)} s of the pull the client used {f(pull['client_cpu_s'], 1)} s of CPU "
                     f"decoding 1,000,000 protobuf records and the server {f(pull['server_cpu_s'], 1)} s reading and encoding them "
                     f"({f(pull['server_cpu_s'] * 1e6 / pull['records'], 1)} µs per record); pages are requested one after another, "
                     "so the two take turns rather than overlap, while nghttpd copies file bytes.")
            if pull_profile:
                st = pull_profile["stages_pct"]
                text += (f" In the server's profile of the pull, reading the pages from SQLite takes "
                         f"{st.get('SQLite page reads (changes after a cursor)', 0):.1f}% of its samples and protobuf encoding "
                         f"{st.get('protobuf encoding of responses', 0):.1f}%.")
    ppull = find("pull", prev_rows) if prev_rows else None
    if ppull:
        text += f" In the {prev_label}: {f(ppull['records_per_s'])} records/s."
    lines.append(text)
mirror = find("mirror_sync")
if mirror:
    text = (f"- First sync of the same {f(mirror['records'])} records into an empty client mirror (SQLite, one transaction per page, "
            f"checksum {'verified' if mirror['verified'] else 'NOT verified'}): {f(mirror['records_per_s'])} records/s "
            f"in {f(mirror['seconds'], 1)} s, client CPU {f(mirror['client_cpu_s'], 1)} s; the mirror takes "
            f"{f(mirror['bytes_per_record'])} bytes on disk per record ({f(mirror['mirror_bytes'] / 1e6)} MB).")
    if pull:
        ratio = mirror["records_per_s"] / pull["records_per_s"]
        text += (f" That is {ratio:.2f}× the bare pull rate of this run (goal: at least 0.5, "
                 f"{'met' if ratio >= 0.5 else 'missed'}).")
    floor = find("mirror_floor")
    if floor and pull:
        text += (f" The floor, in the same run: Python's sqlite3 writing {f(floor['records'])} rows of the same size into the mirror's "
                 f"table and key (same pragmas, 50,000 per transaction, no network, no decoding) manages {f(floor['records_per_s'])} "
                 f"rows/s, {floor['records_per_s'] / pull['records_per_s']:.2f}× the bare pull rate; the client reaches "
                 f"{mirror['records_per_s'] / floor['records_per_s']:.2f}× that floor.")
    lines.append(text)
if cli:
    lines.append(f"- `gongjian pull --json` of {f(cli['records'])} records into a file: {f(cli['records'] / cli['seconds'])} records/s ({f(cli['seconds'], 1)} s).")
lines += ["", "## Start-up (process start to first served RPC, measured by a client retrying every 2 ms)", ""]
for row in (s_small, s_big):
    if row:
        verdict = "met" if row["ms_to_first_rpc"] < 200 else "missed"
        lines.append(f"- {f(row['records'])} records: {row['ms_to_first_rpc']} ms (goal under 200 ms: {verdict}).")
lines += ["", "## Commands", "", "    bench/run", "",
          "It installs what it lacks from Debian (nghttp2-client, nghttp2-server, golang-go and Debian's gRPC and protobuf Go "
          "sources, linux-perf), builds the grpc-go greeter in GOPATH mode and ordo-one's malloc-interposer in .build-bench, "
          "starts every server on loopback and stops them at the end.", ""]
# The storage backends' section comes from bench/storage's own run: kept as it is.
bench_path = os.path.join(root, "BENCHMARKS.md")
old = open(bench_path).read() if os.path.exists(bench_path) else ""
storage = old[old.index("<!-- storage:begin -->"):old.index("<!-- storage:end -->") + len("<!-- storage:end -->")] if "<!-- storage:begin -->" in old else ""
open(bench_path, "w").write("\n".join(lines) + ("\n" + storage + "\n" if storage else ""))
print("\n".join(lines))
