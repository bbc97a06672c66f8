#!/bin/sh
# The sample lot as a cluster would run it, without the scheduler: planned into shards,
# each shard run on its own, one after another, then merged into one WORK.
# usage: run_in_shards.sh LANTAI LOT PROFILE VIRUS_DB OUT [SHARDS]
set -eu
lantai=$1 lot=$2 profile=$3 virus_db=$4 out=$5 shards=${6:-3}
rm -rf "$out"
mkdir -p "$out"
"$lantai" plan --profile "$profile" --in "$lot/scans" --catalog "$lot/catalogue.csv" --fonds J012 \
  --unit 示例市档案馆 --shards "$shards" --out "$out/plan.json"
works=""
for k in $(seq "$shards"); do
  "$lantai" run --plan "$out/plan.json" --shard "$k" --out "$out/shard-$k" --jobs 2 --virus-db "$virus_db" \
    > "$out/shard-$k.txt"
  works="$out/shard-$k $works"  # given to the merge in any order
done
# shellcheck disable=SC2086
"$lantai" merge --plan "$out/plan.json" --out "$out/work" --jobs 2 --virus-db "$virus_db" $works > "$out/merge.txt"
