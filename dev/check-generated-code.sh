#!/usr/bin/env bash
# Fails when the committed generated code does not match what proto/ produces.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$root/dev/generate.sh" "$tmp/Generated" "$tmp/LeanMethods+Schema.swift"
if diff -ru "$root/Sources/Protocol/Generated" "$tmp/Generated" \
  && diff -u "$root/Sources/Server/Transport/Lean/LeanMethods+Schema.swift" "$tmp/LeanMethods+Schema.swift"; then
  echo "generated code is up to date"
else
  echo "generated code differs from proto/: run dev/generate.sh" >&2
  exit 1
fi
