#!/usr/bin/env bash
# Client CPU per DynamoDB GetItem call: awsperf versus boto3 and the AWS SDK
# for JavaScript v3, against one dynalite. CPU time (user + system of the
# client process, measured by each client around its loop only), so the
# server's speed and the machine's load barely matter; the ratio is what counts.
#
#   bench/dynamodb_cpu/run.sh [CALLS] [WARMUP]      (defaults 5000 and 500)
#
# Environment: BUILD_DIR (default build/release) holds the awsperf program
# (target awsperf-dynamodb-cpu-getitem).
# Targets from issue 5: awsperf <= 1/10 of boto3's CPU per call, <= 1/3 of the JS SDK's.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
calls="${1:-5000}"
warmup="${2:-500}"
build_dir="${BUILD_DIR:-$root/build/release}"
awsperf_bin="$build_dir/bench/dynamodb_cpu/awsperf-dynamodb-cpu-getitem"

[[ -x "$awsperf_bin" ]] || { echo "missing $awsperf_bin: build target awsperf-dynamodb-cpu-getitem" >&2; exit 1; }
[[ -f "$root/node_modules/dynalite/cli.js" ]] || { echo "dynalite missing: run scripts/install.sh" >&2; exit 1; }
python3 -c 'import boto3' 2>/dev/null || { echo "boto3 missing: run scripts/install.sh" >&2; exit 1; }

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
log="$(mktemp)"
node "$root/node_modules/dynalite/cli.js" --port "$port" --host 127.0.0.1 >"$log" 2>&1 &
dynalite_pid=$!
trap 'kill "$dynalite_pid" 2>/dev/null; wait "$dynalite_pid" 2>/dev/null || true; rm -f "$log" "$results"' EXIT
results="$(mktemp)"
endpoint="http://127.0.0.1:$port"
for _ in $(seq 100); do
  (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
table="cpu_bench"
python3 "$here/boto3_getitem.py" setup "$endpoint" "$table"

echo "dynalite on $endpoint; $calls calls after $warmup warm-up calls per client" >&2
"$awsperf_bin" "$endpoint" "$table" "$calls" "$warmup" blocking | tee -a "$results"
"$awsperf_bin" "$endpoint" "$table" "$calls" "$warmup" async | tee -a "$results"
python3 "$here/boto3_getitem.py" run "$endpoint" "$table" "$calls" "$warmup" | tee -a "$results"
NODE_NO_WARNINGS=1 node "$here/js_getitem.mjs" "$endpoint" "$table" "$calls" "$warmup" | tee -a "$results"

python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
by = {r["client"]: r for r in rows}
base = by["awsperf-blocking"]["cpu_us_per_call"]
print()
print(f"{'client':<18} {'calls':>7} {'CPU us/call':>12} {'x awsperf':>10}")
for r in rows:
    print(f"{r['client']:<18} {r['calls']:>7} {r['cpu_us_per_call']:>12.1f} {r['cpu_us_per_call'] / base:>10.1f}")
print()
for mode in ("awsperf-blocking", "awsperf-async"):
    ours = by[mode]["cpu_us_per_call"]
    for name, target in (("boto3", 10), ("js-sdk-v3", 3)):
        ratio = by[name]["cpu_us_per_call"] / ours
        verdict = "met" if ratio >= target else "NOT met"
        print(f"target {mode} <= 1/{target} of {name}: {name} uses {ratio:.1f}x its CPU per call -> {verdict}")
PY
