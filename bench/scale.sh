#!/usr/bin/env bash
# Scale benchmark: what one request costs as an organisation grows. For each size N, a fresh
# database gets N synthetic cases (`puente demo-data --cases N`, one transaction), then a release
# `puente serve --demo` on loopback answers, as the demo supervisor:
#   - case create with its duplicate check (POST /api/v1/cases, 50 creates),
#   - search (GET /api/v1/cases?q=..., 50 queries: names, misspellings, nicknames, phones),
#   - a paginated case list page (GET /api/v1/cases?page=..., 25 a page),
#   - the /cases page, /dashboard and GET /api/v1/stats?by=nationality.
# It prints p50 and p99 in milliseconds and the response size in bytes of each.
#
#     bash bench/scale.sh                       # N = 5,000, 20,000 and 100,000
#     bash bench/scale.sh --sizes 5000,20000    # only these sizes
#
# Set CARGO to run cargo through a wrapper. A benchmark, not a test: it measures.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
sizes="5000,20000,100000"
while [ $# -gt 0 ]; do
    case "$1" in
        --sizes) sizes="$2"; shift 2 ;;
        --sizes=*) sizes="${1#--sizes=}"; shift ;;
        *) echo "usage: bench/scale.sh [--sizes N,N,...]" >&2; exit 2 ;;
    esac
done
cargo="${CARGO:-cargo}"
"$cargo" build --release --quiet -p puente-cli --manifest-path "$root/Cargo.toml"
target_dir="${CARGO_TARGET_DIR:-$("$cargo" metadata --format-version 1 --no-deps --manifest-path "$root/Cargo.toml" | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')}"
work="$(mktemp -d)"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
# A copy, so that another build cannot replace the binary under the benchmark.
cp "$target_dir/release/puente" "$work/puente"
puente="$work/puente"
password="scale-benchmark-2026"

printf '%-8s %-34s %9s %9s %11s\n' "cases" "request" "p50 ms" "p99 ms" "bytes"
for size in ${sizes//,/ }; do
    dir="$work/$size"
    mkdir -p "$dir"
    db="$dir/puente.db"
    start=$(date +%s.%N)
    "$puente" --db "$db" demo-data --cases "$size" > /dev/null
    end=$(date +%s.%N)
    python3 -c "print(f'{$size:<8} {\"demo-data (s)\":<34} {$end - $start:9.1f}')"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    PUENTE_DEMO_PASSWORD="$password" "$puente" --db "$db" serve --demo --addr "127.0.0.1:$port" > "$dir/serve.log" 2>&1 &
    server=$!
    python3 - "$port" <<'PY'
import socket, sys, time
for _ in range(600):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit("the server did not start")
PY
    python3 - "$port" "$password" "$size" <<'PY'
import json, random, statistics, sys, time, urllib.request

port, password, size = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
base = f"http://127.0.0.1:{port}"

def request(method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("content-type", "application/json")
    start = time.perf_counter()
    with urllib.request.urlopen(req, timeout=300) as response:
        content = response.read()
        status = response.status
    return (time.perf_counter() - start) * 1000, status, content, response

_, _, content, response = request("POST", "/api/v1/login",
                                  {"email": "supervisor@hotline.demo", "password": password})
login = json.loads(content)
cookie = response.headers["set-cookie"].split(";")[0]
headers = {"authorization": f"Bearer {login['token']}", "cookie": cookie,
           "x-csrf-token": login["csrf_token"], "accept-language": "es"}

def measure(label, calls):
    times, sizes = [], []
    for method, path, body in calls:
        elapsed, status, content, _ = request(method, path, body, headers)
        if status >= 400:
            sys.exit(f"{label}: {method} {path} answered {status}")
        times.append(elapsed)
        sizes.append(len(content))
    times.sort()
    p99 = times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))]
    print(f"{size:<8} {label:<34} {statistics.median(times):9.1f} {p99:9.1f} {int(statistics.median(sizes)):11d}",
          flush=True)

rng = random.Random(size)
given = ["María", "José", "Ana", "Juan", "Rosa", "Carlos", "Lucía", "Luis", "Guadalupe", "Francisco"]
surnames = ["Hernández", "López", "García", "Pérez", "Martínez", "Díaz", "Ramírez", "Cruz"]
creates = []
for index in range(50):
    creates.append(("POST", "/api/v1/cases", {"person": {
        "given_name": rng.choice(given), "surname": rng.choice(surnames),
        "second_surname": rng.choice(surnames), "sex": rng.choice(["F", "M"]),
        "date_of_birth": f"{rng.randint(1970, 2010)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "nationality": rng.choice(["GT", "HN", "SV", "MX"]),
        "phone": f"+502 {rng.randint(3000, 5999)} {rng.randint(1000, 9999)}"}}))
measure("case create + duplicate check", creates)
queries = ["jose+ernandes", "maria+lopez", "chepe", "lupe+garcia", "juan+perez+diaz", "rosa",
           "ernandes+lopes", "pancho+martinez", "5555", "carlos+ramirez+cruz"]
measure("search q (page of 25)", [("GET", f"/api/v1/cases?q={queries[i % len(queries)]}", None) for i in range(50)])
pages = max(1, size // 25)
measure("case list page (25)", [("GET", f"/api/v1/cases?page={rng.randint(1, pages)}", None) for _ in range(20)])
measure("/cases page", [("GET", "/cases", None) for _ in range(10)])
measure("/dashboard", [("GET", "/dashboard", None) for _ in range(5)])
measure("GET /api/v1/stats?by=nationality", [("GET", "/api/v1/stats?by=nationality", None) for _ in range(10)])
PY
    kill "$server"; wait "$server" 2>/dev/null || true
    server=""
done
