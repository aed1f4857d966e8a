#!/usr/bin/env bash
# HTTP throughput of shian's public endpoints against a bare Fiber hello-world,
# measured with wrk in the same run on loopback. Prints a Markdown table and
# the ratios (goal: shop endpoint and landing page >= 0.5x hello-world).
#
#   scripts/bench-http.sh [DURATION] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-10s}
conns=${2:-64}
threads=2
scripts/devstack.sh tools >/dev/null
command -v wrk >/dev/null || { echo "bench-http: wrk is missing (apt-get install wrk)" >&2; exit 1; }

for port in 28180 28181 28199; do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then echo "bench-http: port $port is taken" >&2; exit 1; fi
done
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

go build -o "$work/shian" ./cmd/shian
go build -o "$work/hello" ./scripts/hello
export SHIAN_DATA_DIR="$work/data" SHIAN_DATABASE_URL= SHIAN_MEILI_URL= SHIAN_REDIS_URL= SHIAN_LOG_LEVEL=warn
# One client address sends all the load: lift the public limit so that every
# request is served (and still checked by the limiter: one decision each).
export SHIAN_RATE_LIMITS="public_read=100000000/1s:100000000"
scripts/devstack.sh redis >/dev/null
"$work/shian" migrate >/dev/null
"$work/shian" seed --shops 2000 >/dev/null
licence=$(cd "$work" && ./shian export lives "$work/lives" >/dev/null && awk -F, 'NR==2{gsub(/"/,"",$1); print $1}' "$work/lives/businesses.csv")
"$work/shian" serve --addr 127.0.0.1:28180 --log-level error & pids+=($!)
SHIAN_REDIS_URL=redis://127.0.0.1:6379/0 "$work/shian" serve --addr 127.0.0.1:28181 --log-level error & pids+=($!)
"$work/hello" -addr 127.0.0.1:28199 & pids+=($!)
for url in http://127.0.0.1:28180/healthz http://127.0.0.1:28181/healthz http://127.0.0.1:28199/; do
  for _ in $(seq 50); do curl -fs "$url" >/dev/null 2>&1 && break; sleep 0.2; done
done
token=$(SHIAN_PUBLIC_URL=http://127.0.0.1:28180 "$work/shian" qr "$licence" -o "$work/q.png" 2>/dev/null | sed 's#.*/S/##')

# rps prints requests/s, and fails when any answer was not a success.
rps() {
  local out
  out=$(wrk -t$threads -c"$conns" -d"$dur" --latency "$1")
  if grep -q 'Non-2xx' <<<"$out"; then echo "bench-http: $1 answered errors:" >&2; echo "$out" >&2; return 1; fi
  awk '/Requests\/sec/{print $2}' <<<"$out"
}
warm() { wrk -t1 -c8 -d2s "$1" >/dev/null; }

declare -A res
for name in hello shop landing; do
  case $name in
    hello) url=http://127.0.0.1:28199/ ;;
    shop) url=http://127.0.0.1:28180/api/v1/shops/$licence ;;
    landing) url=http://127.0.0.1:28180/s/$token ;;
  esac
  warm "$url"
  res[$name]=$(rps "$url")
done
echo "| endpoint | requests/s | ratio to hello-world |"
echo "|---|---|---|"
for name in hello shop landing; do
  awk -v n="$name" -v r="${res[$name]}" -v h="${res[hello]}" 'BEGIN{printf "| %s | %s | %.2f |\n", n, r, r/h}'
done

# The Redis limiter against the in-process one: the same shop endpoint on two
# servers, alternated for ROUNDS rounds so that both see the same machine;
# the median of the per-round ratios is the figure.
rounds=${ROUNDS:-3}
warm http://127.0.0.1:28181/api/v1/shops/$licence
scripts/devstack.sh redis >/dev/null
calls0=$(redis-cli -p 6379 info commandstats | sed -n 's/^cmdstat_evalsha:calls=\([0-9]*\).*/\1/p')
ratios=()
redis_reqs=0
echo
echo "| round | in-process limiter req/s | Redis limiter req/s | ratio |"
echo "|---|---|---|---|"
for r in $(seq "$rounds"); do
  a=$(rps http://127.0.0.1:28180/api/v1/shops/$licence)
  b=$(rps http://127.0.0.1:28181/api/v1/shops/$licence)
  redis_reqs=$(awk -v x="$redis_reqs" -v b="$b" -v d="${dur%s}" 'BEGIN{print x + b*d}')
  ratio=$(awk -v a="$a" -v b="$b" 'BEGIN{printf "%.2f", b/a}')
  ratios+=("$ratio")
  echo "| $r | $a | $b | $ratio |"
done
calls1=$(redis-cli -p 6379 info commandstats | sed -n 's/^cmdstat_evalsha:calls=\([0-9]*\).*/\1/p')
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}')
echo
echo "shop endpoint, Redis limiter on / in-process limiter: median $median over $rounds rounds"
awk -v c="$((calls1 - calls0))" -v n="$redis_reqs" 'BEGIN{if (n > 0) printf "Redis calls (EVALSHA) per request with the Redis limiter: %.3f\n", c/n}'
echo "wrk -t$threads -c$conns -d$dur on $(nproc) cores, loopback; shop $licence; SQLite store; load average $(cut -d' ' -f1-3 /proc/loadavg)."
