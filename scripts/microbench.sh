#!/usr/bin/env bash
# The component benchmarks (Google Benchmark executables awsperf-bench-*):
# monitor, cache, http, query. Arguments go to each executable.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/install.sh
scripts/build.sh release
status=0
for b in build/release/bench/awsperf-bench-*; do
  [[ -x $b ]] || continue
  echo "== $(basename "$b")"
  "$b" "$@" || status=1
done
exit $status
