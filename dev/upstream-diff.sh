#!/usr/bin/env bash
# Sources/Server/Transport/Connection/ is adapted from grpc-swift-nio-transport 2.9.2 (its server
# connection management is `package`, not public); its tests are ported in
# Tests/GongjianServerTests/ConnectionManagement*Tests.swift. This shows what upstream changed in
# those files since 2.9.2, so that fixes can be carried over, or with --ours what the copy changed.
#
#   dev/upstream-diff.sh [--to REF]   upstream's changes from 2.9.2 to REF (default: its newest tag)
#   dev/upstream-diff.sh --ours       upstream 2.9.2 against the copy, file by file
#
# The repository is fetched by its GitHub URL (on these machines git reads it from the package
# mirror) into .build-upstream; UPSTREAM_REPO names another clone or URL.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
base=2.9.2
repo="${UPSTREAM_REPO:-https://github.com/grpc/grpc-swift-nio-transport.git}"
cache="$root/.build-upstream/grpc-swift-nio-transport.git"
to=""
ours=false
while [ $# -gt 0 ]; do
  case "$1" in
    --to) to="$2"; shift 2 ;;
    --ours) ours=true; shift ;;
    -h|--help) sed -n '2,/^set /{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
    *) echo "dev/upstream-diff.sh: unknown argument $1 (see --help)" >&2; exit 64 ;;
  esac
done

if [ ! -d "$cache" ]; then
  mkdir -p "$(dirname "$cache")"
  git clone -q --bare "$repo" "$cache"
fi
git -C "$cache" fetch -q --tags "$repo" '+refs/heads/*:refs/heads/*' 2>/dev/null || true

# Upstream file → the copy.
pairs=(
  "Sources/GRPCNIOTransportCore/Server/Connection/ServerConnectionManagementHandler.swift:Sources/Server/Transport/Connection/ConnectionManagementHandler.swift"
  "Sources/GRPCNIOTransportCore/Server/Connection/ServerConnectionManagementHandler+StateMachine.swift:Sources/Server/Transport/Connection/ConnectionManagementHandler+StateMachine.swift"
  "Sources/GRPCNIOTransportCore/Internal/Timer.swift:Sources/Server/Transport/Connection/ConnectionTimer.swift"
  "Tests/GRPCNIOTransportCoreTests/Server/Connection/ServerConnectionManagementHandlerTests.swift:Tests/GongjianServerTests/ConnectionManagementHandlerTests.swift"
  "Tests/GRPCNIOTransportCoreTests/Server/Connection/ServerConnectionManagementHandler+StateMachineTests.swift:Tests/GongjianServerTests/ConnectionManagementStateMachineTests.swift"
  "Tests/GRPCNIOTransportCoreTests/HTTP2Frame+Helpers.swift:Tests/GongjianServerTests/Test Utilities/HTTP2Frame+Helpers.swift"
)

if $ours; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  for pair in "${pairs[@]}"; do
    upstream="${pair%%:*}" copy="${pair#*:}"
    git -C "$cache" show "$base:$upstream" > "$tmp/upstream.swift"
    diff -u --label "upstream $base: $upstream" --label "$copy" "$tmp/upstream.swift" "$root/$copy" || true
  done
  exit 0
fi

[ -n "$to" ] || to="$(git -C "$cache" tag --sort=-v:refname | head -1)"
files=()
for pair in "${pairs[@]}"; do files+=("${pair%%:*}"); done
if [ "$(git -C "$cache" rev-parse "$base^{commit}")" = "$(git -C "$cache" rev-parse "$to^{commit}")" ]; then
  echo "upstream's $to is $base, the version the copy was made from: nothing to carry over"
  exit 0
fi
changed="$(git -C "$cache" diff --stat "$base" "$to" -- "${files[@]}")"
if [ -z "$changed" ]; then
  echo "upstream changed none of the copied files from $base to $to"
  exit 0
fi
echo "upstream's changes to the copied files from $base to $to:"
echo "$changed"
git -C "$cache" diff "$base" "$to" -- "${files[@]}"
