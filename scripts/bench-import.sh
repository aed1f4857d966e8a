#!/usr/bin/env bash
# bench-import.sh — times `shian import shops` of a generated registry on SQLite and on PostgreSQL.
#
#   scripts/bench-import.sh            100,000 shops × 5 inspections through bin/shian (built when missing)
#   scripts/bench-import.sh --go       the same through the Go benchmark BenchmarkImport100k (no binary needed)
#
# Environment:
#   SHOPS                    number of shops (default 100000); INSPECTIONS per shop (default 5)
#   BIN                      the shian binary (default bin/shian; built with `go build` when missing)
#   SHIAN_TEST_POSTGRES_URL  admin URL of the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/test?sslmode=disable);
#                            the benchmark drops and creates a database named shian_bench on it
#
# The goal (issue 2) is under 60 s per store on the 2-core development machine. The file, the SQLite
# database and the data dir live in a temporary directory that is removed at exit; shian_bench is dropped.
set -euo pipefail

cd "$(dirname "$0")/.."

SHOPS=${SHOPS:-100000}
INSPECTIONS=${INSPECTIONS:-5}
BIN=${BIN:-bin/shian}
export PGOPTIONS="-c client_min_messages=warning"
ADMIN_URL=${SHIAN_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
BENCH_DB=shian_bench

if [[ ${1:-} == --go ]]; then
	echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
	SHIAN_BENCH_IMPORT=1 SHIAN_BENCH_SHOPS=$SHOPS exec go test ./importer -run '^$' -bench Import100k -benchtime 1x -timeout 30m
fi

tmp=$(mktemp -d)
pg_url=""
cleanup() {
	rm -rf "$tmp"
	if [[ -n $pg_url ]]; then
		psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" >/dev/null 2>&1 || true
	fi
}
trap cleanup EXIT

if [[ ! -x $BIN ]]; then
	echo "building $BIN…" >&2
	go build -o "$BIN" ./cmd/shian
fi

echo "generating $SHOPS shops × $INSPECTIONS inspections…" >&2
go run ./importer/internal/genjsonl -shops "$SHOPS" -inspections "$INSPECTIONS" >"$tmp/shops.jsonl"
echo "file: $(du -h "$tmp/shops.jsonl" | cut -f1), $(wc -l <"$tmp/shops.jsonl") lines" >&2

# run STORE URL: import the file into a fresh store, printing the wall time and peak memory.
run() {
	local store=$1 url=$2
	echo "== $store (load average $(cut -d' ' -f1-3 /proc/loadavg))"
	local start end status=0
	SHIAN_DATA_DIR="$tmp/data" SHIAN_DATABASE_URL="$url" "$BIN" migrate >/dev/null
	start=$(date +%s.%N)
	SHIAN_DATA_DIR="$tmp/data" SHIAN_DATABASE_URL="$url" \
		/usr/bin/time -f "peak RSS %M KB, CPU user %U s, system %S s" \
		"$BIN" import shops "$tmp/shops.jsonl" >"$tmp/out" 2>&1 || status=$?
	end=$(date +%s.%N)
	grep -v '^read [0-9]* lines' "$tmp/out" || true
	if ((status != 0)); then
		echo "$store: import failed (exit $status)" >&2
		return "$status"
	fi
	awk -v s="$start" -v e="$end" -v n="$SHOPS" -v store="$store" 'BEGIN { printf "%s: %.1f s wall for %d shops\n", store, e - s, n }'
}

run sqlite "sqlite://$tmp/bench.db"

psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" >/dev/null
psql -q "$ADMIN_URL" -c "CREATE DATABASE $BENCH_DB" >/dev/null
pg_url=$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$ADMIN_URL" "$BENCH_DB")
run postgres "$pg_url"
