"""Writes bench/results/<date>.json (<date>-<HHMM>.json for a later run that day) and BENCHMARKS.md from one run's JSON lines.

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
result_path = sys.argv[1] if stored else os.path.join(root, "bench", "results", today.strftime("%Y-%m-%d") + ".json")
if not stored and os.path.exists(result_path):
    # A second run the same day keeps the first one's file.
    result_path = os.path.join(root, "bench", "results", today.strftime("%Y-%m-%d-%H%M") + ".json")
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
p100v4 = find("push", batch=100, path=None, ids="random")
r1, r100 = find("raw_sqlite", batch=1), find("raw_sqlite", batch=100)
fs = find("fsync")
pull, gopull, bulk = find("pull", client=None), find("pull", client="grpc-go"), find("bulk_nghttpd")
seed = find("seed", records=1000000)
cli = find("cli_pull")
s_small, s_big = find("startup", records=196), find("startup", records=1100196)
c1k, c5k = find("connections", connections=1000), find("connections", connections=5000)
hs = find("handshakes")
fan, gofan = find("fanout", path=None, client=None), find("fanout", client="grpc-go")
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
    lines += ["", f"Under these two different clients whoami costs {ratio:.1f}× the grpc-go greeter's server CPU per RPC; the "
              "issue's goals are judged with one client for every server, below. "
              + (f"The bare grpc-swift-2 greeter costs {sw16['server_cpu_us_per_unit'] / go16['server_cpu_us_per_unit']:.1f}× "
                 f"grpc-go's ({f(sw16['server_cpu_us_per_unit'], 1)} against {f(go16['server_cpu_us_per_unit'], 1)} µs), and "
                 f"{f(h2c16['server_cpu_us_per_unit'], 1)} µs without TLS." if sw16 and h2c16 else "")]
gg16, gg1 = find("unary_go", peer="gongjian", connections=16, path=None), find("unary_go", peer="gongjian", connections=1, path=None)
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
        f"- Gongjian's whoami over mutual TLS, with authentication, the directory and the handler, costs "
        f"{f(u16['server_cpu_us_per_unit'], 1)} µs of server CPU per RPC under grpc-swift's client and "
        + (f"{f(gg16['server_cpu_us_per_unit'], 1)} µs under grpc-go's, against {f(ggo16['server_cpu_us_per_unit'], 1)} µs for "
           "grpc-go's greeter under the same client; " if gg16 and ggo16 else "")
        + f"the bare grpc-swift-2 greeter costs {f(sw16['server_cpu_us_per_unit'], 1)} µs over TLS, and nghttpd "
        f"{f(ng16['server_cpu_us_per_unit'], 1)} µs per request.",
    ]
    if st:
        findings.append(
            f"- In whoami's profile, BoringSSL's own crypto and record layer is {st['BoringSSL crypto and record layer (self)']:.1f}% of the "
            f"samples; SwiftNIO's HTTP/2 handler's writes {st.get('HTTP/2 writes (NIOHTTP2 handler)', 0):.1f}% (frame state machine, "
            f"HPACK and header validation of the three frames of each answer), TLS's flushes {st.get('TLS flushes (NIOSSL handler)', 0):.1f}%, "
            f"retain/release {st['swift_retain/release (self)']:.1f}%, malloc/free {st['malloc/free (self)']:.1f}%; the lean path's "
            f"reading and running of the calls on the event loop (its writes included) is "
            f"{st.get('lean path: calls read and run on the event loop (LeanConnectionHandler)', 0):.1f}%, caller resolution alone "
            f"{st['caller resolution (revocation, directory)']:.1f}%.")
    if greeter_alloc and whoami_alloc:
        findings.append(
            f"- Allocations per RPC: {f(greeter_alloc['mallocs_per_unit'])} for the bare greeter ({f(greeter_alloc['bytes_per_unit'])} bytes) "
            f"and {f(whoami_alloc['mallocs_per_unit'])} for whoami ({f(whoami_alloc['bytes_per_unit'])} bytes): the lean path has no "
            "stream channel, pipeline, task or async sequence per call, and whoami's answer is encoded once per office and "
            "certificate.")
    findings += [
        "- What changed since the baseline run (its figures are quoted beside this run's): the identity of a connection is "
        "established once by a listener of our own instead of re-read per stream; SQLite reads through a memory map with a "
        "larger page cache; the change hub encodes each change once for all subscribers; HTTP/2 gets a right-sized copy of each "
        "decrypted read; flushes are merged per turn of the event loop and the small writes of a flush joined into TLS "
        "records; pulled pages are written straight from the store's rows, and the next page is read while the client takes "
        "one; every call is served on a lean path with connections of its own, each HTTP/2 stream served on the connection's "
        "pipeline by stream id (no child channel, grpc-swift stream handler, `NIOAsyncChannel`, task, executor, interceptor "
        "chain or async sequences per stream); `WhoAmI` is answered on the event loop from an answer encoded once per office and "
        "certificate; the directory cache's reads are shared by the calls that miss it at once; live subscribers are written "
        "to by the change hub itself, framed once per commit and event loop.",
    ]
    lines += findings

lines += ["", "## Durable push", "",
          "| push | records/s | p50 ack | p99 ack | server CPU per record | raw SQLite, same batch | ratio |",
          "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
for label, row, raw in (("16 clients, 1 record per push", p1, r1), ("16 clients, 100 records per push", p100, r100),
                        ("16 clients, 100 records per push, random version-4 ids", p100v4, r100)):
    if row and raw:
        lines.append(
            f"| {label} | {f(row['records_per_s'])} | {f(row['p50_ack_us'] / 1000, 1)} ms | {f(row['p99_ack_us'] / 1000, 1)} ms | "
            f"{f(row['server_cpu_s'] * 1e6 / row['records'], 0)} µs | {f(raw['records_per_s'])} | {row['records_per_s'] / raw['records_per_s']:.2f} |"
        )
if fs:
    lines += ["", f"fsync rate of this disk (4 KiB write + fsync): {f(fs['fsyncs_per_s'])}/s. Raw SQLite: Python's sqlite3, "
              "WAL, synchronous=FULL, one transaction per batch, one row per record, in the same run. Each pushed record "
              "writes four rows (change, record, audit entry, idempotency key) with their indexes, and two SHA-256 digests, "
              "in the same transaction. Record ids and mutation ids are made as the client library makes them "
              "(`RecordID`: version-7 UUIDs, led by their creation time; mutation ids led by the same time), except in the row "
              "with random version-4 ids, which scatter each record's rows over the indexes (docs/DESIGN.md, \"The write path\")."]
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
# Issue 12 quotes the run of 2026-11-27 10:23 UTC for pushes of 100 records.
issue_run = os.path.join(root, "bench", "results", "2026-11-27.json")
if p100 and os.path.exists(issue_run):
    issue_rows = json.load(open(issue_run))["results"]
    then = find("push", issue_rows, batch=100)
    # This machine's speed moves between runs (the same grpc-go greeter binary under the same h2load load
    # costs from 13.6 to 25 µs per RPC on different days), so the goal is judged as every other goal here:
    # in units of a peer of the same run, the grpc-go greeter's RPC; the absolute figures follow.
    peer_then = find("h2load", issue_rows, peer="greeter-go", connections=16)
    peer_now = find("h2load", peer="greeter-go", connections=16)
    if then and peer_then and peer_now:
        before, now = then["server_cpu_s"] * 1e6 / then["records"], p100["server_cpu_s"] * 1e6 / p100["records"]
        unit_then, unit_now = peer_then["server_cpu_us_per_unit"], peer_now["server_cpu_us_per_unit"]
        ratio_then, ratio_now = before / unit_then, now / unit_now
        line = (f"Goal \"server CPU per record halved\" for pushes of 100 records, in units of the grpc-go greeter's server CPU "
                f"per RPC under h2load (16 × 10) in the same run: the run the issue quotes (2026-11-27 10:23 UTC, "
                f"`bench/results/2026-11-27.json`) spent {before:.0f} µs per record against the greeter's {unit_then:.1f} µs "
                f"({ratio_then:.2f}); this run {now:.0f} against {unit_now:.1f} µs with the client library's ids ({ratio_now:.2f}, "
                f"{ratio_now / ratio_then:.2f} of it): {'met' if ratio_now <= ratio_then / 2 else 'missed'}")
        if p100v4:
            v4 = p100v4["server_cpu_s"] * 1e6 / p100v4["records"]
            ratio_v4 = v4 / unit_now
            line += (f"; with random version-4 ids, as that run's were, {v4:.0f} µs ({ratio_v4:.2f}, {ratio_v4 / ratio_then:.2f} "
                     f"of it): {'met' if ratio_v4 <= ratio_then / 2 else 'missed'}")
        line += (f". In microseconds alone, which move with the machine between runs: {now:.0f} µs against the "
                 f"{before / 2:.1f} µs that halving {before:.0f} gives.")
        lines += ["", line]


def fanout_verdict(row):
    rate = row["commits"] / 10
    if rate < 90:
        return f"not shown, since only {rate:.0f} commits per second were reached"
    return "met" if row["p99_ms"] < 50 else "missed"


if fan or gofan:
    lines += ["", "## Fan-out", ""]
    head = gofan or fan
    lines.append(
        f"{f(head['subscribers'])} live subscribers on one tenant over {head['connections']} connections (all caught up before "
        "writing began); a writer offering 100 commits per second, each push started on schedule without waiting for the previous "
        "acknowledgement. Commit-to-delivery latency is measured from the change's server timestamp to its arrival at the "
        "subscriber. The load runs twice: on grpc-go's client (`bench/peers/fanout-go`), which decodes the 1,000 streams for a "
        "fraction of the server's CPU, and on the project's own grpc-swift client (`gongjian-bench fanout`), which spends more "
        "CPU decoding them than the server spends sending them, on the same two cores.")
    lines += ["", "| client | commits | deliveries | p50 | p99 | max | server CPU | per delivery | client CPU |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for label, row in (("grpc-go (fanout-go)", gofan), ("grpc-swift (gongjian-bench)", fan)):
        if row:
            lines.append(
                f"| {label} | {f(row['commits'])} of {f(row.get('offered', row['commits']))} | {f(row['deliveries'])} of "
                f"{f(row['expected_deliveries'])} | {f(row['p50_ms'], 1)} ms | {f(row['p99_ms'], 1)} ms | {f(row['max_ms'], 1)} ms | "
                f"{f(row['server_cpu_s'], 1)} s | {f(row['server_cpu_s'] * 1e6 / max(row['deliveries'], 1), 1)} µs | "
                f"{f(row['client_cpu_s'], 1)} s |")
    if gofan:
        lines += ["", f"Goal p99 under 50 ms at 100 commits per second: {f(gofan['p99_ms'], 1)} ms with grpc-go's client, "
                  f"{fanout_verdict(gofan)}" + (f"; {f(fan['p99_ms'], 1)} ms with grpc-swift's, {fanout_verdict(fan)}." if fan else ".")]
    lines += ["", "Live subscribers are written to by the change hub itself: a commit's changes are encoded and framed once per "
              "event loop and written to every caught-up subscriber on it in one turn, with one flush per connection, instead of "
              "waking a task per subscriber (docs/DESIGN.md, \"Live subscribers\"). grpc-go's client answers nearly every burst of "
              "data with a BDP ping and a WINDOW_UPDATE, which the server handles too: its CPU per delivery is higher under that "
              "client than under grpc-swift's."]
    fan_profile = find("profile", what="fan-out, 1,000 subscribers, 100 commits/s")
    if fan_profile:
        st = fan_profile["stages_pct"]
        lines += ["", f"In the server's profile of this scenario (grpc-swift's client), the hub's writes to the live streams take "
                  f"{st.get('live delivery (hub writes to the streams, HTTP/2 and TLS)', 0):.1f}% of its samples, the HTTP/2 "
                  f"handler's writes {st.get('HTTP/2 writes (NIOHTTP2 handler)', 0):.1f}%, TLS's flushes "
                  f"{st.get('TLS flushes (NIOSSL handler)', 0):.1f}%: what remains per delivery is the HTTP/2 frame of each "
                  "subscriber's stream and its share of a TLS record."]

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
    rate = bulk["bytes"] / bulk["seconds"] / 1e6 if bulk else None
    text = (f"- One client pulling {f(pull['records'])} records from scratch (pages of 5,000), decoding every record (`gongjian-bench "
            f"pull`, grpc-swift's client): {f(pull['records_per_s'])} records/s, {f(pull['mb_per_s'], 1)} MB/s of protobuf; server "
            f"CPU {f(pull['server_cpu_s'], 1)} s, client CPU {f(pull['client_cpu_s'], 1)} s.")
    if gopull:
        text += (f" The same pull by grpc-go's client (`bench/peers/pull-go`), which reads each page's framing (next cursor, "
                 f"more, how many records) and not its records, as h2load reads nghttpd's bytes: {f(gopull['records_per_s'])} "
                 f"records/s, {f(gopull['mb_per_s'], 1)} MB/s; server CPU {f(gopull['server_cpu_s'], 1)} s "
                 f"({f(gopull['server_cpu_s'] * 1e6 / gopull['records'], 2)} µs per record), client CPU {f(gopull['client_cpu_s'], 1)} s.")
    if rate:
        text += f" nghttpd serving a file of the same size over TLS to h2load (three downloads on one connection): {f(rate, 1)} MB/s."
        if gopull:
            ratio = gopull["mb_per_s"] / rate
            text += (f" Ratio {ratio:.2f} with grpc-go's client, {pull['mb_per_s'] / rate:.2f} with grpc-swift's (goal at least 0.3: "
                     f"{'met' if ratio >= 0.3 else 'missed'}).")
        else:
            text += f" Ratio {pull['mb_per_s'] / rate:.2f} (goal at least 0.3: {'met' if pull['mb_per_s'] / rate >= 0.3 else 'missed'})."
    text += (" The server reads and encodes the next page while the client takes the one it was sent (`PullReadAhead`, "
             "docs/DESIGN.md), so reading, encoding and sending overlap.")
    pull_profile = find("profile", what="pull of 1,000,000 records (pages of 5,000)")
    if pull_profile:
        st = pull_profile["stages_pct"]
        text += (f" In the server's profile of the pull, reading the pages from SQLite, their records written straight from "
                 f"its columns, takes {st.get('SQLite page reads (changes after a cursor)', 0):.1f}% of its samples (the writing "
                 f"alone {st.get('protobuf encoding of responses', 0):.1f}%), TLS's flushes "
                 f"{st.get('TLS flushes (NIOSSL handler)', 0):.1f}%.")
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
empty = find("startup_empty_database")
if empty:
    lines.append(f"- Exec to \"listening\" on an empty database (`bench/startup.py`, {empty['runs']} starts of the shipped binary): median "
                 f"{f(empty['median_ms'], 1)} ms, slowest {f(empty['max_ms'], 1)} ms (goal under 60 ms: "
                 f"{'met' if empty['median_ms'] < 60 else 'missed'}).")
for name in ("gongjian", "gongjian-server"):
    row = find(f"{name}_help")
    if row:
        lines.append(f"- `{name} --help`, exec to exit: median {f(row['median_ms'], 1)} ms, slowest {f(row['max_ms'], 1)} ms"
                     + (f" (goal under 20 ms: {'met' if row['median_ms'] < 20 else 'missed'})." if name == "gongjian" else "."))
lines += ["", "## Commands", "", "    bench/run", "",
          "It installs what it lacks from Debian (nghttp2-client, nghttp2-server, golang-go and Debian's gRPC and protobuf Go "
          "sources, protobuf-compiler, linux-perf) and grpcio into `.venv/`, builds the grpc-go greeter and load generators "
          "(`bench/peers/`) in GOPATH mode and ordo-one's malloc-interposer in .build-bench, "
          "starts every server on loopback and stops them at the end.", ""]
# The storage backends' section comes from bench/storage's own run: kept as it is.
bench_path = os.path.join(root, "BENCHMARKS.md")
old = open(bench_path).read() if os.path.exists(bench_path) else ""
storage = old[old.index("<!-- storage:begin -->"):old.index("<!-- storage:end -->") + len("<!-- storage:end -->")] if "<!-- storage:begin -->" in old else ""
open(bench_path, "w").write("\n".join(lines) + ("\n" + storage + "\n" if storage else ""))
print("\n".join(lines))
