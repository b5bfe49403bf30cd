#!/usr/bin/env bash
# Times the CTDC commands on the real Global Dataset (97,750 records) with a release build:
# import, export and a grouped statistics query, each run three times on a fresh database.
#
#     bash bench/ctdc.sh [path/to/CTDC_global_kanon_dataset_15Jul2021.csv]
#
# Prints the best and the median wall time of each step. A benchmark, not a test: it measures.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${1:-$root/../shared/data/ctdc/CTDC_global_kanon_dataset_15Jul2021.csv}"
if [ ! -f "$data" ]; then
    echo "the CTDC data set is missing: expected it at $data" >&2
    exit 1
fi
cargo build --release --quiet -p puente-cli --manifest-path "$root/Cargo.toml"
target_dir="$(cargo metadata --format-version 1 --no-deps --manifest-path "$root/Cargo.toml" | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
puente="$target_dir/release/puente"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

seconds() { python3 -c 'import time; print(time.monotonic())'; }
declare -A times
for run in 1 2 3; do
    db="$work/run$run.db"
    start=$(seconds); "$puente" --db "$db" import ctdc "$data" > /dev/null; end=$(seconds)
    times[import]+="$(python3 -c "print($end - $start)") "
    start=$(seconds); "$puente" --db "$db" export ctdc --out "$work/export.csv" 2> /dev/null; end=$(seconds)
    times[export]+="$(python3 -c "print($end - $start)") "
    start=$(seconds); "$puente" --db "$db" stats ctdc --by gender,ageBroad,CountryOfExploitation --format json > /dev/null; end=$(seconds)
    times[stats]+="$(python3 -c "print($end - $start)") "
    cmp -s "$work/export.csv" "$data" && same="identical" || same="DIFFERENT"
done
echo "CTDC Global Dataset, $(($(wc -l < "$data") - 1)) records, release build, $(nproc) cores; export vs input: $same"
printf '%-8s %10s %10s\n' step best median
for step in import export stats; do
    python3 - "$step" ${times[$step]} <<'PY'
import statistics, sys
step, values = sys.argv[1], sorted(float(v) for v in sys.argv[2:])
print(f"{step:<8} {values[0]:>9.3f}s {statistics.median(values):>9.3f}s")
PY
done
