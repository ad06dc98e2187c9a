#!/usr/bin/env bash
# `pnpm bench:run [contacts]`: the fleet benchmark, on the Redis at REDIS_URL or
# on a private one started (and installed, when missing and allowed) for it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_redis
# Not exec: the shell must outlive the bench to stop the private Redis it started (ensure_redis's EXIT trap).
pnpm -s exec tsx bench/run.bench.ts "$@"
