"""One JSON line from a perf.data: share of samples under named frames (inclusive) and per library (self)."""
import json
import re
import subprocess
import sys

path, label = sys.argv[1], sys.argv[2]
# Frames that mark a stage; matched against demangled, simplified symbol names.
STAGES = {
    "TLS (NIOSSL handler, reads and flushes)": [r"^NIOSSLHandler\.channelReadComplete", r"^NIOSSLHandler\.flush\("],
    "HTTP/2 (NIOHTTP2 handler)": [r"^NIOHTTP2Handler\.channelRead\("],
    "gRPC stream handler (framing, (de)serialising)": [r"^GRPCServerStreamHandler\.channelRead\(", r"^GRPCServerStreamHandler\._flush"],
    "transport: peer certificate re-read per stream": [r"^closure #1 in HTTP2ServerTransport\.Posix\.init"],
    "authentication interceptor (incl. handler)": [r"^AuthenticationInterceptor\.intercept"],
    "caller resolution (revocation, directory)": [r"CertificateCallerResolver\.resolve"],
    "sync engine push": [r"^SyncEngine\.push\("],
    "commit planning (PushApplier, passes included)": [r"^(specialized )?PushApplier\.plan\("],
    "validation (kind rules)": [r"KindRule\.prepare"],
    "SQLite transaction (GRDB write)": [r"closure #1 in SQLiteStore\.commit", r"^(specialized )?static SQLiteStore\.commit\(_:planner:db:\)"],
    "SQLite page reads (changes after a cursor)": [r"closure #1 in SQLiteStore\.(changes|encodedChanges)\(tenantID"],
    "audit hash (SHA-256)": [r"^AuditEntry\.hash\.getter"],
    "change hub publish": [r"^ChangeHub\.publish"],
    "stream writes (NIOAsyncChannel writer to HTTP/2 and TLS)": [r"NIOAsyncChannelHandlerWriterDelegate\.didYield"],
    "lean path: calls read and run on the event loop (LeanConnectionHandler)": [r"^(specialized )?LeanConnectionHandler\.channelRead\("],
    "lean path: response writes to HTTP/2 and TLS": [r"^LeanStream\.finish\(", r"^LeanStream\.send\("],
    "live delivery (hub writes to the streams, HTTP/2 and TLS)": [r"^closure #\d+ in closure #\d+ in ChangeHub\.publish"],
    "HTTP/2 writes (NIOHTTP2 handler)": [r"^NIOHTTP2Handler\.(write|flush)\("],
    "TLS flushes (NIOSSL handler)": [r"^NIOSSLHandler\.flush\("],
    "protobuf encoding of responses": [r"^ProtobufSerializer\.serialize", r"^(specialized )?StoredRecord\.appendField", r"^(specialized )?RecordWire\.append\("],
    "libdispatch timers": [r"^_dispatch_mgr_thread"],
    "kernel: pwrite": [r"^__libc_pwrite"],
    "kernel: pread": [r"^__libc_pread"],
    "kernel: fdatasync": [r"^fdatasync"],
    "swift_retain/release (self)": [],
    "malloc/free (self)": [],
    "BoringSSL crypto and record layer (self)": [],
}


def report(*args):
    text = subprocess.run(["perf", "report", "-i", path, "--stdio", "-g", "none", *args],
                          capture_output=True, text=True).stdout
    demangled = subprocess.run(["swift", "demangle", "--simplified"], input=text, capture_output=True, text=True).stdout
    rows = []
    for line in demangled.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        rows.append(line)
    return rows


samples = 0
header = subprocess.run(["perf", "report", "-i", path, "--stdio", "--header-only"], capture_output=True, text=True).stdout
count = subprocess.run(["perf", "report", "-i", path, "--stdio", "-g", "none", "--sort", "dso"], capture_output=True, text=True).stdout
m = re.search(r"# Samples: (\d+)([KM]?)", count)
if m:
    samples = int(m.group(1)) * {"": 1, "K": 1000, "M": 1000000}[m.group(2)]

stages = {name: 0.0 for name in STAGES}
for line in report("--children", "--sort", "sym"):
    m = re.match(r"\s*([0-9.]+)%\s+([0-9.]+)%\s+\[.\]\s+(.*)$", line)
    if not m:
        continue
    children, own, symbol = float(m.group(1)), float(m.group(2)), m.group(3).strip()
    for name, patterns in STAGES.items():
        if any(re.search(p, symbol) for p in patterns):
            stages[name] = max(stages[name], children)
    if symbol in ("swift_retain", "swift_release"):
        stages["swift_retain/release (self)"] += own
    if re.match(r"^(CNIOBoringSSL_|aes_|gcm_|ecp_nistz256|sha256_block|bn_|ChaCha20|x25519)", symbol):
        stages["BoringSSL crypto and record layer (self)"] += own
    if symbol in ("malloc", "_int_malloc", "cfree@GLIBC_2.2.5", "_int_free", "malloc_consolidate", "free"):
        stages["malloc/free (self)"] += own

libraries = {}
for line in report("--no-children", "--sort", "dso"):
    m = re.match(r"\s*([0-9.]+)%\s+(\S+)", line)
    if m:
        libraries[m.group(2)] = float(m.group(1))

print(json.dumps({"scenario": "profile", "what": label, "samples": samples,
                  "stages_pct": {k: round(v, 1) for k, v in stages.items()},
                  "libraries_pct": {k: v for k, v in sorted(libraries.items(), key=lambda kv: -kv[1])[:8]}},
                 sort_keys=True, ensure_ascii=False))
