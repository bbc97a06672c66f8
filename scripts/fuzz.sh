#!/usr/bin/env bash
# Runs each decoder fuzz harness in turn for FUZZ_SECONDS over its seed corpus, then
# stops (docs/fuzzing.md). Usage: scripts/fuzz.sh BUILD_DIR [jpeg png tiff jp2]
# Crashing inputs land in BUILD_DIR/fuzz/crashes/<format>/; new coverage in corpus/<format>/.
set -uo pipefail

build=${1:?usage: scripts/fuzz.sh BUILD_DIR [FORMAT...]}
shift
formats=("$@")
[ ${#formats[@]} -gt 0 ] || formats=(jpeg png tiff jp2)
seconds=${FUZZ_SECONDS:-300}
work="$build/fuzz"

"$build/tests/fuzz/make_fuzz_seeds" "$work/seeds" || exit 1
failed=()
for format in "${formats[@]}"; do
  mkdir -p "$work/corpus/$format" "$work/crashes/$format"
  echo "== fuzz_${format}_reader: ${seconds} s"
  # -timeout: one input taking this long is a hang; -rss_limit_mb: libFuzzer's default, said aloud.
  "$build/tests/fuzz/fuzz_${format}_reader" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$work/crashes/$format/" \
    "$work/corpus/$format" "$work/seeds/$format" 2>&1 | tee "$work/$format.log" | grep -E '^(#[0-9]+ +(DONE|INITED)|==[0-9]+==ERROR|SUMMARY|stat::)' 
  [ "${PIPESTATUS[0]}" -eq 0 ] || failed+=("$format")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found problems in: ${failed[*]} (inputs in $work/crashes/)"
  exit 1
fi
