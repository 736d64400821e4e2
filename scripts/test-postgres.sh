#!/usr/bin/env bash
# A private PostgreSQL cluster for the tests of the studio farm, on loopback only.
#   scripts/test-postgres.sh start DIR   initdb into DIR, start on a free 127.0.0.1 port (and a unix
#                                        socket in DIR), print the connection URL on stdout
#   scripts/test-postgres.sh stop DIR    stop that cluster and remove DIR
# Debian's server binaries are not on PATH (they live in /usr/lib/postgresql/<major>/bin); the newest
# installed major is used, else whatever initdb PATH has. PostgreSQL refuses to run as root: as root
# the cluster belongs to the `postgres` system user (created by Debian's package), else to the
# current user. Authentication is `trust`, which is safe only because nothing listens beyond
# 127.0.0.1 and the socket folder is private to the cluster's owner.
set -euo pipefail

action="${1:-}"
dir="${2:-}"
if [ -z "$action" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi

pg_bin() {
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -n "$newest" ] && [ -x "$newest/initdb" ]; then echo "$newest"; return; fi
  if command -v initdb >/dev/null; then dirname "$(command -v initdb)"; return; fi
  return 1
}

# Run a command as the cluster's owner.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$action" in
  start)
    if ! bin=$(pg_bin); then
      sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
      echo "installing: postgresql" >&2
      $sudo apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
      bin=$(pg_bin)
    fi
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then
      id postgres >/dev/null 2>&1 || { echo "running as root, and there is no postgres user to run PostgreSQL as" >&2; exit 1; }
      chown postgres: "$dir"
    fi
    chmod 700 "$dir"
    # A free port: bind port 0 on loopback and read what the system chose. Another process could
    # take it before PostgreSQL starts; then the start fails and says so (rare, and loud).
    port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
    as_owner "$bin/initdb" -D "$dir/data" -U studio --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    # fsync off: a test cluster is thrown away, durability across a power cut is not under test.
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres://studio@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ] && bin=$(pg_bin); then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
