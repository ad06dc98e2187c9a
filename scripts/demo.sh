#!/usr/bin/env bash
# The README's main command: a generated demo organization scheduled end to end
# through a real Redis queue, with a readable summary.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_node_and_deps
ensure_redis
# Not exec: the shell must outlive the demo to stop the private Redis it started (ensure_redis's EXIT trap).
pnpm -s scheduler demo "$@"
