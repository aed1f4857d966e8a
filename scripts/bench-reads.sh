#!/usr/bin/env bash
# Reads at scale (issue 20; docs/read-model.md): a crowd scanning different shops. With SHOPS
# shops (default 100,000) on SQLite and on PostgreSQL, wrk with CONNS
# connections (default 32) asks for a random shop per request (JSON, the
# HTML page, the sticker landing page with a signed token), against a bare
# Fiber hello-world in the same run; then a flood of random unknown
# licences, with the server's RSS before and after, and the known shops
# again. Goals: JSON >= 0.5x, HTML and sticker >= 0.4x, p99 < 10 ms.
#
#   scripts/bench-reads.sh [DURATION]        STORES="sqlite postgres" SHOPS=100000 CONNS=32
#   SHIAN_VIEW_CACHE_BYTES=N scripts/bench-reads.sh    the replica's cache bound (default 64 MiB)
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-${DUR:-10s}}
conns=${CONNS:-32}
shops=${SHOPS:-100000}
stores=${STORES:-sqlite postgres}
warm=${WARM:-$((shops / 2500 + 5))s}
threads=2
command -v wrk >/dev/null || { echo "bench-reads: wrk is missing (apt-get install wrk)" >&2; exit 1; }
eval "$(scripts/devstack.sh env)"

work=$(mktemp -d)
pids=()
pgdb=shian_bench_reads_$$
pgadmin=${SHIAN_TEST_POSTGRES_URL:-}
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "$pgadmin" ] && psql -q "$pgadmin" -c "DROP DATABASE IF EXISTS $pgdb" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
say() { printf 'bench-reads: %s\n' "$*" >&2; }

go build -o "$work/shian" ./cmd/shian
go build -o "$work/hello" ./scripts/hello
go build -o "$work/benchreads" ./scripts/benchreads
lua=$PWD/scripts/bench-reads.lua
export SHIAN_MEILI_URL= SHIAN_REDIS_URL= SHIAN_LOG_LEVEL=warn
export SHIAN_SECRET=bench-reads-secret-0123456789abcdef
export SHIAN_RATE_LIMITS="public_read=100000000/1s:100000000"
"$work/hello" -addr 127.0.0.1:28299 & pids+=($!)

# run NAME URLBASE PATHS: wrk; prints "rps p99_ms non2xx"
run() {
  local out
  out=$(wrk -t$threads -c"$conns" -d"$dur" --latency -s "$lua" "$1" -- "$2")
  local rps p99 bad
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  p99=$(awk '$1=="99%"{v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; printf "%.2f", v}' <<<"$out")
  bad=$(awk '/Non-2xx/{print $5}' <<<"$out")
  echo "$rps $p99 ${bad:-0}"
}
rss() { awk '/VmRSS/{printf "%.0f", $2/1024}' "/proc/$1/status"; }

echo "| store | read | requests/s | hello-world requests/s | ratio | p99 ms | non-2xx | RSS after, MiB |"
echo "|---|---|---|---|---|---|---|---|"
port=28280
for store in $stores; do
  data="$work/$store"
  mkdir -p "$data"
  export SHIAN_DATA_DIR="$data"
  if [ "$store" = postgres ]; then
    [ -n "$pgadmin" ] || { say "no SHIAN_TEST_POSTGRES_URL: skipping postgres"; continue; }
    psql -q "$pgadmin" -c "CREATE DATABASE $pgdb" >/dev/null
    export SHIAN_DATABASE_URL=${pgadmin/\/test\?//$pgdb?}
  else
    export SHIAN_DATABASE_URL="sqlite://$data/shian.db"
  fi
  say "$store: migrate and seed $shops shops"
  "$work/shian" migrate >/dev/null
  t=$SECONDS
  "$work/shian" seed --shops "$shops" >/dev/null
  say "$store: seeded in $((SECONDS - t)) s"
  "$work/benchreads" -db "$SHIAN_DATABASE_URL" -secret "$SHIAN_SECRET" -out "$data" 2>/dev/null
  port=$((port + 1))
  "$work/shian" serve --addr 127.0.0.1:$port --log-level error & spid=$!
  pids+=($spid)
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
  base=http://127.0.0.1:$port
  rss0=$(rss "$spid")
  # Warm: every shop's view row is built on its first read after the seed
  # (one pass over every shop), then each read for $dur at random.
  say "$store: warming: every shop once, then $dur per read"
  n=$(wrk -t2 -c"$conns" -d"$warm" -s "$lua" "$base" -- "$data/json.txt" seq | awk '/requests in/{print $1}')
  say "$store: warm-up pass: $n requests in $warm for $shops shops (every shop is read when n >= shops)"
  for f in json html sticker; do run "$base" "$data/$f.txt" >/dev/null; done
  for f in json html sticker; do
    h=$(run http://127.0.0.1:28299 "$data/json.txt")
    r=$(run "$base" "$data/$f.txt")
    read -r hr _ _ <<<"$h"
    read -r rr p99 bad <<<"$r"
    awk -v s="$store" -v f="$f" -v r="$rr" -v h="$hr" -v p="$p99" -v b="$bad" -v m="$(rss "$spid")" \
      'BEGIN{printf "| %s | %s | %s | %s | %.2f | %s | %s | %s |\n", s, f, r, h, r/h, p, b, m}'
  done
  before=$(rss "$spid")
  r=$(run "$base" "$data/unknown.txt")
  read -r rr p99 bad <<<"$r"
  echo "| $store | unknown licences (404) | $rr | | | $p99 | $bad | $before → $(rss "$spid") |"
  r=$(run "$base" "$data/json.txt")
  read -r rr p99 bad <<<"$r"
  echo "| $store | json after the flood | $rr | | | $p99 | $bad | $(rss "$spid") (at start $rss0) |"
  kill "$spid" 2>/dev/null || true
  wait "$spid" 2>/dev/null || true
done
echo
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores shared with other work: compare ratios, not req/s)."
