#!/bin/sh
# The database of the compose stack: made on first start (role and database "vividart", the
# password from POSTGRES_PASSWORD), then served on loopback at POSTGRES_PORT. A throwaway
# development database: no fsync.
set -eu
: "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
if [ ! -f "$PGDATA/PG_VERSION" ]; then
  password_file="$(mktemp)"
  printf '%s' "$POSTGRES_PASSWORD" > "$password_file"
  "$bin/initdb" -D "$PGDATA" -U vividart --auth=scram-sha-256 --pwfile="$password_file" -E UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$password_file"
  echo "CREATE DATABASE vividart" | "$bin/postgres" --single -D "$PGDATA" postgres >/dev/null
fi
exec "$bin/postgres" -D "$PGDATA" -p "${POSTGRES_PORT:-5432}" -c listen_addresses=127.0.0.1 \
  -c unix_socket_directories=/tmp -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off
