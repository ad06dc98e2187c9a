#!/usr/bin/env bash
# `pnpm docs:screenshots`: the dashboard's schedule chart and a contact page,
# from a freshly seeded and scheduled organization, as PNGs in docs/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_node_and_deps
ensure_redis
ensure_chromium
pnpm -s exec tsx apps/dashboard/scripts/docs-screenshots.ts
