#!/usr/bin/env bash
# Every test, from a fresh clone: install, build (release), run all tests:
# unit tests and the integration tests that start real peers.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/install.sh
scripts/build.sh release
ctest --preset release -j 2 "$@"
