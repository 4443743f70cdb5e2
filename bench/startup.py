"""Start-up of the shipped binaries: exec to "listening" of `gongjian-server serve` on a data
directory with an empty database (init with its first admin only), and exec to exit of
`gongjian --help` and `gongjian-server --help`. Each is run N times; prints one JSON line per
figure with the median and the slowest.

    python3 bench/startup.py BIN_DIR [N]
"""
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

bin_dir = Path(sys.argv[1])
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20


def report(scenario, samples):
    samples = sorted(samples)
    print(json.dumps({"scenario": scenario, "runs": len(samples), "median_ms": round(statistics.median(samples), 1),
                      "max_ms": round(samples[-1], 1)}))


with tempfile.TemporaryDirectory() as work:
    data = Path(work) / "data"
    subprocess.run([bin_dir / "gongjian-server", "init", "--data-dir", data, "--admin-office", "suqian.drc",
                    "--name", "宿迁市发展改革委", "--log-level", "warning"], check=True, capture_output=True)
    listening = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        proc = subprocess.Popen([bin_dir / "gongjian-server", "serve", "--data-dir", data, "--listen", "127.0.0.1:0",
                                 "--log-level", "warning"], stdout=subprocess.PIPE, text=True)
        line = proc.stdout.readline()
        elapsed = (time.perf_counter() - start) * 1000
        assert "listening on" in line, line
        proc.terminate()
        proc.wait(timeout=30)
        listening.append(elapsed)
    # The first start reads the binary from disk; the others are what a restart costs.
    report("startup_empty_database", listening[1:])

for binary in ["gongjian", "gongjian-server"]:
    samples = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        subprocess.run([bin_dir / binary, "--help"], check=True, capture_output=True)
        samples.append((time.perf_counter() - start) * 1000)
    report(f"{binary}_help", samples[1:])
