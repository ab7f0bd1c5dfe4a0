#!/usr/bin/env bash
# The main job, from a fresh clone: install, build, run the benchmarks.
# Extra arguments are passed to the benchmark executables.
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
