#!/usr/bin/env bash
# Regenerates Sources/Protocol/Generated from proto/ with protoc (Debian's protobuf-compiler)
# and the codegen plugins built by product in a separate scratch path (never the build plugin).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="${1:-Sources/Protocol/Generated}"
case "$out" in /*) ;; *) out="$root/$out" ;; esac
command -v protoc >/dev/null || { apt-get update -qq && apt-get install -y -qq protobuf-compiler; }
scratch="$root/.build-codegen"
swift build -c release --scratch-path "$scratch" --product protoc-gen-swift >&2
swift build -c release --scratch-path "$scratch" --product protoc-gen-grpc-swift-2 >&2
bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)"
mkdir -p "$out"
rm -f "$out"/*.swift
protos=$(cd proto && find . -name '*.proto' | sed 's|^\./||' | sort)
(cd proto && protoc -I . \
  --plugin=protoc-gen-swift="$bin/protoc-gen-swift" \
  --plugin=protoc-gen-grpc-swift-2="$bin/protoc-gen-grpc-swift-2" \
  --swift_out="$out" \
  --swift_opt=Visibility=Public,FileNaming=PathToUnderscores,UseAccessLevelOnImports=true \
  --grpc-swift-2_out="$out" \
  --grpc-swift-2_opt=Visibility=Public,Server=true,Client=true,FileNaming=PathToUnderscores,UseAccessLevelOnImports=true \
  $protos)
echo "generated $(ls "$out" | wc -l) files in $out" >&2
