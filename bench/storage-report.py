"""Writes bench/results/<date>-storage.json and the "Storage backends" section of BENCHMARKS.md
from one run of bench/storage.

Usage: storage-report.py RESULTS.jsonl, or storage-report.py bench/results/DATE-storage.json to
rewrite the section from a stored run. Every figure in the section comes from that run.
"""
import datetime
import json
import os
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if sys.argv[1].endswith(".json"):
    stored = json.load(open(sys.argv[1]))
    rows, today = stored["results"], datetime.datetime.fromisoformat(stored["date"])
else:
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    today = datetime.datetime.now(datetime.timezone.utc)
    path = os.path.join(root, "bench", "results", today.strftime("%Y-%m-%d") + "-storage.json")
    if os.path.exists(path):
        # A second run the same day keeps the first one's file.
        path = os.path.join(root, "bench", "results", today.strftime("%Y-%m-%d-%H%M") + "-storage.json")
    with open(path, "w") as out:
        json.dump({"date": today.isoformat(), "results": rows}, out, indent=2)
    sys.argv[1] = path


def find(scenario, backend, **match):
    for row in rows:
        if row.get("scenario") == scenario and row.get("backend") == backend and all(row.get(k) == v for k, v in match.items()):
            return row
    return None


def f(x, digits=0):
    return f"{x:,.{digits}f}"


def per_record(row):
    return row["server_cpu_s"] * 1e6 / row["records"], row["db_cpu_s"] * 1e6 / row["records"]


lines = [
    "## Storage backends",
    "",
    f"One run of `bench/storage` on {today.strftime('%Y-%m-%d %H:%M UTC')} (`bench/results/{os.path.basename(sys.argv[1])}`), "
    "separate from the run above: the same loads against a node on SQLite (the data directory's file) and a node on "
    "PostgreSQL 15 (a throwaway cluster from `dev/postgres.sh` on the same machine, `fsync`, `synchronous_commit` and "
    "`full_page_writes` on, reached over loopback TCP, pool of 10). Node, database and load generator share the 2 cores, "
    "so compare the two backends within this run. \"node CPU\" is the server process; \"database CPU\" the PostgreSQL "
    "processes (SQLite runs inside the node).",
    "",
    "| load | backend | rate | p50 | p99 | node CPU per record | database CPU per record |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
]
for batch in (1, 100):
    for backend in ("sqlite", "postgres"):
        row = find("push", backend, batch=batch)
        if row:
            node, db = per_record(row)
            lines.append(f"| push, 16 clients, {batch} record(s) per push | {backend} | {f(row['records_per_s'])} records/s | "
                         f"{f(row['p50_ack_us'] / 1000, 1)} ms | {f(row['p99_ack_us'] / 1000, 1)} ms | {f(node)} µs | "
                         f"{f(db) + ' µs' if backend == 'postgres' else '–'} |")
one = find("push_one_node_before_two", "postgres")
if one:
    node, db = per_record(one)
    lines.append(f"| push, 16 clients, 100 per push, one node, on the database as the two nodes find it | postgres | "
                 f"{f(one['records_per_s'])} records/s | {f(one['p50_ack_us'] / 1000, 1)} ms | {f(one['p99_ack_us'] / 1000, 1)} ms | "
                 f"{f(node)} µs | {f(db)} µs |")
two = find("push_two_nodes", "postgres")
if two:
    node, db = per_record(two)
    lines.append(f"| push, 16 clients, 100 per push, **two nodes** (8 clients each) | postgres | {f(two['records_per_s'])} records/s | – | "
                 f"{f(two['p99_ack_us'] / 1000, 1)} ms | {f(node)} µs (both nodes) | {f(db)} µs |")
for client in (None, "grpc-go"):
    for backend in ("sqlite", "postgres"):
        row = find("fanout", backend, client=client)
        if row:
            lines.append(f"| fan-out, 1,000 subscribers, {f(row['commits'] / 10)} commits/s, {client or 'grpc-swift'}'s client | {backend} | "
                         f"{f(row['deliveries'])} of {f(row['expected_deliveries'])} delivered | {f(row['p50_ms'], 1)} ms | "
                         f"{f(row['p99_ms'], 1)} ms | – | – |")
for scenario, label in (("seed", lambda row: "seed, 4 clients, 500 per push"),
                        ("pull", lambda row: f"pull of {f(row['records'])} records from scratch, pages of 5,000")):
    for backend in ("sqlite", "postgres"):
        row = find(scenario, backend)
        if row:
            node, db = per_record(row)
            lines.append(f"| {label(row)} | {backend} | {f(row['records_per_s'])} records/s | – | – | {f(node)} µs | "
                         f"{f(db) + ' µs' if backend == 'postgres' else '–'} |")

notes = []
s1, p1 = find("push", "sqlite", batch=1), find("push", "postgres", batch=1)
if s1 and p1:
    notes.append(f"- Push, 1 record per push: PostgreSQL at {p1['records_per_s'] / s1['records_per_s']:.2f}× SQLite's rate. A round of "
                 "group commit is six prepared statements, each a round trip between two processes, whatever its size, so small "
                 "rounds pay them per push.")
s100, p100 = find("push", "sqlite", batch=100), find("push", "postgres", batch=100)
if s100 and p100:
    notes.append(f"- Push, 100 records per push: PostgreSQL reaches {p100['records_per_s'] / s100['records_per_s']:.2f}× SQLite's rate "
                 "in this run; each commit is one transaction for the concurrent pushes of the round (group commit), whose rows "
                 "go out in one statement (`unnest` of arrays): per record, PostgreSQL writes four rows and six index entries and "
                 "probes three indexes, in another process.")
cpu = []
for label, sq, pg in (("1", s1, p1), ("100", s100, p100)):
    if sq and pg:
        sq_node, _ = per_record(sq)
        pg_node, pg_db = per_record(pg)
        cpu.append(f"pushes of {label}: SQLite {f(sq_node)} µs, PostgreSQL {f(pg_node + pg_db)} µs "
                   f"({f(pg_node)} node, {f(pg_db)} database; {(pg_node + pg_db) / sq_node:.1f}×)")
if cpu:
    notes.append("- CPU per record, node and database together: " + "; ".join(cpu) + ". With the load generator on the same "
                 "two cores, that bounds PostgreSQL's rate against SQLite's here, however short its round trips: the "
                 "database's own CPU per record is what the 0.8× goals would need to cut, by half and more.")
if two and one:
    notes.append(f"- Two nodes against one, on the same database: {two['records_per_s'] / one['records_per_s']:.2f}× the one node's rate "
                 f"measured just before on that database ({two['records_per_s'] / p100['records_per_s']:.2f}× the first push run's, "
                 "on a fresh database). All pushes here go to one tenant, whose counter row serialises its commits across nodes "
                 "(that is what keeps its sequences gapless), and both nodes, the database and the load generators share two "
                 "cores: a second node adds capacity for TLS, decoding and validation, not for one tenant's commits.")
goals = []
gsf, gpf = find("fanout", "sqlite", client="grpc-go"), find("fanout", "postgres", client="grpc-go")
if gpf:
    goals.append(f"fan-out p99 on PostgreSQL under grpc-go's client {f(gpf['p99_ms'], 1)} ms (goal under 100 ms: "
                 f"{'met' if gpf['p99_ms'] < 100 else 'missed'}; SQLite {f(gsf['p99_ms'], 1) if gsf else '?'} ms)")
for label, sq, pg in (("1", s1, p1), ("100", s100, p100)):
    if sq and pg:
        ratio = pg["records_per_s"] / sq["records_per_s"]
        goals.append(f"pushes of {label} at {ratio:.2f}× SQLite (goal at least 0.8×: {'met' if ratio >= 0.8 else 'missed'})")
if two and one:
    ratio = two["records_per_s"] / one["records_per_s"]
    goals.append(f"two nodes at {ratio:.2f}× one node on the same database (goal at least 1.0×: {'met' if ratio >= 1.0 else 'missed'})")
if goals:
    notes.append("- Issue 27's goals, in this run: " + "; ".join(goals) + ".")
sf, pf = find("fanout", "sqlite", client=None), find("fanout", "postgres", client=None)
if sf and pf:
    notes.append(f"- Fan-out under grpc-swift's client: p99 {f(sf['p99_ms'])} ms on SQLite and {f(pf['p99_ms'])} ms on PostgreSQL. "
                 "That client wants more CPU than the server it loads, so the server's latency shows better under grpc-go's. "
                 "Delivering to 1,000 subscribers keeps both cores busy on either backend; on top of it, a PostgreSQL commit is a "
                 "chain of six round trips between two processes that each wait for a core, where SQLite commits inside the node.")
sp, pp = find("pull", "sqlite"), find("pull", "postgres")
if sp and pp:
    notes.append(f"- Pull: PostgreSQL at {pp['records_per_s'] / sp['records_per_s']:.2f}× SQLite's rate; each page is one read-only "
                 "repeatable-read transaction (checkpoint and page from one snapshot).")
if notes:
    lines += [""] + notes
lines += ["", "    bench/storage", ""]
section = "\n".join(lines)

path = os.path.join(root, "BENCHMARKS.md")
text = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
begin, end = "<!-- storage:begin -->", "<!-- storage:end -->"
block = f"{begin}\n{section}\n{end}"
if begin in text:
    text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
else:
    text = text.rstrip("\n") + "\n\n" + block + "\n"
open(path, "w").write(text)
print(section)
