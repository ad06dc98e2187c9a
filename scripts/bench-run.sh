#!/usr/bin/env bash
# `pnpm bench:run [contacts]`: the fleet benchmark, on the Redis at REDIS_URL or
# on a private one started (and installed, when missing and allowed) for it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_redis
# Not exec: the shell must outlive the bench to stop the private Redis it started (ensure_redis's EXIT trap).
# The floor holds every row of the run in the bench's own memory (more than Node's default 4 GB of heap at
# 2,000,000 contacts); the processes it measures start with Node's defaults (their arguments are their own).
node --max-old-space-size=16384 --import tsx bench/run.bench.ts "$@"
