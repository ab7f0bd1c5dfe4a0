#!/usr/bin/env bash
# The main job, from a fresh clone: install, build, then `awsperf bench` with
# its defaults (an embedded dynalite, 10,000 records, YCSB workload B, modes
# baseline / pooled / optimized at a calibrated open-loop rate). Prints the
# table and writes build/bench-results.json and build/bench-report.html.
# Extra arguments go to `awsperf bench` (see `awsperf bench --help`), e.g.
#   ./scripts/bench.sh --network-delay 2ms --workload A,B,C
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/install.sh
scripts/build.sh release
exec build/release/apps/awsperf/awsperf bench \
  --json build/bench-results.json --report build/bench-report.html "$@"
