#!/usr/bin/env bash
# The load benchmark: 30 and then 50 concurrent clients, 60 s each, against `puente serve` on
# loopback (release build), on SQLite and, when PUENTE_BENCH_DATABASE_URL names a PostgreSQL
# server, on PostgreSQL too. Each run gets a fresh demo database: a SQLite file in a temporary
# directory, or a new database on that server (dropped afterwards). The clients log in once per
# session, list and read cases, open cases, add notes and edit shared cases with their version
# (see crates/puente-server/examples/load.rs); afterwards every acknowledged write is read back
# and `puente audit verify` checks the audit log.
#
#     bash bench/load.sh [--seconds S] [--clients "30 50"] [--session-requests N]
#     PUENTE_BENCH_DATABASE_URL=postgres://USER@HOST:PORT/postgres bash bench/load.sh
#
# PUENTE_BENCH_BINARY and PUENTE_BENCH_LOAD name prebuilt `puente` and `load` binaries (then
# nothing is built); CARGO names the cargo to build with. Prints requests per second, p50, p99,
# errors, lost writes and stale saves accepted per backend and client count; exits 1 when a run
# lost a write, accepted a stale save or failed. A benchmark, not a test: it measures.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds=60
client_counts="30 50"
session_requests=100
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --clients) client_counts="$2"; shift 2 ;;
        --session-requests) session_requests="$2"; shift 2 ;;
        *) echo "usage: bash bench/load.sh [--seconds S] [--clients \"30 50\"] [--session-requests N]" >&2; exit 2 ;;
    esac
done

work="$(mktemp -d)"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2> /dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# The binaries are copied out of the target directory, so that another build cannot replace them
# during the runs.
if [ -n "${PUENTE_BENCH_BINARY:-}" ] && [ -n "${PUENTE_BENCH_LOAD:-}" ]; then
    cp "$PUENTE_BENCH_BINARY" "$work/puente"
    cp "$PUENTE_BENCH_LOAD" "$work/load"
else
    cargo="${CARGO:-cargo}"
    "$cargo" build --release --quiet --manifest-path "$root/Cargo.toml" -p puente-cli --bin puente
    "$cargo" build --release --quiet --manifest-path "$root/Cargo.toml" -p puente-server --example load
    target_dir="$("$cargo" metadata --format-version 1 --no-deps --manifest-path "$root/Cargo.toml" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
    cp "$target_dir/release/puente" "$work/puente"
    cp "$target_dir/release/examples/load" "$work/load"
fi
puente="$work/puente"
password="$(python3 -c 'import secrets; print("Carga-" + secrets.token_urlsafe(18))')"

# A free port on loopback: the first from 18080 on that nothing answers.
free_port() {
    local port=18080
    while (: < "/dev/tcp/127.0.0.1/$port") 2> /dev/null; do port=$((port + 1)); done
    echo "$port"
}

# The URL of database NAME on the server of PUENTE_BENCH_DATABASE_URL.
database_url() {
    python3 - "$PUENTE_BENCH_DATABASE_URL" "$1" <<'PY'
import sys, urllib.parse
parts = urllib.parse.urlsplit(sys.argv[1])
print(urllib.parse.urlunsplit(parts._replace(path="/" + sys.argv[2])))
PY
}

backends="sqlite"
if [ -n "${PUENTE_BENCH_DATABASE_URL:-}" ]; then
    command -v psql > /dev/null || { echo "psql is needed to create the PostgreSQL database" >&2; exit 1; }
    backends="sqlite postgres"
fi

failed=0
results=()
for backend in $backends; do
    for clients in $client_counts; do
        run_dir="$work/$backend-$clients"
        mkdir -p "$run_dir"
        if [ "$backend" = sqlite ]; then
            db="$run_dir/puente.db"
        else
            name="puente_bench_$$_$clients"
            psql -q -v ON_ERROR_STOP=1 "$PUENTE_BENCH_DATABASE_URL" -c "CREATE DATABASE $name"
            db="$(database_url "$name")"
        fi
        port="$(free_port)"
        PUENTE_DATA_DIR="$run_dir" PUENTE_DEMO_PASSWORD="$password" RUST_LOG=warn \
            "$puente" --db "$db" serve --demo --addr "127.0.0.1:$port" > "$run_dir/server.log" 2>&1 &
        server_pid=$!
        for _ in $(seq 1 600); do
            grep -q "is listening" "$run_dir/server.log" && break
            kill -0 "$server_pid" 2> /dev/null || break
            sleep 0.1
        done
        if ! grep -q "is listening" "$run_dir/server.log"; then
            echo "$backend: the server did not start:" >&2
            cat "$run_dir/server.log" >&2
            exit 1
        fi
        echo
        if ! "$work/load" --url "http://127.0.0.1:$port" --password "$password" --clients "$clients" \
            --seconds "$seconds" --session-requests "$session_requests" --label "$backend" \
            | tee "$run_dir/load.out"; then
            failed=1
        fi
        results+=("$(grep '^RESULT' "$run_dir/load.out" || echo "RESULT label=$backend clients=$clients failed")")
        kill -INT "$server_pid"
        wait "$server_pid" || true
        server_pid=""
        if PUENTE_DATA_DIR="$run_dir" "$puente" --db "$db" audit verify > "$run_dir/verify.out" 2>&1; then
            echo "  audit verify: $(tail -n 1 "$run_dir/verify.out")"
        else
            echo "  audit verify FAILED:"; cat "$run_dir/verify.out"
            failed=1
        fi
        if [ "$backend" = postgres ]; then
            psql -q "$PUENTE_BENCH_DATABASE_URL" -c "DROP DATABASE $name" || true
        fi
    done
done

echo
echo "Load on loopback, $(nproc) cores, ${seconds} s per run, sessions of $session_requests requests:"
echo "Targets at 50 clients: p99 under 250 ms, 0 lost writes, 0 stale saves accepted (p99 w/o login: the"
echo "same requests without the logins, whose argon2 work is CPU by design)."
printf '%-9s %7s %8s %8s %8s %12s %7s %6s %6s  %s\n' backend clients 'req/s' 'p50 ms' 'p99 ms' 'p99 w/o login' errors lost stale 'p99 target'
for line in "${results[@]}"; do
    python3 - "$line" <<'PY'
import sys
fields = dict(part.split("=", 1) for part in sys.argv[1].split()[1:] if "=" in part)
if "req_per_s" not in fields:
    print(f"{fields.get('label', '?'):<9} {fields.get('clients', '?'):>7}  failed")
else:
    met = "met" if float(fields["p99_ms"]) < 250 else "NOT met"
    print(f"{fields['label']:<9} {fields['clients']:>7} {fields['req_per_s']:>8} {fields['p50_ms']:>8} "
          f"{fields['p99_ms']:>8} {fields.get('p99_without_logins_ms', '?'):>12} {fields['errors']:>7} "
          f"{fields['lost_writes']:>6} {fields['stale_accepted']:>6}  < 250 ms: {met}")
PY
done
exit "$failed"
