#!/usr/bin/env bash
# Dashboard benchmark: how fast the analyst's differentially private counts answer over a large
# organisation. Fills a fresh database with CASES synthetic cases (default 100,000) with
# `puente demo-data`, serves it on loopback, logs in as the demo analyst and times, over HTTP,
# `GET /api/v1/stats?by=...` for each dimension alone and for a two-way table, then the whole
# dashboard page (every chart, each a private count). Each request runs RUNS times (default 5);
# the script prints the median and the slowest, in milliseconds, and the targets beside them. Each
# count is one grouped query over an index of its dimension (migration 0150), so the first question
# costs what later ones do. A benchmark, not a test.
#
#     bash bench/dashboard.sh                 # 100,000 cases, release build
#     CASES=20000 RUNS=3 bash bench/dashboard.sh
#     PUENTE=/path/to/puente bash bench/dashboard.sh   # a binary already built
#     CARGO=/path/to/cargo-wrapper bash bench/dashboard.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cases="${CASES:-100000}"
runs="${RUNS:-5}"
port="${PORT:-18471}"
if [ -z "${PUENTE:-}" ]; then
    cargo="${CARGO:-cargo}"
    "$cargo" build --release --quiet -p puente-cli --manifest-path "$root/Cargo.toml"
    target_dir="$("$cargo" metadata --format-version 1 --no-deps --manifest-path "$root/Cargo.toml" | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
    PUENTE="$target_dir/release/puente"
fi
work="$(mktemp -d)"
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
db="$work/dashboard.db"
password="bench-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"

seconds() { python3 -c 'import time; print(time.monotonic())'; }
start=$(seconds)
"$PUENTE" --db "$db" demo-data --cases "$cases" --org hotline-demo > /dev/null
end=$(seconds)
python3 -c "print(f'demo-data --cases $cases: {$end - $start:.1f} s')"

PUENTE_DEMO_PASSWORD="$password" "$PUENTE" --db "$db" serve --demo --addr "127.0.0.1:$port" > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
    if curl -fs "http://127.0.0.1:$port/login" > /dev/null 2>&1; then break; fi
    sleep 0.2
done

python3 - "$port" "$password" "$runs" "$cases" <<'PY'
import http.client, json, statistics, sys, time
port, password, runs, cases = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])

def request(method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    return response, data, elapsed

response, data, _ = request("POST", "/api/v1/login",
    json.dumps({"email": "analyst@hotline.demo", "password": password}),
    {"Content-Type": "application/json"})
assert response.status == 200, (response.status, data)
token = json.loads(data)["token"]
cookie = response.getheader("Set-Cookie", "").split(";")[0]
auth = {"Authorization": f"Bearer {token}", "Cookie": cookie}

def timed(path):
    times = []
    for _ in range(runs):
        response, data, elapsed = request("GET", path, headers=auth)
        assert response.status == 200, (path, response.status, data[:300])
        times.append(elapsed)
    return data, times

print(f"analyst's private counts over {cases} cases, {runs} runs each (median / slowest, ms):")
worst_median = 0.0
first_question = None
for by in ["nationality", "sex", "age_group", "exploitation_type", "country_of_exploitation",
           "method_of_control", "referral_outcome", "month", "sex,age_group"]:
    data, times = timed(f"/api/v1/stats?by={by}")
    body = json.loads(data)
    assert "privacy" in body and body["privacy"].get("mechanism"), body
    median = statistics.median(times)
    if first_question is None:
        first_question = times[0]
    worst_median = max(worst_median, median)
    print(f"  GET /api/v1/stats?by={by:<26} {median:8.1f} / {max(times):8.1f}  (total {body['total']})")
_, times = timed("/dashboard")
dashboard = statistics.median(times)
print(f"  GET /dashboard (every chart)             {dashboard:8.1f} / {max(times):8.1f}")
def verdict(value, target):
    return f"target under {target} ms: " + ("met" if value < target else "NOT met")
print(f"slowest median of the API: {worst_median:.1f} ms ({verdict(worst_median, 50)})")
print(f"median of the whole dashboard: {dashboard:.1f} ms ({verdict(dashboard, 500)})")
print(f"first question (no answer kept yet): {first_question:.1f} ms")
PY
