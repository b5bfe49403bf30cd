#!/usr/bin/env bash
# Privacy-preserving record linkage benchmark, side by side with the Python tools.
#
#   bash bench/pprl.sh [shared/data dir] [records of the large run]
#
# 1. Encoding: `puente pprl encode` and clkhash 0.18.3 on the same 100,000 FEBRL4 rows (dataset4a
#    repeated 20 times) with bench/pprl_febrl4_schema.json (1024 bits, every field); records/s, and
#    whether the two outputs are byte for byte equal.
# 2. Dice: all-pairs comparisons/s at threshold 0.7 on the FEBRL4 encodings (5,000 x 5,000, and
#    each file repeated 4 times: 20,000 x 20,000), puente-pprl and anonlink.
# 3. FEBRL4 F1 at threshold 0.60 through `puente pprl encode` and `puente pprl match`, and
#    anonlink's greedy solution on the same encodings (the accuracy of the Python tools).
# 4. The Latin American set (`puente_synth::linkage_set`: the same people written by two
#    organisations) with --profile latam at threshold 0.76, and what each hardening option costs.
# 5. A large blocked run: two files made from RECORDS generated records (1,000,000 give two files
#    of 532,683 records; 1,880,000 give about a million each), encoded with --profile latam and
#    matched with LSH blocking; time and peak memory of each command.
#
# The Python tools are installed in a virtual environment ($PPRL_VENV, default
# /tmp/puente-pprl-venv) with pip. Run it on a quiet machine: it uses both cores.
set -euo pipefail
# The summaries grepped below are the English ones.
export PUENTE_LANG=en

root="$(cd "$(dirname "$0")/.." && pwd)"
data="${1:-$root/../shared/data}"
records="${2:-1000000}"
venv="${PPRL_VENV:-/tmp/puente-pprl-venv}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet -p puente-cli --bin puente --manifest-path "$root/Cargo.toml"
cargo build --release --quiet -p puente-pprl --example pprl_bench --manifest-path "$root/Cargo.toml"
target_dir="$(cargo metadata --format-version 1 --no-deps --manifest-path "$root/Cargo.toml" | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
puente="$target_dir/release/puente"
bench="$target_dir/release/examples/pprl_bench"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet clkhash==0.18.3 anonlink==0.15.3
fi
py="$venv/bin/python"
schema="$root/bench/pprl_febrl4_schema.json"
secret="benchmark secret"

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# FEBRL4 without the spaces after the commas, so that headers equal the schema's identifiers.
"$py" - "$data/febrl/dataset4a.csv" "$data/febrl/dataset4b.csv" "$work" <<'EOF'
import csv, sys
for source, name in ((sys.argv[1], "a"), (sys.argv[2], "b")):
    rows = list(csv.reader(open(source), skipinitialspace=True))
    with open(f"{sys.argv[3]}/febrl4{name}.csv", "w") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
rows = list(csv.reader(open(f"{sys.argv[3]}/febrl4a.csv")))
with open(f"{sys.argv[3]}/big.csv", "w") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(rows[0])
    for _ in range(20):
        w.writerows(rows[1:])
EOF

echo "== 1. encoding 100,000 FEBRL4 rows, 1024 bits"
"$py" - "$schema" "$work/big.csv" "$secret" "$work/big_clkhash.json" <<'EOF'
import json, sys, time
from clkhash import clk, schema as clk_schema
from clkhash.serialization import serialize_bitarray
schema = clk_schema.from_json_file(open(sys.argv[1]))
start = time.time()
with open(sys.argv[2]) as f:
    clks = clk.generate_clk_from_csv(f, sys.argv[3], schema, progress_bar=False)
json.dump({"clks": [serialize_bitarray(c) for c in clks]}, open(sys.argv[4], "w"))
seconds = time.time() - start
print(f"  clkhash 0.18.3 (CSV in, JSON out, both cores): {len(clks)} records in {seconds:.2f} s: {len(clks) / seconds:,.0f} records/s")
EOF
start=$(date +%s.%N)
"$puente" pprl encode --schema "$schema" --secret "$secret" "$work/big.csv" --out "$work/big_puente.json" 2>/dev/null
end=$(date +%s.%N)
python3 - "$start" "$end" "$work/big_clkhash.json" "$work/big_puente.json" <<'EOF'
import json, sys
seconds = float(sys.argv[2]) - float(sys.argv[1])
a = json.load(open(sys.argv[3]))["clks"]
b = json.load(open(sys.argv[4]))["clks"]
print(f"  puente pprl encode (whole command): {len(b)} records in {seconds:.2f} s: {len(b) / seconds:,.0f} records/s")
print(f"  byte-for-byte equal to clkhash: {a == b}")
EOF

echo "== 2. Dice comparisons, threshold 0.7"
"$puente" pprl encode --schema "$schema" --secret "$secret" "$work/febrl4a.csv" --out "$work/a.json" 2>/dev/null
"$puente" pprl encode --schema "$schema" --secret "$secret" "$work/febrl4b.csv" --out "$work/b.json" 2>/dev/null
cat > "$work/anonlink_rate.py" <<'EOF'
import json, sys, time
import anonlink
from clkhash.serialization import deserialize_bitarray
a = [deserialize_bitarray(c) for c in json.load(open(sys.argv[1]))["clks"]] * int(sys.argv[4])
b = [deserialize_bitarray(c) for c in json.load(open(sys.argv[2]))["clks"]] * int(sys.argv[4])
threshold = float(sys.argv[3])
anonlink.candidate_generation.find_candidate_pairs([a[:100], b[:100]], anonlink.similarities.dice_coefficient, threshold)
start = time.time()
c = anonlink.candidate_generation.find_candidate_pairs([a, b], anonlink.similarities.dice_coefficient, threshold)
seconds = time.time() - start
print(f"  anonlink: {len(a)} x {len(b)}, {len(c[0])} candidates, {seconds:.3f} s: {len(a) * len(b) / seconds / 1e6:.1f} M comparisons/s")
EOF
for copies in 1 4; do
    "$py" "$work/anonlink_rate.py" "$work/a.json" "$work/b.json" 0.7 "$copies"
    echo -n "  puente-pprl: "; "$bench" dice-rate "$work/a.json" "$work/b.json" 0.7 "$copies"
done

echo "== 3. FEBRL4 linkage, threshold 0.60"
"$puente" pprl match "$work/a.json" "$work/b.json" --threshold 0.60 --out "$work/pairs4.csv" 2>&1 | sed 's/^/  /'
echo -n "  puente-pprl: "; "$bench" evaluate "$work/pairs4.csv" "$work/febrl4a.csv" "$work/febrl4b.csv"
"$py" - "$work/a.json" "$work/b.json" 0.60 "$work/pairs4_anonlink.csv" <<'EOF'
import json, sys
import anonlink
from clkhash.serialization import deserialize_bitarray
a = [deserialize_bitarray(c) for c in json.load(open(sys.argv[1]))["clks"]]
b = [deserialize_bitarray(c) for c in json.load(open(sys.argv[2]))["clks"]]
candidates = anonlink.candidate_generation.find_candidate_pairs([a, b], anonlink.similarities.dice_coefficient, float(sys.argv[3]))
groups = anonlink.solving.greedy_solve(candidates)
with open(sys.argv[4], "w") as f:
    f.write("dataset_l,row_l,dataset_r,row_r,similarity\n")
    for group in groups:
        (dl, rl), (dr, rr) = sorted(group)
        f.write(f"{dl},{rl},{dr},{rr},0\n")
EOF
echo -n "  anonlink 0.15.3 greedy_solve on the same encodings: "; "$bench" evaluate "$work/pairs4_anonlink.csv" "$work/febrl4a.csv" "$work/febrl4b.csv"

echo "== 4. Latin American set, --profile latam, threshold 0.76"
"$bench" two-orgs "$work/latam" 10000 7 2>&1 | sed 's/^/  /'
"$puente" pprl encode --profile latam --country GT --secret "$secret" "$work/latam/a.csv" --out "$work/latam/a.json" 2>/dev/null
"$puente" pprl encode --profile latam --country GT --secret "$secret" "$work/latam/b.csv" --out "$work/latam/b.json" 2>/dev/null
"$puente" pprl match "$work/latam/a.json" "$work/latam/b.json" --threshold 0.76 --out "$work/latam/pairs.csv" 2>&1 | sed 's/^/  /'
echo -n "  "; "$bench" evaluate "$work/latam/pairs.csv" "$work/latam/a.csv" "$work/latam/b.csv"
echo "  what each hardening option costs (best threshold of each):"
"$bench" latam-options "$work/latam/a.csv" "$work/latam/b.csv" | sed 's/^/  /'

echo "== 5. large blocked run: two files from $records generated records (sizes below)"
"$bench" two-orgs "$work/large" "$records" 11 2>&1 | sed 's/^/  /'
for side in a b; do
    /usr/bin/time -f "  encode $side: %e s, peak %M KB" \
        "$puente" pprl encode --profile latam --country GT --secret "$secret" "$work/large/$side.csv" --out "$work/large/$side.json" 2>&1 | grep -v "records encoded"
done
/usr/bin/time -f "  match: %e s, peak %M KB" \
    "$puente" pprl match "$work/large/a.json" "$work/large/b.json" --threshold 0.76 --out "$work/large/pairs.csv" 2>&1 | sed 's/^/  /'
echo -n "  "; "$bench" evaluate "$work/large/pairs.csv" "$work/large/a.csv" "$work/large/b.csv"
echo "machine after: load average $(cut -d' ' -f1-3 /proc/loadavg)"
