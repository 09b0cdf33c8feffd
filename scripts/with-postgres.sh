#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server: Debian's postgresql binaries, a free
# loopback port, data in a temporary directory, stopped and deleted afterwards.
# The command sees CIRRUS_TEST_DATABASE_URL pointing at the server's `postgres` database.
set -euo pipefail

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pg_bin" ]; then
  echo "error: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 1
fi

workdir=$(mktemp -d /tmp/cirrus-pg.XXXXXX)
run_as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  # PostgreSQL refuses to run as root: run it as the postgres user Debian's package creates.
  chown postgres:postgres "$workdir"
  run_as_owner=(runuser -u postgres --)
fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop() {
  "${run_as_owner[@]}" "$pg_bin/pg_ctl" -D "$workdir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap stop EXIT

"${run_as_owner[@]}" "$pg_bin/initdb" -D "$workdir/data" -U postgres -A trust -E UTF8 --no-sync >/dev/null
"${run_as_owner[@]}" "$pg_bin/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w \
  -o "-p $port -k $workdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=2000" \
  start >/dev/null
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') running on 127.0.0.1:$port"

CIRRUS_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable" "$@"
