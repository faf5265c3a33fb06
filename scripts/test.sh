#!/usr/bin/env bash
# Runs every test: Gatehouse.Core.Tests, then Gatehouse.Server.Tests against SQLite and against
# PostgreSQL. Sets up what the tests need by itself:
#   - npm tools in tests/tools (maildev 2.2.1), installed with `npm ci` when missing or when
#     package-lock.json changed;
#   - maildev (SMTP sink + REST API) on free ports on 127.0.0.1;
#   - a throwaway PostgreSQL 15 cluster on a free port on 127.0.0.1 (database gatehouse_test,
#     superuser postgres, trust auth);
# and stops both on exit, also on failure or ctrl-c.
#
# Usage: ./scripts/test.sh [--filter <expr>] [--no-postgres]
#   --filter <expr>  passed to `dotnet test --filter` for every run
#   --no-postgres    skip the PostgreSQL run (quick local runs; CI never uses it)
#
# Environment given to the tests:
#   GATEHOUSE_TEST_SMTP_HOST=127.0.0.1
#   GATEHOUSE_TEST_SMTP_PORT=<maildev SMTP port>
#   GATEHOUSE_TEST_MAILDEV_URL=http://127.0.0.1:<maildev web port>   (REST API: scripts/lib/maildev.sh)
#   GATEHOUSE_TEST_POSTGRES="Host=127.0.0.1;Port=<port>;Username=postgres;Database=gatehouse_test"
#   GATEHOUSE_TEST_DB=sqlite | postgres                                (Server.Tests runs only)
#
# Logs and results: .test-run/ (maildev.log, postgres.log, build.log, results/*.trx).
# The last line of output is "<N> passed, <N> failed" (totals). Exit status is non-zero if a
# run failed or did not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# shellcheck source=lib/ports.sh
source scripts/lib/ports.sh
# shellcheck source=lib/postgres.sh
source scripts/lib/postgres.sh
# shellcheck source=lib/maildev.sh
source scripts/lib/maildev.sh

FILTER=""
WITH_POSTGRES=1
while [ $# -gt 0 ]; do
  case "$1" in
    --filter)
      [ $# -ge 2 ] || { echo "test.sh: --filter needs an expression" >&2; exit 2; }
      FILTER="$2"; shift 2 ;;
    --filter=*) FILTER="${1#--filter=}"; shift ;;
    --no-postgres) WITH_POSTGRES=0; shift ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "test.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

STATE="$ROOT/.test-run"
TOOLS="$ROOT/tests/tools"
RESULTS="$STATE/results"
mkdir -p "$STATE"
rm -rf "$RESULTS"
mkdir -p "$RESULTS"

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export NPM_CONFIG_UPDATE_NOTIFIER=false

T0=$SECONDS
log() { echo "[test.sh $((SECONDS - T0))s] $*"; }

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  maildev_stop "$STATE"
  pg_test_stop "$STATE"
  if [ -n "${CI:-}" ]; then
    # Build servers (MSBuild nodes, compiler server) would outlive the CI job otherwise.
    dotnet build-server shutdown > /dev/null 2>&1
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- npm tools -----------------------------------------------------------------------------
ensure_tools() {
  local stamp="$TOOLS/node_modules/.gatehouse-stamp" want
  want="$(cat "$TOOLS/package.json" "$TOOLS/package-lock.json" | sha256sum | cut -d' ' -f1) node-$(node --version)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$TOOLS/node_modules/maildev/bin/maildev" ]; then
    return 0
  fi
  log "installing npm tools (npm ci in tests/tools)"
  if ! (cd "$TOOLS" && npm ci --no-audit --no-fund --loglevel=error) > "$STATE/npm-ci.log" 2>&1; then
    echo "test.sh: npm ci failed; last lines of $STATE/npm-ci.log:" >&2
    tail -n 30 "$STATE/npm-ci.log" >&2
    exit 1
  fi
  echo "$want" > "$stamp"
}
ensure_tools

# --- services ------------------------------------------------------------------------------
log "starting maildev"
if ! maildev_start "$STATE" "$TOOLS"; then
  echo "test.sh: maildev did not start (log: $STATE/maildev.log)" >&2
  exit 1
fi
export GATEHOUSE_TEST_SMTP_HOST=127.0.0.1
export GATEHOUSE_TEST_SMTP_PORT="$MAILDEV_SMTP_PORT"
export GATEHOUSE_TEST_MAILDEV_URL="http://127.0.0.1:$MAILDEV_WEB_PORT"
log "maildev: smtp 127.0.0.1:$MAILDEV_SMTP_PORT, api $GATEHOUSE_TEST_MAILDEV_URL"

if [ "$WITH_POSTGRES" = 1 ]; then
  log "starting postgresql"
  if ! pg_test_start "$STATE"; then
    echo "test.sh: postgresql did not start (logs: $STATE/postgres*.log)" >&2
    exit 1
  fi
  export GATEHOUSE_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_TEST_PORT;Username=postgres;Database=$PG_TEST_DB"
  log "postgresql: $GATEHOUSE_TEST_POSTGRES"
else
  unset GATEHOUSE_TEST_POSTGRES
fi

# --- build and test ------------------------------------------------------------------------
RUN_NAMES=()
RUN_LINES=()
TOTAL_PASSED=0
TOTAL_FAILED=0
ANY_BAD=0

# record NAME LINE BAD
record() {
  RUN_NAMES+=("$1")
  RUN_LINES+=("$2")
  if [ "$3" = 1 ]; then ANY_BAD=1; fi
}

# trx_counter FILE NAME: one attribute of <Counters .../>, 0 if absent.
trx_counter() {
  local v
  v="$(grep -o "<Counters [^>]*" "$1" | grep -o " $2=\"[0-9]*\"" | grep -o '[0-9]\+' | head -n1 || true)"
  echo "${v:-0}"
}

# run_tests NAME PROJECT TRX_NAME [ENV=VALUE ...]
run_tests() {
  local name="$1" project="$2" trx="$3"; shift 3
  local args=(test "$project" --no-build -c Release
    --results-directory "$RESULTS" --logger "trx;LogFileName=$trx"
    --blame-hang-timeout 10m --blame-hang-dump-type none)
  if [ -n "$FILTER" ]; then args+=(--filter "$FILTER"); fi
  log "running $name"
  local rc=0
  env "$@" dotnet "${args[@]}" || rc=$?
  local file="$RESULTS/$trx"
  if [ ! -f "$file" ]; then
    record "$name" "$name: did not run (dotnet test exit code $rc, no results file)" 1
    return
  fi
  local passed failed skipped bad=0 line
  passed="$(trx_counter "$file" passed)"
  failed=$(( $(trx_counter "$file" failed) + $(trx_counter "$file" error) + $(trx_counter "$file" timeout) + $(trx_counter "$file" aborted) ))
  # Skipped tests are counted in total but not in executed (notExecuted stays 0).
  skipped=$(( $(trx_counter "$file" total) - $(trx_counter "$file" executed) ))
  TOTAL_PASSED=$((TOTAL_PASSED + passed))
  TOTAL_FAILED=$((TOTAL_FAILED + failed))
  line="$name: $passed passed, $failed failed"
  if [ "$skipped" != 0 ]; then line="$line, $skipped skipped"; fi
  if [ "$rc" != 0 ] || [ "$failed" != 0 ]; then
    bad=1
    if [ "$failed" = 0 ]; then line="$line (dotnet test exit code $rc: run aborted?)"; fi
  fi
  record "$name" "$line" "$bad"
}

log "building (dotnet build Gatehouse.slnx -c Release; log: .test-run/build.log)"
BUILD_OK=1
if ! dotnet build Gatehouse.slnx -c Release 2>&1 | tee "$STATE/build.log"; then
  BUILD_OK=0
fi

if [ "$BUILD_OK" = 1 ]; then
  run_tests "core" tests/Gatehouse.Core.Tests core.trx
  run_tests "server on sqlite" tests/Gatehouse.Server.Tests server-sqlite.trx GATEHOUSE_TEST_DB=sqlite
  if [ "$WITH_POSTGRES" = 1 ]; then
    run_tests "server on postgres" tests/Gatehouse.Server.Tests server-postgres.trx GATEHOUSE_TEST_DB=postgres
  fi
  # The benchmark's smoke mode: every workload runs for a moment against real servers and must
  # complete without errors. Never a timing assertion (docs/benchmarks.md has the numbers). It
  # drives the server as ./scripts/run.sh publishes it (Native AOT), so the tests above (which
  # host the server in-process, JIT-compiled) are followed by a pass over the shipped binary.
  if [ -n "$FILTER" ]; then
    log "skipping the benchmark smoke test (--filter given)"
  else
  log "publishing the server (Native AOT) for the benchmark smoke test"
  rm -rf artifacts/server
  if ! scripts/publish.sh src/Gatehouse.Server server > "$STATE/publish.log" 2>&1; then
    TOTAL_FAILED=$((TOTAL_FAILED + 1))
    tail -n 20 "$STATE/publish.log"
    record "bench smoke" "bench smoke: 0 passed, 1 failed (publishing failed, see .test-run/publish.log)" 1
  else
  log "running the benchmark smoke test"
  if dotnet bench/Gatehouse.Bench/bin/Release/net10.0/Gatehouse.Bench.dll --smoke --gatehouse artifacts/server/Gatehouse > "$STATE/bench-smoke.log" 2>&1; then
    TOTAL_PASSED=$((TOTAL_PASSED + 1))
    record "bench smoke" "bench smoke: 1 passed, 0 failed" 0
  else
    TOTAL_FAILED=$((TOTAL_FAILED + 1))
    tail -n 20 "$STATE/bench-smoke.log"
    record "bench smoke" "bench smoke: 0 passed, 1 failed (see .test-run/bench-smoke.log)" 1
  fi
  fi
  fi
else
  record "core" "core: did not run (build failed, see .test-run/build.log)" 1
  record "server on sqlite" "server on sqlite: did not run (build failed)" 1
  if [ "$WITH_POSTGRES" = 1 ]; then
    record "server on postgres" "server on postgres: did not run (build failed)" 1
  fi
fi

echo
echo "==================== test summary ($((SECONDS - T0))s) ===================="
for line in "${RUN_LINES[@]}"; do echo "$line"; done
if [ "$WITH_POSTGRES" = 0 ]; then echo "server on postgres: skipped (--no-postgres)"; fi
if [ "$ANY_BAD" = 1 ]; then echo "RESULT: FAILED"; else echo "RESULT: OK"; fi
echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
[ "$ANY_BAD" = 0 ]
