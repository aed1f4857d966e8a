#!/usr/bin/env bash
# stack.sh — the production topology on loopback, without Docker: a private PostgreSQL cluster, a private
# Redis, a private Meilisearch (restricted indexer key), two `shian serve` replicas sharing them, and
# Debian's nginx in front with the config rendered from deploy/nginx/shian.conf.template.
#
#   scripts/stack.sh up                 build bin, start everything, migrate, seed the demo city (idempotent)
#   scripts/stack.sh down               stop exactly what `up` started (by pid files; data and logs are kept)
#   scripts/stack.sh reload             rebuild bin/shian, migrate, and restart the replicas one at a time
#   scripts/stack.sh status             one line per component
#   scripts/stack.sh env                `export` lines describing the stack (eval "$(scripts/stack.sh env)")
#   scripts/stack.sh stop COMPONENT     stop one component: postgres, redis, meili, a, b, nginx
#   scripts/stack.sh start COMPONENT    start it again (same ports, same data)
#   scripts/stack.sh kill COMPONENT     SIGKILL it (the drills' replica crash)
#   scripts/stack.sh shian ARGS…        run the stack's shian binary with the replicas' environment
#
# Everything lives in $SHIAN_STACK_DIR (default /tmp/shian-stack): pids/, log/, pg/, redis/, meili/, data/,
# nginx/, bin/shian and stack.env. Every component is private to the stack: stopping one in a drill never
# touches the machine's shared PostgreSQL (5432), Redis (6379) or dev Meilisearch (7700).
#
# Ports (override with the environment), below the kernel's ephemeral range so that no outgoing connection
# ever holds one: STACK_PG_PORT 24432, STACK_REDIS_PORT 24379, STACK_MEILI_PORT 24700, STACK_NGINX_PORT 24000,
# replicas STACK_A_PORT 24081 / STACK_B_PORT 24082 (metrics on 24091/24092).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
STACK=${SHIAN_STACK_DIR:-/tmp/shian-stack}
PG_PORT=${STACK_PG_PORT:-24432}
REDIS_PORT=${STACK_REDIS_PORT:-24379}
MEILI_PORT=${STACK_MEILI_PORT:-24700}
NGINX_PORT=${STACK_NGINX_PORT:-24000}
A_PORT=${STACK_A_PORT:-24081}
B_PORT=${STACK_B_PORT:-24082}
A_ADMIN=${STACK_A_ADMIN_PORT:-24091}
B_ADMIN=${STACK_B_ADMIN_PORT:-24092}
SEED_SHOPS=${STACK_SEED_SHOPS:-}

PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/shian?sslmode=disable"
REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
MEILI_URL="http://127.0.0.1:$MEILI_PORT"
BIN=$STACK/bin/shian

say() { printf 'stack: %s\n' "$*" >&2; }
die() {
	printf 'stack: error: %s\n' "$*" >&2
	exit 1
}

# wait_for SECONDS CMD...: retries CMD every 0.2 s until it succeeds or SECONDS pass.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.2
	done
}

port_free() { ! timeout 1 bash -c "</dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# pid_of NAME PATTERN: the pid in pids/NAME.pid when that process lives and its command line matches PATTERN.
pid_of() {
	local f=$STACK/pids/$1.pid pid
	[ -f "$f" ] || return 1
	pid=$(cat "$f")
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2" || return 1
	echo "$pid"
}

# stop_pid NAME PATTERN [SIGNAL]: signals our process and waits up to 15 s for it to go.
stop_pid() {
	local pid sig=${3:-TERM}
	pid=$(pid_of "$1" "$2") || {
		rm -f "$STACK/pids/$1.pid"
		return 0
	}
	kill -"$sig" "$pid" 2>/dev/null || true
	local deadline=$((SECONDS + 15))
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			say "$1 (pid $pid) ignored SIG$sig for 15 s; SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
		fi
		sleep 0.1
	done
	rm -f "$STACK/pids/$1.pid"
}

# as_pg CMD...: PostgreSQL refuses to run as root; run its tools as the postgres user then.
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_bin() {
	local ver
	ver=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)
	[ -n "$ver" ] || die "PostgreSQL server binaries missing (scripts/devstack.sh tools installs them)"
	echo "/usr/lib/postgresql/$ver/bin"
}

# ---- components ------------------------------------------------------------------------------------

pg_ready() { pg_isready -q -h 127.0.0.1 -p "$PG_PORT" -t 1; }

start_postgres() {
	local bin
	bin=$(pg_bin)
	if [ ! -f "$STACK/pg/PG_VERSION" ]; then
		say "initdb: private PostgreSQL cluster in $STACK/pg (port $PG_PORT, trust auth on loopback)"
		mkdir -p "$STACK/pg" "$STACK/pg-sock"
		[ "$(id -u)" -ne 0 ] || chown postgres: "$STACK/pg" "$STACK/pg-sock"
		as_pg "$bin/initdb" -D "$STACK/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$STACK/log/initdb.log" 2>&1 ||
			{ tail -20 "$STACK/log/initdb.log" >&2; die "initdb failed"; }
	fi
	pg_ready && return 0
	port_free "$PG_PORT" || die "port $PG_PORT is taken by something else"
	touch "$STACK/log/postgres.log"
	[ "$(id -u)" -ne 0 ] || chown postgres: "$STACK/log/postgres.log"
	# A small, fast cluster: the drills restart it, the benchmarks do not measure durability settings.
	as_pg "$bin/pg_ctl" -D "$STACK/pg" -l "$STACK/log/postgres.log" -w -t 30 start -o \
		"-p $PG_PORT -c listen_addresses=127.0.0.1 -k $STACK/pg-sock -c max_connections=200 -c shared_buffers=128MB" >/dev/null ||
		{ tail -20 "$STACK/log/postgres.log" >&2; die "PostgreSQL did not start"; }
	head -1 "$STACK/pg/postmaster.pid" >"$STACK/pids/postgres.pid"
	wait_for 30 pg_ready || die "PostgreSQL does not answer on $PG_PORT"
	if [ "$(psql -X -qtA -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c "SELECT 1 FROM pg_database WHERE datname='shian'")" != 1 ]; then
		psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c 'CREATE DATABASE shian' >/dev/null
	fi
}

stop_postgres() {
	[ -f "$STACK/pg/postmaster.pid" ] || {
		rm -f "$STACK/pids/postgres.pid"
		return 0
	}
	as_pg "$(pg_bin)/pg_ctl" -D "$STACK/pg" -m fast -w -t 30 stop >/dev/null 2>&1 || true
	rm -f "$STACK/pids/postgres.pid"
}

redis_ready() { [ "$(timeout 2 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }

start_redis() {
	redis_ready && return 0
	port_free "$REDIS_PORT" || die "port $REDIS_PORT is taken by something else"
	mkdir -p "$STACK/redis"
	# Counters only: nothing to persist.
	setsid redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no --dir "$STACK/redis" \
		--logfile "$STACK/log/redis.log" --maxmemory 256mb --maxmemory-policy volatile-ttl \
		</dev/null >/dev/null 2>&1 &
	echo $! >"$STACK/pids/redis.pid"
	wait_for 20 redis_ready || die "Redis does not answer on $REDIS_PORT (see $STACK/log/redis.log)"
}

stop_redis() { stop_pid redis redis-server; }

meili_ready() { curl -fsS -m 2 "$MEILI_URL/health" >/dev/null 2>&1; }

start_meili() {
	meili_ready && return 0
	port_free "$MEILI_PORT" || die "port $MEILI_PORT is taken by something else"
	local mbin
	mbin=$(scripts/devstack.sh meili-bin)
	mkdir -p "$STACK/meili"
	(
		cd "$STACK/meili"
		setsid "$mbin" --http-addr "127.0.0.1:$MEILI_PORT" --db-path "$STACK/meili/data" \
			--dump-dir "$STACK/meili/dumps" --snapshot-dir "$STACK/meili/snapshots" \
			--env production --no-analytics --log-level WARN --master-key "$(cat "$STACK/meili.master")" \
			--max-indexing-threads 1 \
			</dev/null >>"$STACK/log/meili.log" 2>&1 &
		echo $! >"$STACK/pids/meili.pid"
	)
	wait_for 30 meili_ready || die "Meilisearch did not become healthy (see $STACK/log/meili.log)"
}

stop_meili() { stop_pid meili meilisearch; }

replica_port() { case $1 in a) echo "$A_PORT" ;; b) echo "$B_PORT" ;; *) die "no replica $1" ;; esac }
replica_admin() { case $1 in a) echo "$A_ADMIN" ;; b) echo "$B_ADMIN" ;; *) die "no replica $1" ;; esac }

# shian_env: the environment every replica and stack-run command shares.
shian_env() {
	# shellcheck disable=SC1091
	. "$STACK/stack.env"
	export SHIAN_DATA_DIR="$STACK/data" SHIAN_DATABASE_URL="$PG_URL" SHIAN_REDIS_URL="$REDIS_URL" \
		SHIAN_MEILI_URL="$MEILI_URL" SHIAN_MEILI_KEY="$STACK_MEILI_INDEXER_KEY" SHIAN_SECRET="$STACK_SECRET" \
		SHIAN_ADMIN_TOKEN="$STACK_ADMIN_TOKEN" SHIAN_PUBLIC_URL="http://127.0.0.1:$NGINX_PORT" \
		SHIAN_TRUSTED_PROXIES=127.0.0.1/32 SHIAN_LOG_LEVEL=info
}

replica_ready() { curl -fsS -m 2 "http://127.0.0.1:$1/healthz" >/dev/null 2>&1; }

start_replica() {
	local r=$1 port admin
	port=$(replica_port "$r")
	admin=$(replica_admin "$r")
	pid_of "shian-$r" "$BIN serve" >/dev/null && replica_ready "$port" && return 0
	port_free "$port" || die "port $port is taken by something else"
	(
		shian_env
		export SHIAN_ADDR="127.0.0.1:$port" SHIAN_ADMIN_ADDR="127.0.0.1:$admin"
		setsid "$BIN" serve </dev/null >>"$STACK/log/shian-$r.log" 2>&1 &
		echo $! >"$STACK/pids/shian-$r.pid"
	)
	wait_for 30 replica_ready "$port" || {
		tail -20 "$STACK/log/shian-$r.log" >&2
		die "replica $r did not answer /healthz on $port"
	}
}

stop_replica() { stop_pid "shian-$1" "$BIN serve"; }

nginx_ready() { curl -fsS -m 2 "http://127.0.0.1:$NGINX_PORT/healthz" >/dev/null 2>&1; }

# render_nginx: deploy/nginx/shian.conf.template with the stack's values, inside a main config whose
# pid, logs and temp paths are in the stack dir (so it never touches /etc/nginx's own server).
render_nginx() {
	local n=$STACK/nginx
	mkdir -p "$n/tmp" "$n/cache"
	SHIAN_LISTEN="127.0.0.1:$NGINX_PORT" SHIAN_UPSTREAM_A="127.0.0.1:$A_PORT" SHIAN_UPSTREAM_B="127.0.0.1:$B_PORT" \
		SHIAN_NGINX_CACHE="$n/cache" SHIAN_NGINX_LOG="$STACK/log/nginx-access.log" \
		envsubst '${SHIAN_LISTEN} ${SHIAN_UPSTREAM_A} ${SHIAN_UPSTREAM_B} ${SHIAN_NGINX_CACHE} ${SHIAN_NGINX_LOG}' \
		<deploy/nginx/shian.conf.template >"$n/shian.conf"
	local user=
	[ "$(id -u)" -ne 0 ] || user="user nobody nogroup;"
	cat >"$n/nginx.conf" <<EOF
# Generated by scripts/stack.sh: the local stack's nginx. The server block is deploy/nginx/shian.conf.template.
$user
worker_processes 1;
pid $n/nginx.pid;
error_log $STACK/log/nginx-error.log warn;
events { worker_connections 2048; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path $n/tmp/body;
    proxy_temp_path $n/tmp/proxy;
    fastcgi_temp_path $n/tmp/fastcgi;
    uwsgi_temp_path $n/tmp/uwsgi;
    scgi_temp_path $n/tmp/scgi;
    include $n/shian.conf;
}
EOF
	[ "$(id -u)" -ne 0 ] || chown -R nobody:nogroup "$n/tmp" "$n/cache"
}

ensure_nginx() {
	command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] && return 0
	[ "$(id -u)" -eq 0 ] || die "nginx is missing: apt-get install nginx"
	say "installing nginx (apt-get)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx >"$STACK/log/apt-nginx.log" 2>&1 ||
		{ apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx >"$STACK/log/apt-nginx.log" 2>&1; } ||
		die "apt-get install nginx failed (see $STACK/log/apt-nginx.log)"
}

NGINX=/usr/sbin/nginx

start_nginx() {
	nginx_ready && pid_of nginx "nginx: master" >/dev/null && return 0
	port_free "$NGINX_PORT" || die "port $NGINX_PORT is taken by something else"
	render_nginx
	"$NGINX" -t -q -c "$STACK/nginx/nginx.conf" -e "$STACK/log/nginx-error.log" ||
		die "nginx -t rejected $STACK/nginx/nginx.conf"
	"$NGINX" -c "$STACK/nginx/nginx.conf" -e "$STACK/log/nginx-error.log"
	wait_for 10 test -s "$STACK/nginx/nginx.pid" || die "nginx did not write its pid"
	cp "$STACK/nginx/nginx.pid" "$STACK/pids/nginx.pid"
	wait_for 20 nginx_ready || die "nginx does not answer /healthz on $NGINX_PORT"
}

stop_nginx() { stop_pid nginx "nginx: master" QUIT; }

# ---- whole stack -------------------------------------------------------------------------------------

running() { [ -d "$STACK/pids" ] && [ -n "$(ls -A "$STACK/pids" 2>/dev/null)" ]; }

cmd_up() {
	if running && nginx_ready && replica_ready "$A_PORT" && replica_ready "$B_PORT"; then
		say "already up ($STACK)"
		return 0
	fi
	if running; then
		say "a partial stack is running; stopping it first"
		cmd_down
	fi
	scripts/devstack.sh tools >/dev/null
	command -v envsubst >/dev/null || die "envsubst is missing (apt-get install gettext-base)"
	# Only ever wipe a directory this script made.
	if [ -d "$STACK" ] && [ -n "$(ls -A "$STACK")" ] && [ ! -f "$STACK/.shian-stack" ]; then
		die "$STACK exists and is not a stack directory; set SHIAN_STACK_DIR elsewhere"
	fi
	rm -rf "$STACK"
	mkdir -p "$STACK"/{pids,log,bin,data}
	touch "$STACK/.shian-stack"
	ensure_nginx
	say "building $BIN"
	go build -o "$BIN" ./cmd/shian
	head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$STACK/meili.master"
	start_postgres
	start_redis
	start_meili
	local keys
	keys=$(MEILI_MASTER_KEY=$(cat "$STACK/meili.master") deploy/meili-keys.sh "$MEILI_URL")
	{
		echo "STACK_MEILI_INDEXER_KEY=$(sed -n 's/^SHIAN_MEILI_KEY=//p' <<<"$keys")"
		echo "STACK_MEILI_SEARCH_KEY=$(sed -n 's/^SHIAN_MEILI_SEARCH_KEY=//p' <<<"$keys")"
		echo "STACK_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
		echo "STACK_ADMIN_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
	} >"$STACK/stack.env"
	chmod 600 "$STACK/stack.env" "$STACK/meili.master"
	(
		shian_env
		"$BIN" migrate >"$STACK/log/migrate.log" 2>&1 || { cat "$STACK/log/migrate.log" >&2; exit 1; }
		"$BIN" seed ${SEED_SHOPS:+--shops "$SEED_SHOPS"} >"$STACK/log/seed.log" 2>&1 || { cat "$STACK/log/seed.log" >&2; exit 1; }
	)
	start_replica a
	start_replica b
	start_nginx
	wait_index
	say "up: http://127.0.0.1:$NGINX_PORT → replicas :$A_PORT :$B_PORT; postgres :$PG_PORT, redis :$REDIS_PORT, meili :$MEILI_PORT"
	say "state in $STACK (logs in $STACK/log); stop with: make stack-down"
}

cmd_down() {
	[ -d "$STACK/pids" ] || {
		say "no stack in $STACK"
		return 0
	}
	stop_nginx
	stop_replica a
	stop_replica b
	stop_meili
	stop_redis
	stop_postgres
	say "down (data and logs kept in $STACK until the next up)"
}

# wait_index: until the replicas' outbox has reached Meilisearch (the seeded city searchable), at most
# 180 s; a stack whose serve does not sync search has nothing to wait for.
wait_index() {
	local deadline=$((SECONDS + 180)) r
	while r=$(curl -fsS -m 3 "http://127.0.0.1:$A_PORT/readyz" 2>/dev/null) && [[ $r == *'"search_outbox"'*'"degraded":['*search_outbox* ]]; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			say "the search index is still catching up: $r"
			return 0
		fi
		sleep 1
	done
}

# cmd_reload: the new code on a running stack, one replica at a time (nginx sends traffic to the other).
cmd_reload() {
	[ -f "$STACK/stack.env" ] || die "no stack in $STACK (make stack)"
	say "building $BIN"
	go build -o "$BIN.new" ./cmd/shian
	mv -f "$BIN.new" "$BIN"
	(
		shian_env
		"$BIN" migrate >>"$STACK/log/migrate.log" 2>&1 || { tail -5 "$STACK/log/migrate.log" >&2; exit 1; }
	)
	for r in a b; do
		stop_replica "$r"
		start_replica "$r"
	done
	wait_index
	say "replicas restarted with the new binary"
}

cmd_status() {
	local s
	up_or_down() { if "$@"; then echo up; else echo down; fi; }
	echo "postgres  $(up_or_down pg_ready)  $PG_URL"
	echo "redis     $(up_or_down redis_ready)  $REDIS_URL"
	echo "meili     $(up_or_down meili_ready)  $MEILI_URL"
	echo "replica a $(up_or_down replica_ready "$A_PORT")  http://127.0.0.1:$A_PORT (metrics :$A_ADMIN)"
	echo "replica b $(up_or_down replica_ready "$B_PORT")  http://127.0.0.1:$B_PORT (metrics :$B_ADMIN)"
	echo "nginx     $(up_or_down nginx_ready)  http://127.0.0.1:$NGINX_PORT"
}

cmd_env() {
	[ -f "$STACK/stack.env" ] || die "no stack in $STACK (make stack)"
	# shellcheck disable=SC1091
	. "$STACK/stack.env"
	cat <<EOF
export STACK_DIR='$STACK'
export STACK_BIN='$BIN'
export STACK_NGINX_URL='http://127.0.0.1:$NGINX_PORT'
export STACK_A_URL='http://127.0.0.1:$A_PORT'
export STACK_B_URL='http://127.0.0.1:$B_PORT'
export STACK_A_METRICS='http://127.0.0.1:$A_ADMIN/metrics'
export STACK_B_METRICS='http://127.0.0.1:$B_ADMIN/metrics'
export STACK_PG_URL='$PG_URL'
export STACK_REDIS_URL='$REDIS_URL'
export STACK_MEILI_URL='$MEILI_URL'
export STACK_MEILI_MASTER_KEY='$(cat "$STACK/meili.master")'
export STACK_MEILI_INDEXER_KEY='$STACK_MEILI_INDEXER_KEY'
export STACK_MEILI_SEARCH_KEY='$STACK_MEILI_SEARCH_KEY'
export STACK_ADMIN_TOKEN='$STACK_ADMIN_TOKEN'
EOF
}

component() {
	local verb=$1 c=${2:?component: postgres, redis, meili, a, b or nginx}
	case $verb:$c in
	start:postgres) start_postgres ;;
	stop:postgres) stop_postgres ;;
	start:redis) start_redis ;;
	stop:redis) stop_redis ;;
	kill:redis) stop_pid redis redis-server KILL ;;
	start:meili) start_meili ;;
	stop:meili) stop_meili ;;
	kill:meili) stop_pid meili meilisearch KILL ;;
	start:a | start:b) start_replica "$c" ;;
	stop:a | stop:b) stop_replica "$c" ;;
	kill:a | kill:b) stop_pid "shian-$c" "$BIN serve" KILL ;;
	start:nginx) start_nginx ;;
	stop:nginx) stop_nginx ;;
	kill:nginx) stop_pid nginx "nginx: master" KILL ;;
	*) die "unknown component $c (postgres, redis, meili, a, b, nginx)" ;;
	esac
}

usage() {
	sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

[ $# -gt 0 ] || usage
case $1 in
up) cmd_up ;;
down) cmd_down ;;
reload) cmd_reload ;;
status) cmd_status ;;
env) cmd_env ;;
start | stop | kill) component "$1" "${2:-}" ;;
shian)
	shift
	shian_env
	exec "$BIN" "$@"
	;;
-h | --help | help) usage ;;
*) usage ;;
esac
