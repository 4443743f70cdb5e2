#!/usr/bin/env bash
# Builds the grpc-go interop client (or the program in SOURCE, a folder holding a main.go that imports
# "gongjian/v1", such as bench/peers/fanout-go) into OUT, offline, from Debian's Go packages in GOPATH
# mode: the messages are generated from proto/ by protoc-gen-go into a GOPATH of their own (not
# committed).
set -euo pipefail
out=${1:?the binary to write}
out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
root="$(cd "$(dirname "$0")/../../.." && pwd)"
source="$(cd "${2:-$(dirname "$0")}" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src/gongjian/v1"
export GO111MODULE=off GOPATH="$work:/usr/share/gocode" GOCACHE="$work/cache"
# protoc-gen-go of google.golang.org/protobuf (messages with ProtoReflect), not the older one of
# github.com/golang/protobuf that Debian puts on PATH.
go build -o "$work/protoc-gen-go" google.golang.org/protobuf/cmd/protoc-gen-go
maps=()
for file in "$root"/proto/gongjian/v1/*.proto; do
  maps+=("--go_opt=Mgongjian/v1/$(basename "$file")=gongjian/v1;gongjian")
done
protoc -I "$root/proto" --plugin=protoc-gen-go="$work/protoc-gen-go" --go_out="$work/src" --go_opt=paths=import "${maps[@]}" "$root"/proto/gongjian/v1/*.proto
mkdir -p "$work/src/program" && cp "$source/main.go" "$work/src/program/"
cd "$work/src/program"
go build -o "$out" .
