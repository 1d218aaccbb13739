#!/usr/bin/env bash
# What the integration tests need from the machine (`npm run test:setup`; `npm test` and .ci/run run it first):
#   - system packages, installed with apt-get when missing: chromium (the browser tests, driven by playwright-core),
#     xmlsec1 (an independent check of the ID card signatures), openssl, libxml2-utils (xmllint, the XSD bench's
#     baseline), and the Redis and PostgreSQL servers and clients when those do not answer and are not installed;
#   - Redis at $TEST_REDIS_URL (default redis://127.0.0.1:6379) and PostgreSQL at $TEST_DATABASE_URL (default
#     postgres://postgres@127.0.0.1:5432/test) answering: started when local and not answering; the script fails
#     when they do not answer within $TEST_SERVICES_TIMEOUT seconds (default 30);
#   - the tests' database (`test` by default), created when missing.
# Idempotent and quick when everything is in place. Uses sudo for apt-get and for starting services unless root.
set -euo pipefail

REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379}"
DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
TIMEOUT="${TEST_SERVICES_TIMEOUT:-30}"
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"

say() { echo "test-env: $*"; }
fail() {
  echo "test-env: ERROR: $*" >&2
  exit 1
}

as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    fail "needs root for: $* (run as root, install sudo, or install/start it yourself)"
  fi
}

apt_updated=""
apt_install() {
  command -v apt-get >/dev/null || fail "cannot install $* without apt-get: install them yourself (README, \"Tests\")"
  say "installing $*"
  if [ -z "$apt_updated" ]; then
    as_root apt-get update -qq || fail "apt-get update failed"
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null ||
    fail "apt-get install $* failed"
}

# Host, port, user and database name of a URL (node is there: this is an npm project).
url_part() { node -e 'const u = new URL(process.argv[1]); const p = process.argv[2];
  const v = p === "db" ? decodeURIComponent(u.pathname.slice(1)) : p === "user" ? decodeURIComponent(u.username) : u[p];
  process.stdout.write(v || process.argv[3] || "")' "$1" "$2" "${3:-}"; }
is_local() { case "$1" in 127.0.0.1 | localhost | ::1 | "[::1]") return 0 ;; *) return 1 ;; esac; }

REDIS_HOST="$(url_part "$REDIS_URL" hostname 127.0.0.1)"
PG_HOST="$(url_part "$DATABASE_URL" hostname 127.0.0.1)"
PG_PORT="$(url_part "$DATABASE_URL" port 5432)"
PG_USER="$(url_part "$DATABASE_URL" user postgres)"
PG_DB="$(url_part "$DATABASE_URL" db test)"

redis_up() { timeout 5 redis-cli -u "$REDIS_URL" ping 2>/dev/null | grep -q PONG; }
pg_up() { pg_isready -t 5 -h "$PG_HOST" -p "$PG_PORT" -q 2>/dev/null; }

# 1. System packages.
need=()
command -v xmlsec1 >/dev/null || need+=(xmlsec1)
command -v openssl >/dev/null || need+=(openssl)
command -v xmllint >/dev/null || need+=(libxml2-utils)
if [ ! -x "$CHROMIUM" ]; then
  [ -z "${CHROMIUM_PATH:-}" ] || fail "CHROMIUM_PATH=$CHROMIUM is not an executable"
  need+=(chromium)
fi
command -v redis-cli >/dev/null || need+=(redis-tools)
command -v pg_isready >/dev/null && command -v psql >/dev/null || need+=(postgresql-client)
[ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"

installed_pg=""
if ! redis_up && is_local "$REDIS_HOST" && ! command -v redis-server >/dev/null; then
  apt_install redis-server
fi
if ! pg_up && is_local "$PG_HOST" && ! command -v pg_ctlcluster >/dev/null; then
  apt_install postgresql
  installed_pg=1
fi
pg_version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)"
if [ -n "$installed_pg" ] && [ -n "$pg_version" ]; then
  # A server this script has just installed: let the tests' user in over TCP on loopback without a password, as
  # TEST_DATABASE_URL expects (an installation that was already there keeps its authentication).
  hba="/etc/postgresql/$pg_version/main/pg_hba.conf"
  as_root sed -i -e '1i host all all 127.0.0.1/32 trust' -e '1i host all all ::1/128 trust' "$hba"
  ! pg_up || as_root pg_ctlcluster --skip-systemctl-redirect "$pg_version" main reload
fi

# 2. Redis and PostgreSQL: started when local and not answering.
if ! redis_up && is_local "$REDIS_HOST"; then
  say "starting redis on port $(url_part "$REDIS_URL" port 6379)"
  as_root redis-server --daemonize yes --bind 127.0.0.1 --port "$(url_part "$REDIS_URL" port 6379)" \
    --save "" --appendonly no >/dev/null || say "redis-server did not start (waiting anyway)"
fi
if ! pg_up && is_local "$PG_HOST"; then
  [ -n "$pg_version" ] || fail "PostgreSQL is installed but has no cluster in /etc/postgresql (pg_createcluster)"
  say "starting postgresql $pg_version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$pg_version" main start ||
    say "pg_ctlcluster start failed (waiting anyway)"
fi

deadline=$((SECONDS + TIMEOUT))
until redis_up && pg_up; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    redis_up || echo "test-env: ERROR: Redis does not answer at $REDIS_URL after ${TIMEOUT}s" >&2
    pg_up || echo "test-env: ERROR: PostgreSQL does not answer at $PG_HOST:$PG_PORT after ${TIMEOUT}s" >&2
    fail "services not up: the integration tests need both (set TEST_REDIS_URL / TEST_DATABASE_URL to use others)"
  fi
  sleep 1
done

# 3. The tests' database.
psql_admin() { psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -v ON_ERROR_STOP=1 -Atq "$@"; }
exists="$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '${PG_DB//\'/\'\'}'")" ||
  fail "cannot connect to PostgreSQL as $PG_USER at $PG_HOST:$PG_PORT (authentication? TEST_DATABASE_URL=$DATABASE_URL)"
if [ "$exists" != 1 ]; then
  say "creating database $PG_DB"
  psql_admin -c "CREATE DATABASE \"${PG_DB//\"/\"\"}\"" || fail "cannot create database $PG_DB"
fi

say "ok: redis at $REDIS_URL, postgresql database $PG_DB at $PG_HOST:$PG_PORT, chromium at $CHROMIUM, $(xmlsec1 --version | head -1)"
