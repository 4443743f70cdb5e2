#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, from Debian's packages (installed when missing).
#
#   dev/postgres.sh start DIR   creates a cluster in DIR, starts it on a free loopback port, creates
#                               the role `gongjian` (not a superuser: row-level security applies to
#                               it) owning the database `gongjian`, and prints the database's URL
#   dev/postgres.sh stop DIR    stops it
#   dev/postgres.sh resume DIR  starts it again on the same port (after a crash or a stop)
#
# PostgreSQL refuses to run as root; as root, the cluster runs as the `postgres` user.
set -euo pipefail
command=${1:?start or stop}
dir=${2:?a directory for the cluster}

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$command" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
    echo "$port" > "$dir/port"
    # The durability settings stay on (the server refuses to start otherwise).
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
    as_postgres "$bin/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres \
      -c "CREATE ROLE gongjian LOGIN CREATEDB" -c "CREATE DATABASE gongjian OWNER gongjian" >/dev/null
    echo "postgres://gongjian@127.0.0.1:$port/gongjian?sslmode=disable"
    ;;
  stop)
    as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  resume)
    port=$(cat "$dir/port")
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
    ;;
  *)
    echo "usage: dev/postgres.sh start|stop|resume DIR" >&2
    exit 64
    ;;
esac
