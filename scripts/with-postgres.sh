#!/usr/bin/env bash
# Runs a command with TEST_DATABASE_URL pointing at a real PostgreSQL.
# If TEST_DATABASE_URL (or DATABASE_URL) is given, uses it. Otherwise starts a throw-away cluster from
# the machine's own initdb/pg_ctl on a free port, as a non-root user (PostgreSQL refuses to run as root),
# and stops it afterwards whatever the command's outcome. PG_EXTRA_OPTS adds server settings ("-c name=value …"),
# e.g. the bench's memory settings for a 10 M-message load.
set -euo pipefail

if [ -n "${TEST_DATABASE_URL:-}" ]; then exec "$@"; fi
if [ -n "${DATABASE_URL:-}" ]; then TEST_DATABASE_URL="$DATABASE_URL" exec "$@"; fi

pgbin=""
if command -v initdb >/dev/null 2>&1; then pgbin="$(dirname "$(readlink -f "$(command -v initdb)")")"
else pgbin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"; fi
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
  echo "with-postgres: no initdb found (install PostgreSQL, e.g. apt-get install postgresql)" >&2
  exit 1
fi

run_as=()
if [ "$(id -u)" = "0" ]; then
  pguser=postgres
  if ! id "$pguser" >/dev/null 2>&1; then useradd --system --no-create-home --shell /usr/sbin/nologin "$pguser"; fi
  run_as=(runuser -u "$pguser" --)
fi

dir="$(mktemp -d /tmp/sqd-pg.XXXXXX)"
chmod 755 "$dir"
[ ${#run_as[@]} -gt 0 ] && chown "$pguser" "$dir"
port="${PGTEST_PORT:-$(( 55000 + RANDOM % 5000 ))}"

cleanup() {
  "${run_as[@]}" "$pgbin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

"${run_as[@]}" "$pgbin/initdb" -D "$dir/data" -U sqd --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
"${run_as[@]}" "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 ${PG_EXTRA_OPTS:-}" start >/dev/null \
  || { cat "$dir/server.log" >&2; exit 1; }

export TEST_DATABASE_URL="postgres://sqd@127.0.0.1:$port/postgres"
echo "with-postgres: PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
"$@"
