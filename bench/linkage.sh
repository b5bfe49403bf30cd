#!/usr/bin/env bash
# The entity-resolution benchmark (issue 6), release build:
# 1. the engine on FEBRL 1-4, the Latin American set (10,000 records) and a million synthetic
#    records: precision, recall, F1, wall time, peak memory (VmHWM) and comparisons per second,
#    each data set in its own process;
# 2. the whole `puente link` command on FEBRL3 (dedupe) and FEBRL4 (pair), reading and writing CSV,
#    three runs each.
#
#     bash bench/linkage.sh [path/to/shared/data] [records for the synthetic set]
#
# A benchmark, not a test: it measures. See crates/puente-linkage/README.md for the latest figures.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${1:-$root/../shared/data}"
records="${2:-1000000}"
if [ ! -d "$data/febrl" ]; then
    echo "the FEBRL data is missing: expected it at $data/febrl (FEBRL rows are skipped)" >&2
fi
cargo run --release --quiet -p puente-linkage --example bench --manifest-path "$root/Cargo.toml" -- \
    --data "$data" --records "$records"

[ -d "$data/febrl" ] || exit 0
cargo build --release --quiet -p puente-cli --manifest-path "$root/Cargo.toml"
target_dir="$(cargo metadata --format-version 1 --no-deps --manifest-path "$root/Cargo.toml" | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
puente="$target_dir/release/puente"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo
echo "whole command (read CSV, learn, score, write pairs), $(nproc) cores:"
for run in 1 2 3; do
    /usr/bin/time -f "  puente link dedupe FEBRL3: %e s, peak %M KB" \
        "$puente" link dedupe "$data/febrl/dataset3.csv" --id-column rec_id --out "$work/pairs3.csv" 2>&1 | grep "puente link"
    /usr/bin/time -f "  puente link pair FEBRL4:   %e s, peak %M KB" \
        "$puente" link pair "$data/febrl/dataset4a.csv" "$data/febrl/dataset4b.csv" --id-column rec_id \
        --out "$work/pairs4.csv" 2>&1 | grep "puente link"
done
