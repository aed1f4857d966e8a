#!/usr/bin/env bash
# bench-search.sh — search at city scale: seeds 50,000 shops, times a full reindex, and compares our
# endpoint with Meilisearch queried directly (median latency ratio, throughput ratio). Flags are passed
# on to the Go program (scripts/bench-search): -shops N, -duration D, -concurrency C, -samples S.
set -euo pipefail
cd "$(dirname "$0")/.."
url=$(scripts/devstack.sh meili)
eval "$(scripts/devstack.sh env)"
export SHIAN_MEILI_URL="${SHIAN_MEILI_URL:-$url}" SHIAN_MEILI_KEY="${SHIAN_MEILI_KEY:-$SHIAN_TEST_MEILI_KEY}"
exec go run ./scripts/bench-search "$@"
