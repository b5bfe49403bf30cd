#!/usr/bin/env bash
# Publishing benchmark: Puente's differentially private synthetic release against Microsoft's
# synthetic-data-showcase (SDS) on the 97,750-record CTDC Global Dataset, the 16 columns of the
# publishing issue, epsilon 4, reporting length 3, default delta 1/(n ln n), release builds.
#
#     bash bench/publish.sh [path/to/CTDC_global_kanon_dataset_15Jul2021.csv]
#     SDS_CLI=/path/to/sds-cli bash bench/publish.sh      # also run SDS, built from its source
#
# SDS is not part of Puente: build its `sds-cli` yourself from its public source and point SDS_CLI
# at it; without it, only Puente runs. Each tool runs RUNS times (default 3); the script prints the
# median wall time of each step and the mean total variation distance (TVD) of every 1-, 2- and
# 3-way marginal of each release against the original (a flag's 0 counted as empty), all computed
# by the same evaluator. A benchmark, not a test: it measures.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${1:-$root/../shared/data/ctdc/CTDC_global_kanon_dataset_15Jul2021.csv}"
runs="${RUNS:-3}"
if [ ! -f "$data" ]; then
    echo "the CTDC data set is missing: expected it at $data" >&2
    exit 1
fi
columns="yearOfRegistration,gender,ageBroad,citizenship,CountryOfExploitation,meansOfControlDebtBondage,meansOfControlThreats,meansOfControlPsychologicalAbuse,meansOfControlPhysicalAbuse,meansOfControlFalsePromises,isForcedLabour,isSexualExploit,typeOfLabourAgriculture,typeOfLabourDomesticWork,typeOfSexProstitution,recruiterRelationFamily"
cargo build --release --quiet -p puente-cli --example marginal_tvd --manifest-path "$root/Cargo.toml"
cargo build --release --quiet -p puente-cli --manifest-path "$root/Cargo.toml"
target_dir="$(cargo metadata --format-version 1 --no-deps --manifest-path "$root/Cargo.toml" | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
puente="$target_dir/release/puente"
tvd="$target_dir/release/examples/marginal_tvd"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The 16 columns as a plain CSV (flags' 0 and -99 as empty): SDS's input, and the reference of
# every TVD.
python3 - "$data" "$columns" "$work/sensitive.csv" <<'PY'
import csv, sys
source, columns, target = sys.argv[1], sys.argv[2].split(","), sys.argv[3]
with open(source, newline="", encoding="utf-8-sig") as file, open(target, "w", newline="") as out:
    reader = csv.DictReader(file)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in reader:
        writer.writerow(["" if row[c] in ("0", "-99") else row[c] for c in columns])
PY
records=$(($(wc -l < "$work/sensitive.csv") - 1))

seconds() { python3 -c 'import time; print(time.monotonic())'; }
median() { python3 -c 'import statistics,sys; print(f"{statistics.median(float(v) for v in sys.argv[1:]):.2f}")' "$@"; }
mean_tvd() { # mean of each length's TVD over the runs' evaluation files
    python3 - "$@" <<'PY'
import sys, statistics
by_length = {}
for path in sys.argv[1:]:
    for line in open(path):
        length, mean, worst, count = line.split()
        by_length.setdefault(int(length), []).append(float(mean))
print(" / ".join(f"{statistics.mean(v):.4f}" for _, v in sorted(by_length.items())))
PY
}

db="$work/ctdc.db"
start=$(seconds); "$puente" --db "$db" import ctdc "$data" > /dev/null; end=$(seconds)
import_time=$(python3 -c "print($end - $start)")
puente_times=()
puente_evaluations=()
for run in $(seq 1 "$runs"); do
    start=$(seconds)
    "$puente" --db "$db" publish synthetic --from ctdc --columns "$columns" --epsilon 4 --reporting-length 3 --out "$work/puente-$run.csv" > "$work/puente-$run.log"
    end=$(seconds)
    puente_times+=("$(python3 -c "print($end - $start)")")
    "$tvd" "$work/sensitive.csv" "$work/puente-$run.csv" 3 > "$work/puente-$run.tvd"
    puente_evaluations+=("$work/puente-$run.tvd")
done

echo "Publishing benchmark: CTDC Global Dataset, $records records, 16 columns, epsilon 4, reporting length 3, delta 1/(n ln n), $(nproc) cores, $runs runs"
printf '%-28s %12s %12s %12s %26s\n' tool "step 1 (s)" "step 2 (s)" "total (s)" "mean TVD 1 / 2 / 3-way"
puente_total=$(median "${puente_times[@]}")
printf '%-28s %12s %12s %12s %26s\n' "Puente publish synthetic" "-" "-" "$puente_total" "$(mean_tvd "${puente_evaluations[@]}")"
echo "  (Puente's total is the whole publish command reading the imported dataset; the import itself took $(printf '%.2f' "$import_time") s once)"
grep -h "Published" "$work/puente-1.log" | sed 's/^/  /'

if [ -n "${SDS_CLI:-}" ] && [ -x "${SDS_CLI}" ]; then
    aggregate_times=()
    generate_times=()
    total_times=()
    sds_evaluations=()
    for run in $(seq 1 "$runs"); do
        start=$(seconds)
        "$SDS_CLI" --sensitive-path "$work/sensitive.csv" --sensitive-delimiter , --n-threads "$(nproc)" --resolution 1 \
            aggregate --aggregates-path "$work/sds-aggregates.tsv" --aggregates-json "$work/sds-aggregates.json" \
            --reporting-length 3 --dp --noise-epsilon 4 --sensitivities-percentile 99 \
            --sensitivities-epsilon-proportion 0.01 --noise-threshold-type adaptive \
            --noise-threshold-values 1.0 1.0 --number-of-records-epsilon-proportion 0.005 > "$work/sds-aggregate.log" 2>&1
        middle=$(seconds)
        "$SDS_CLI" --sensitive-path "$work/sensitive.csv" --sensitive-delimiter , --n-threads "$(nproc)" --resolution 1 \
            generate --synthetic-path "$work/sds-$run.csv" --synthetic-delimiter , \
            --mode aggregate_seeded --use-synthetic-counts --aggregates-json "$work/sds-aggregates.json" > "$work/sds-generate.log" 2>&1
        end=$(seconds)
        aggregate_times+=("$(python3 -c "print($middle - $start)")")
        generate_times+=("$(python3 -c "print($end - $middle)")")
        total_times+=("$(python3 -c "print($end - $start)")")
        "$tvd" "$work/sensitive.csv" "$work/sds-$run.csv" 3 > "$work/sds-$run.tvd"
        sds_evaluations+=("$work/sds-$run.tvd")
    done
    sds_total=$(median "${total_times[@]}")
    printf '%-28s %12s %12s %12s %26s\n' "SDS aggregate + generate" "$(median "${aggregate_times[@]}")" "$(median "${generate_times[@]}")" "$sds_total" "$(mean_tvd "${sds_evaluations[@]}")"
    python3 -c "print(f'Puente is {$sds_total / $puente_total:.1f} times faster than SDS end to end')"
else
    echo "SDS not run: set SDS_CLI to an sds-cli built from synthetic-data-showcase's source to compare"
fi
