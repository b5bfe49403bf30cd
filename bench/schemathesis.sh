#!/usr/bin/env bash
# Checks the API against its OpenAPI document with Schemathesis: starts `puente serve --demo` on a
# free loopback port over a fresh database, logs in as the demo supervisor, and runs
#
#     schemathesis run http://127.0.0.1:PORT/api/v1/openapi.json -H "Authorization: Bearer TOKEN" \
#         -n 25 -c all --exclude-path /api/v1/logout
#
# (logging out would end the session the run uses). Schemathesis is installed with pip (the
# version CI pins, `SCHEMATHESIS_VERSION`) into a virtual environment under the temporary
# directory unless `schemathesis` is on the PATH.
#
#     bash bench/schemathesis.sh [extra schemathesis options]
#
# Schemathesis reads its settings from bench/schemathesis.toml: the few operations that may refuse a
# request the document allows with the 422 they document, for a reason no schema can state (see
# there). `.ci/run` runs this after the tests with a fixed seed, fewer examples and without the
# coverage phase (`-n 10 --phases examples,fuzzing,stateful --seed 20261201`), to keep it under a
# minute. Prints Schemathesis's report and exits with its status (0: no failure).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# PUENTE_BIN: a `puente` binary built already (else it is built here).
if [ -n "${PUENTE_BIN:-}" ]; then
    puente="$PUENTE_BIN"
else
    cargo build --quiet -p puente-cli --manifest-path "$root/Cargo.toml"
    target_dir="$(cargo metadata --format-version 1 --no-deps --manifest-path "$root/Cargo.toml" | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
    puente="$target_dir/debug/puente"
fi
work="$(mktemp -d)"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2> /dev/null || true
        wait "$server_pid" 2> /dev/null || true
    fi
    rm -rf "$work" || true
}
trap cleanup EXIT

if command -v schemathesis > /dev/null; then
    schemathesis="schemathesis"
else
    python3 -m venv "$work/venv"
    "$work/venv/bin/pip" install --quiet "schemathesis==${SCHEMATHESIS_VERSION:-4.32.5}"
    schemathesis="$work/venv/bin/schemathesis"
fi

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
password="schemathesis-demo-$(date +%s)"
PUENTE_DEMO_PASSWORD="$password" "$puente" --db "$work/demo.db" serve --demo \
    --addr "127.0.0.1:$port" --secrets-key-file "$work/secrets-key" > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
    if curl --silent --fail "http://127.0.0.1:$port/api/v1/openapi.json" > /dev/null; then break; fi
    sleep 0.2
done
token="$(curl --silent --fail -X POST "http://127.0.0.1:$port/api/v1/login" \
    -H 'content-type: application/json' \
    -d "{\"email\": \"supervisor@hotline.demo\", \"password\": \"$password\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
# Schemathesis keeps a cache of what it found in the working directory: the temporary one.
cd "$work"
"$schemathesis" --config-file "$root/bench/schemathesis.toml" run "http://127.0.0.1:$port/api/v1/openapi.json" \
    -H "Authorization: Bearer $token" -n 25 -c all --no-color \
    --exclude-path /api/v1/logout "$@"
