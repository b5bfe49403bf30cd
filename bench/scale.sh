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
# On PostgreSQL when PUENTE_BENCH_DATABASE_URL=postgres://USER@HOST:PORT/postgres names a server
# (a fresh database per size, dropped afterwards). PUENTE_BENCH_BINARY names a prebuilt `puente`
# (then nothing is built); CARGO runs cargo through a wrapper. Each line ends with its target (the
# p50 under it) and whether it is met. A benchmark, not a test: it measures.
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
work="$(mktemp -d)"
server=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null
    if [ -n "${PUENTE_BENCH_DATABASE_URL:-}" ]; then
        for size in ${sizes//,/ }; do
            psql -q "$PUENTE_BENCH_DATABASE_URL" -c "DROP DATABASE IF EXISTS puente_scale_$$_$size" 2>/dev/null || true
        done
    fi
    rm -rf "$work"
}
trap cleanup EXIT
# A copy, so that another build cannot replace the binary under the benchmark.
if [ -n "${PUENTE_BENCH_BINARY:-}" ]; then
    cp "$PUENTE_BENCH_BINARY" "$work/puente"
else
    cargo="${CARGO:-cargo}"
    "$cargo" build --release --quiet -p puente-cli --manifest-path "$root/Cargo.toml"
    target_dir="${CARGO_TARGET_DIR:-$("$cargo" metadata --format-version 1 --no-deps --manifest-path "$root/Cargo.toml" | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')}"
    cp "$target_dir/release/puente" "$work/puente"
fi
puente="$work/puente"
password="scale-benchmark-2026"
backend="sqlite"
if [ -n "${PUENTE_BENCH_DATABASE_URL:-}" ]; then
    command -v psql > /dev/null || { echo "psql is needed to create the PostgreSQL database" >&2; exit 1; }
    backend="postgres"
fi

echo "backend: $backend, $(nproc) cores, release build"
printf '%-8s %-34s %9s %9s %11s  %s\n' "cases" "request" "p50 ms" "p99 ms" "bytes" "target (p50)"
for size in ${sizes//,/ }; do
    dir="$work/$size"
    mkdir -p "$dir"
    if [ "$backend" = postgres ]; then
        name="puente_scale_$$_$size"
        psql -q -v ON_ERROR_STOP=1 "$PUENTE_BENCH_DATABASE_URL" -c "CREATE DATABASE $name"
        db="$(python3 - "$PUENTE_BENCH_DATABASE_URL" "$name" <<'PY'
import sys, urllib.parse
parts = urllib.parse.urlsplit(sys.argv[1])
print(urllib.parse.urlunsplit(parts._replace(path="/" + sys.argv[2])))
PY
)"
    else
        db="$dir/puente.db"
    fi
    start=$(date +%s.%N)
    PUENTE_DATA_DIR="$dir" "$puente" --db "$db" demo-data --cases "$size" > /dev/null
    end=$(date +%s.%N)
    python3 -c "print(f'{$size:<8} {\"demo-data (s)\":<34} {$end - $start:9.1f}')"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    PUENTE_DATA_DIR="$dir" PUENTE_DEMO_PASSWORD="$password" "$puente" --db "$db" serve --demo --addr "127.0.0.1:$port" > "$dir/serve.log" 2>&1 &
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

def measure(label, calls, target=None):
    times, sizes, answers = [], [], []
    for method, path, body in calls:
        elapsed, status, content, _ = request(method, path, body, headers)
        if status >= 400:
            sys.exit(f"{label}: {method} {path} answered {status}")
        times.append(elapsed)
        sizes.append(len(content))
        answers.append(content)
    times.sort()
    p99 = times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))]
    median = statistics.median(times)
    verdict = ""
    if target is not None:
        verdict = f"< {target} ms: " + ("met" if median < target else "NOT met")
    print(f"{size:<8} {label:<34} {median:9.1f} {p99:9.1f} {int(statistics.median(sizes)):11d}  {verdict}",
          flush=True)
    return answers

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
measure("case create + duplicate check", creates, 50)
queries = ["jose+ernandes", "maria+lopez", "chepe", "lupe+garcia", "juan+perez+diaz", "rosa",
           "ernandes+lopes", "pancho+martinez", "5555", "carlos+ramirez+cruz"]
searched = measure("search q (page of 25)",
                   [("GET", f"/api/v1/cases?q={queries[i % len(queries)]}", None) for i in range(50)], 50)
print(f"{'':<8} {'  (matches per query: ' + ', '.join(str(json.loads(a)['total']) for a in searched[:len(queries)]) + ')'}")
pages = max(1, size // 25)
measure("case list page (25, random page)",
        [("GET", f"/api/v1/cases?page={rng.randint(1, pages)}", None) for _ in range(20)], 50)
measure("case list last page (page=N)", [("GET", f"/api/v1/cases?page={pages}", None) for _ in range(10)], 50)
# Following the cursors from a deep page on, as the cases page's "next" link does.
deep = json.loads(request("GET", f"/api/v1/cases?page={max(1, pages - 12)}", None, headers)[2])
cursor_calls = []
for step in range(10):
    if not deep.get("next_cursor"):
        break
    path = f"/api/v1/cases?page={deep['page'] + 1}&cursor={deep['next_cursor']}"
    cursor_calls.append(("GET", path, None))
    deep = json.loads(request("GET", path, None, headers)[2])
if cursor_calls:
    measure("case list next page (cursor)", cursor_calls, 50)
measure("/cases page", [("GET", "/cases", None) for _ in range(10)], 50)
measure("/dashboard", [("GET", "/dashboard", None) for _ in range(5)], 500)
measure("GET /api/v1/stats?by=nationality", [("GET", "/api/v1/stats?by=nationality", None) for _ in range(10)], 50)
PY
    kill "$server"; wait "$server" 2>/dev/null || true
    server=""
done
