# shellcheck shell=bash
# A throwaway PostgreSQL 15 cluster for tests. Source this file (after ports.sh), then:
#
#   pg_test_start STATE_DIR    # sets PG_TEST_PORT, PG_TEST_DIR; creates database gatehouse_test
#   pg_test_stop  STATE_DIR    # fast shutdown, removes the cluster, keeps STATE_DIR/postgres.log
#
# The cluster lives in a fresh temp dir (data, unix socket, log), listens on a free port on
# 127.0.0.1 only, trusts every local connection, and the superuser is `postgres`.
# It runs as the `postgres` OS user when we are root (PostgreSQL refuses to run as root).
# STATE_DIR (e.g. .test-run/) records the temp dir, so a later run cleans up what a killed
# run left behind. Durability is off (fsync, synchronous_commit, full_page_writes): the data
# is thrown away anyway.

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_TEST_DB="${PG_TEST_DB:-gatehouse_test}"
PG_TEST_PORT=""
PG_TEST_DIR=""

# Run a PostgreSQL binary as the cluster owner.
_pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

_pg_ensure_os_user() {
  [ "$(id -u)" = 0 ] || return 0
  if ! id postgres >/dev/null 2>&1; then
    echo "postgres: creating OS user 'postgres' (PostgreSQL refuses to run as root)" >&2
    useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi
}

# Stop and remove the cluster recorded in STATE_DIR/postgres.dir, if any (left by a killed run).
_pg_cleanup_recorded() {
  local state="$1" dir pid
  [ -f "$state/postgres.dir" ] || return 0
  dir="$(cat "$state/postgres.dir")"
  rm -f "$state/postgres.dir"
  case "$dir" in
    */gatehouse-pg.*) ;;
    *) return 0 ;;  # not one of ours: leave it alone
  esac
  [ -d "$dir" ] || return 0
  if [ -f "$dir/data/postmaster.pid" ]; then
    echo "postgres: stopping a cluster left by an earlier run ($dir)" >&2
    if ! _pg_as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 20 stop >/dev/null 2>&1; then
      pid="$(head -n1 "$dir/data/postmaster.pid" 2>/dev/null || true)"
      if [ -n "$pid" ] && grep -q postgres "/proc/$pid/cmdline" 2>/dev/null; then
        kill -9 "$pid" 2>/dev/null || true
      fi
    fi
  fi
  rm -rf "$dir"
}

pg_test_start() {
  local state="$1" attempt locale_opt
  mkdir -p "$state"
  _pg_cleanup_recorded "$state"
  _pg_ensure_os_user

  PG_TEST_DIR="$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-pg.XXXXXX")"
  echo "$PG_TEST_DIR" > "$state/postgres.dir"
  mkdir -p "$PG_TEST_DIR/data"
  if [ "$(id -u)" = 0 ]; then
    chown -R postgres:postgres "$PG_TEST_DIR"
  fi
  chmod 700 "$PG_TEST_DIR/data"

  if locale -a 2>/dev/null | grep -qix 'c.utf-\?8'; then
    locale_opt="--locale=C.UTF-8"
  else
    locale_opt="--locale=C"
  fi
  if ! _pg_as_owner "$PG_BIN/initdb" -D "$PG_TEST_DIR/data" -U postgres --auth=trust -E UTF8 \
      "$locale_opt" --no-sync --no-instructions > "$state/postgres-initdb.log" 2>&1; then
    echo "postgres: initdb failed; last lines of $state/postgres-initdb.log:" >&2
    tail -n 30 "$state/postgres-initdb.log" >&2
    return 1
  fi

  # Appending as root keeps the file's owner.
  cat >> "$PG_TEST_DIR/data/postgresql.conf" <<CONF

# --- gatehouse test cluster ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_TEST_DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 128MB
log_min_messages = warning
log_line_prefix = '%m [%p] %d '
CONF

  ln -sfn "$PG_TEST_DIR/postgres.log" "$state/postgres.log"

  # The port is free when picked but could be taken before postgres binds it: retry.
  for attempt in 1 2 3; do
    PG_TEST_PORT="$(free_port)"
    if _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/postgres.log" \
        -o "-p $PG_TEST_PORT" -w -t 60 start > "$state/postgres-ctl.log" 2>&1; then
      break
    fi
    if [ "$attempt" = 3 ]; then
      echo "postgres: could not start; last lines of the server log:" >&2
      tail -n 30 "$PG_TEST_DIR/postgres.log" >&2 2>/dev/null || true
      tail -n 10 "$state/postgres-ctl.log" >&2 || true
      return 1
    fi
    echo "postgres: start on port $PG_TEST_PORT failed (attempt $attempt), retrying" >&2
  done

  if ! "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_TEST_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt \
      -c "CREATE DATABASE \"$PG_TEST_DB\"" > /dev/null 2>> "$state/postgres-ctl.log"; then
    echo "postgres: could not create database $PG_TEST_DB:" >&2
    tail -n 10 "$state/postgres-ctl.log" >&2
    return 1
  fi
}

pg_test_stop() {
  local state="$1" dir
  dir="${PG_TEST_DIR:-}"
  if [ -z "$dir" ] && [ -f "$state/postgres.dir" ]; then
    dir="$(cat "$state/postgres.dir")"
  fi
  [ -n "$dir" ] && [ -d "$dir" ] || { rm -f "$state/postgres.dir"; return 0; }
  if [ -f "$dir/data/postmaster.pid" ]; then
    _pg_as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >> "$state/postgres-ctl.log" 2>&1 || true
  fi
  # Keep the log, drop the cluster. _pg_cleanup_recorded kills anything that is still running.
  if [ -f "$dir/postgres.log" ]; then
    cp --remove-destination "$dir/postgres.log" "$state/postgres.log" 2>/dev/null || true
  fi
  _pg_cleanup_recorded "$state"
  PG_TEST_DIR=""
  PG_TEST_PORT=""
}
