#!/usr/bin/env bash
# Runs every test: installs what the tests need (system packages, PostgreSQL, Python tools), builds, runs the
# Swift suites (in-process, end-to-end over mutual TLS, crash, fuzz corpora), the Python suites
# (grpcio interop, CLI, TLS and HTTP/2 hardening, HTTP/2 limits, fault injection; root for the
# tmpfs mounts), and each fuzz target under libFuzzer for a few seconds on its seed corpus.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

need=()
# SQLite for GRDB; headless Chromium, a CJK font and poppler (pages to PNG) for the meeting packet's PDF
# tests; libfaketime for the clock-jump fault test; HAProxy for the test of two nodes behind a load balancer;
# Go, grpc-go and protobuf-go sources and protoc for the grpc-go interop client; dpkg-dev (dpkg-shlibdeps)
# and systemd (systemd-analyze) for the packages' tests.
for package in libsqlite3-dev chromium fonts-noto-cjk faketime poppler-utils python3-venv haproxy \
  golang-go golang-google-grpc-dev golang-google-protobuf-dev protobuf-compiler dpkg-dev binutils systemd; do
  dpkg -s "$package" >/dev/null 2>&1 || need+=("$package")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
# The Python tools live in a virtual environment of the project's own, not in the system's.
[ -x .venv/bin/python ] || python3 -m venv .venv
python=.venv/bin/python
"$python" -m pip install -q --disable-pip-version-check grpcio grpcio-tools grpcio-health-checking grpcio-reflection pytest protobuf h2 cryptography openpyxl

# A throwaway PostgreSQL cluster for the PostgreSQL backend's tests (installed when missing), stopped
# when the tests end however they end.
pgdir="$(mktemp -d /tmp/gongjian-pg.XXXXXX)"
export GONGJIAN_TEST_POSTGRES_URL="$(dev/postgres.sh start "$pgdir")"
trap 'dev/postgres.sh stop "$pgdir" || true; rm -rf "$pgdir"' EXIT

swift build --build-tests
export GONGJIAN_BIN_DIR="$(swift build --show-bin-path)"
export GONGJIAN_REQUIRE_CHROMIUM=1
swift test

gen="$root/Tests/interop/generated"
rm -rf "$gen" && mkdir -p "$gen"
"$python" -m grpc_tools.protoc -I proto --python_out="$gen" --grpc_python_out="$gen" proto/gongjian/v1/*.proto
touch "$gen/gongjian/__init__.py" "$gen/gongjian/v1/__init__.py"
"$python" -m pytest -q Tests/interop

# A few seconds of libFuzzer per target from the committed corpora, with a fixed seed and number of
# inputs so that every run is the same (dev/fuzz.sh builds the instrumented binary in .build-fuzz).
dev/fuzz.sh --runs 5000
