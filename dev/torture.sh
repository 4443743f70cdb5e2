#!/usr/bin/env bash
# Torture run (not part of CI): 50 kill -9 rounds under concurrent pushers and subscribers, a
# rapid-reset flood while another office's p99 is measured, 5,000 connections opened and dropped,
# and every malformed input of the outside probe. Prints the counts; exits 1 on a loss, a
# duplicate or a malformed input not refused as documented.
#
#   dev/torture.sh [--release] [--rounds N] [--flood-seconds S] [--connections N]
#   dev/torture.sh [--release] --postgres [--seconds S] [--every S]
#
# --postgres instead runs two nodes on a primary with a synchronous standby behind HAProxy
# (dev/postgres.sh; HAProxy from Debian) for S seconds with pushers, subscribers and pulls while
# it kills PostgreSQL, a node, and the primary (failover) in turns; it reports acknowledged,
# lost, duplicated, the longest write outage and another office's p99.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
configuration=debug
if [ "${1:-}" = "--release" ]; then configuration=release; shift; fi

python3 -m pip install -q --disable-pip-version-check grpcio grpcio-tools protobuf h2 cryptography pytest
swift build -c "$configuration" --product gongjian-server
export GONGJIAN_BIN_DIR="$(swift build -c "$configuration" --show-bin-path)"
gen="$root/Tests/interop/generated"
rm -rf "$gen" && mkdir -p "$gen"
python3 -m grpc_tools.protoc -I proto --python_out="$gen" --grpc_python_out="$gen" proto/gongjian/v1/*.proto
touch "$gen/gongjian/__init__.py" "$gen/gongjian/v1/__init__.py"
exec python3 dev/torture.py "$@"
