#!/usr/bin/env bash
# The entity-resolution benchmark, release build:
# 1. the engine on FEBRL 1-4, the Latin American set (10,000 records) and a million synthetic
#    records: precision, recall, F1, wall time, peak memory (VmHWM) and comparisons per second,
#    each data set in its own process;
# 2. the whole `puente link` command, reading and writing CSV: FEBRL3 (dedupe) and FEBRL4 (pair),
#    three runs each, then the Latin American set (10,000 records) and the synthetic set written as
#    CSV by the `write_latam` example.
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

cargo build --release --quiet -p puente-cli --manifest-path "$root/Cargo.toml"
cargo build --release --quiet -p puente-linkage --example write_latam --manifest-path "$root/Cargo.toml"
target_dir="$(cargo metadata --format-version 1 --no-deps --manifest-path "$root/Cargo.toml" | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
puente="$target_dir/release/puente"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# F1 of a pairs file against the truth in the ids (`rec-<n>-...` is entity n).
evaluate() {
    python3 - "$@" <<'PY'
import csv, collections, sys
pairs_file, inputs = sys.argv[1], sys.argv[2:]
entity = lambda i: i.strip().split("-")[1]
def ids(path):
    with open(path, newline="") as f:
        rows = csv.reader(f)
        header = [h.strip() for h in next(rows)]
        column = header.index("rec_id")
        return [row[column].strip() for row in rows]
if len(inputs) == 1:
    sizes = collections.Counter(entity(i) for i in ids(inputs[0]))
    actual = sum(n * (n - 1) // 2 for n in sizes.values())
else:
    right = collections.Counter(entity(i) for i in ids(inputs[1]))
    actual = sum(right[entity(i)] for i in ids(inputs[0]))
with open(pairs_file, newline="") as f:
    found = [(row["id_l"], row["id_r"]) for row in csv.DictReader(f)]
correct = sum(entity(a) == entity(b) for a, b in found)
precision = correct / len(found) if found else 1.0
recall = correct / actual if actual else 1.0
f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
print(f"    precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}")
PY
}

echo
echo "whole command (read CSV, learn, score, write pairs), $(nproc) cores:"
for run in 1 2 3; do
    [ -d "$data/febrl" ] || break
    /usr/bin/time -f "  puente link dedupe FEBRL3: %e s, peak %M KB" \
        "$puente" link dedupe "$data/febrl/dataset3.csv" --id-column rec_id --out "$work/pairs3.csv" 2>&1 | grep "puente link"
    /usr/bin/time -f "  puente link pair FEBRL4:   %e s, peak %M KB" \
        "$puente" link pair "$data/febrl/dataset4a.csv" "$data/febrl/dataset4b.csv" --id-column rec_id \
        --out "$work/pairs4.csv" 2>&1 | grep "puente link"
done
if [ -d "$data/febrl" ]; then
    echo "  FEBRL3:"; evaluate "$work/pairs3.csv" "$data/febrl/dataset3.csv"
    echo "  FEBRL4:"; evaluate "$work/pairs4.csv" "$data/febrl/dataset4a.csv" "$data/febrl/dataset4b.csv"
fi
"$target_dir/release/examples/write_latam" 10000 7 > "$work/latam.csv"
"$target_dir/release/examples/write_latam" "$records" 11 > "$work/synthetic.csv"
/usr/bin/time -f "  puente link dedupe Latin American set (10,000): %e s, peak %M KB" \
    "$puente" link dedupe "$work/latam.csv" --id-column rec_id --country GT --out "$work/pairs-latam.csv" 2>&1 | grep "puente link"
evaluate "$work/pairs-latam.csv" "$work/latam.csv"
/usr/bin/time -f "  puente link dedupe synthetic set ($records): %e s, peak %M KB" \
    "$puente" link dedupe "$work/synthetic.csv" --id-column rec_id --country GT --out "$work/pairs-synthetic.csv" \
    --clusters "$work/clusters-synthetic.csv" 2>&1 | grep "puente link"
evaluate "$work/pairs-synthetic.csv" "$work/synthetic.csv"
