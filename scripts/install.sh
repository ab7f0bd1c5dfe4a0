#!/usr/bin/env bash
# Takes a fresh Debian 12 machine (as root) to ready: every Debian package the
# build, tests and benchmarks need, and the pinned npm peers (npm ci).
# Idempotent: when everything is already there it changes nothing and takes a
# second or two.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

packages=(
  # toolchain
  g++ cmake ninja-build ccache pkg-config git clang-format
  # libraries
  libboost1.81-dev libboost-json1.81-dev libboost-system1.81-dev libssl-dev
  libcli11-dev libhiredis-dev libpugixml-dev libzstd-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # comparison baselines in the benchmarks
  prometheus-cpp-dev libcurl4-openssl-dev
  # peers and tools the tests run
  redis-server prometheus openssl ca-certificates zstd curl
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js: keep the one the machine has (it may come from another source);
# install Debian's only when there is none.
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi
# moto_server, aws and boto3 come with the machine image; Debian's packages
# stand in where they are missing.
if ! command -v aws >/dev/null 2>&1; then missing+=(awscli); fi
if ! python3 -c 'import boto3' >/dev/null 2>&1; then missing+=(python3-boto3); fi

if ((${#missing[@]})); then
  echo "install.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v moto_server >/dev/null 2>&1; then
  echo "install.sh: moto_server is missing; it comes with the machine image (pip package moto[server])." >&2
  echo "            The DynamoDB transaction, S3, Bedrock and CloudWatch tests need it." >&2
  exit 1
fi

# The npm peers, pinned by package-lock.json. The stamp records the lock
# file's hash so a second run skips npm entirely.
stamp=node_modules/.awsperf-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  echo "install.sh: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi

# Room for several presets' objects (release, dev, tsan) in the compiler cache.
if command -v ccache >/dev/null 2>&1; then ccache --max-size 20G >/dev/null; fi
