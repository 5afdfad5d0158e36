#!/usr/bin/env bash
# Split a seed sweep into N shards the way a CI matrix or a Kubernetes Indexed Job would, run them (here: as local
# background processes), and merge the results into the table one machine would print.
#
#   examples/sweep-shards.sh scenarios/async-retries-to-destinations.json 1..2000 4
#
# Each shard is `lambdasim check FILE --seeds RANGE --shard I/N --out shard-I.json`; `lambdasim merge` combines them.
set -euo pipefail
scenario=${1:?scenario file}
seeds=${2:-1..1000}
n=${3:-4}
bin=${LAMBDASIM:-target/release/lambdasim}
[[ -x $bin ]] || cargo build --release
out=$(mktemp -d)
for i in $(seq 1 "$n"); do
  "$bin" check "$scenario" --seeds "$seeds" --shard "$i/$n" --jobs 1 --out "$out/shard-$i.json" >/dev/null &
done
wait || true   # a shard with a failing expectation exits 1; merge judges the whole sweep
"$bin" merge "$out"/shard-*.json --junit "$out/results.xml"
