#!/usr/bin/env bash
# Fuzzes with libFuzzer: builds gongjian-fuzz instrumented (-sanitize=fuzzer) in .build-fuzz, then
# runs each target for the given time on its committed seed corpus (fuzz/corpus/<target>).
# New inputs libFuzzer finds go to .build-fuzz/corpus/<target>; a crashing input is written to
# fuzz/crashes/<target>-* and the run fails: add the input to the target's corpus (a regression
# test replays every corpus file) and fix the cause.
#
#   dev/fuzz.sh [--seconds N | --runs N] [--jobs N] [TARGET...]
#     targets: requests payloads documents frames push
#
# --runs N runs N inputs per target with a fixed seed, from the committed corpus alone: the same
# run every time, which is what dev/test.sh (and so CI) uses; --seconds explores.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
seconds=60
runs=""
jobs=1
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(requests payloads documents frames push)

swift build --scratch-path .build-fuzz --product gongjian-fuzz \
  -Xswiftc -sanitize=fuzzer -Xswiftc -DGONGJIAN_LIBFUZZER >&2
fuzzer="$(swift build --scratch-path .build-fuzz --show-bin-path)/gongjian-fuzz"
mkdir -p fuzz/crashes
status=0
passed=0
failed=0
for target in "${targets[@]}"; do
  [ -d "fuzz/corpus/$target" ] || { echo "no corpus for target '$target'" >&2; exit 64; }
  work=".build-fuzz/corpus/$target"
  budget=(-max_total_time="$seconds")
  if [ -n "$runs" ]; then
    work="$(mktemp -d)"
    budget=(-runs="$runs" -seed=1)
  fi
  mkdir -p "$work"
  log=".build-fuzz/$target.log"
  # The committed corpus is read, never written; libFuzzer adds what it finds to the work folder.
  parallel=()
  [ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")
  # Swift's backtracer would take the crash signal before libFuzzer could save the input.
  if SWIFT_BACKTRACE=enable=no GONGJIAN_FUZZ_TARGET="$target" "$fuzzer" "$work" "fuzz/corpus/$target" \
      "${budget[@]}" -max_len=65536 -timeout=20 -rss_limit_mb=4096 \
      "${parallel[@]}" -print_final_stats=1 \
      -artifact_prefix="fuzz/crashes/$target-" >"$log" 2>&1; then
    # With --jobs the workers' statistics are in fuzz-<n>.log.
    executed=$({ grep -ho 'stat::number_of_executed_units: *[0-9]*' "$log" fuzz-*.log 2>/dev/null || true; } | awk '{s+=$2} END {print s+0}')
    echo "$target: $executed executions, no crash"
    passed=$((passed + 1))
  else
    echo "$target: CRASH (see $log and fuzz/crashes/)" >&2
    tail -30 "$log" >&2
    status=1
    failed=$((failed + 1))
  fi
  rm -f fuzz-*.log
  [ -z "$runs" ] || rm -rf "$work"
done
echo "fuzz: $passed passed, $failed failed"
exit $status
