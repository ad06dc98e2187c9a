#!/usr/bin/env bash
# The README's main command: a generated demo organization scheduled end to end
# through a real Redis queue, with a readable summary.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_node_and_deps
ensure_redis
exec pnpm -s scheduler demo "$@"
