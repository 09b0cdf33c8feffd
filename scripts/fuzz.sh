#!/usr/bin/env bash
# Runs the extractor fuzz targets (Fuzz/) for FUZZ_SECONDS each, from our own seed corpus.
#   scripts/fuzz.sh [seconds] [format ...]
# Findings go to Fuzz/crashes/; commit each as a regression test. A run prints libFuzzer's
# final stats (executions, coverage) per format.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
formats=("$@")
[ ${#formats[@]} -gt 0 ] || formats=(docx xlsx pptx odt ods odp epub eml mbox image pdf html confluence markdown csv json text)
swift=${SWIFT:-swift}

$swift build -c release --product cirrus-bench
.build/release/cirrus-bench fuzz-seeds --out .build-fuzz/seeds
(cd Fuzz && $swift build -c release --scratch-path ../.build-fuzz/build -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
binary=.build-fuzz/build/release/ExtractorFuzz
mkdir -p Fuzz/crashes
for format in "${formats[@]}"; do
  corpus=.build-fuzz/corpus/$format
  mkdir -p "$corpus"
  log=.build-fuzz/$format.log
  echo "== $format: $seconds s"
  status=0
  CIRRUS_FUZZ_FORMAT=$format ASAN_OPTIONS=detect_leaks=0 "$binary" "$corpus" ".build-fuzz/seeds/$format" \
    -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -max_len=1048576 -print_final_stats=1 \
    -artifact_prefix="Fuzz/crashes/$format-" >"$log" 2>&1 || status=$?
  grep -E "^(#[0-9]+ *DONE|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)" "$log" || true
  grep -Eo "cov: [0-9]+ ft: [0-9]+" "$log" | tail -1 || true
  if [ "$status" -ne 0 ]; then
    echo "   finding (exit $status): see $log and Fuzz/crashes/"
  else
    echo "   0 crashes"
  fi
done
