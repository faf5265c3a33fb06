# shellcheck shell=bash
# maildev 2.2.1 (tests/tools) as the SMTP sink for tests. Source after ports.sh, then:
#
#   maildev_start STATE_DIR TOOLS_DIR   # sets MAILDEV_SMTP_PORT, MAILDEV_WEB_PORT, MAILDEV_PID
#   maildev_stop  STATE_DIR
#
# Both servers listen on 127.0.0.1 only. Messages are kept in STATE_DIR/maildev-mail (wiped at
# start); the log is STATE_DIR/maildev.log.
#
# REST API (base http://127.0.0.1:$MAILDEV_WEB_PORT):
#   GET    /email              all messages, oldest first, as a JSON array
#   GET    /email?to.address=alice@example.test   filter on any field in dot notation
#   GET    /email/:id          one message;  GET /email/:id/html, /email/:id/source (raw .eml)
#   DELETE /email/all          clear (answers `true`);  DELETE /email/:id
#   GET    /healthz            `true`
# One element of GET /email (maildev 2.2.1, a multipart/alternative message sent over SMTP):
#   {
#     "id": "DHCf6D8s",
#     "subject": "Confirm your email",
#     "text": "Your code is 123456\n",                       (absent if there is no text part)
#     "html": "<p>Your code is <b>123456</b></p>\n",        (absent if there is no html part)
#     "from": [{ "address": "noreply@gatehouse.test", "name": "Gatehouse" }],
#     "to":   [{ "address": "alice@example.test", "name": "" }],
#     "headers": { "from": "Gatehouse <noreply@gatehouse.test>", "to": "alice@example.test",
#                  "subject": "Confirm your email", "mime-version": "1.0", "content-type": "..." },
#     "envelope": { "from": { "address": "noreply@gatehouse.test", "args": false },
#                   "to": [{ "address": "alice@example.test", "args": false }],
#                   "host": "[127.0.0.1]", "remoteAddress": "127.0.0.1" },
#     "time": "2026-11-22T22:09:45.146Z", "read": false, "priority": "normal",
#     "source": "/path/to/maildev-mail/DHCf6D8s.eml", "size": 560, "sizeHuman": "560 bytes",
#     "attachments": null, "calculatedBcc": []
#   }
# Note `to` and `from` are arrays of {address, name}, not strings.

MAILDEV_SMTP_PORT=""
MAILDEV_WEB_PORT=""
MAILDEV_PID=""

_maildev_kill_pid() {
  local pid="$1" i
  [ -n "$pid" ] || return 0
  # Only a node process running maildev: the pid file may be stale and the pid reused.
  if tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline" | grep -q maildev; then
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || return 0
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
}

# _maildev_wait_smtp PORT TIMEOUT: wait for the SMTP greeting ("220 ...").
_maildev_wait_smtp() {
  node -e '
    const net = require("net");
    const deadline = Date.now() + parseFloat(process.argv[2]) * 1000;
    const attempt = () => {
      const s = net.connect(parseInt(process.argv[1], 10), "127.0.0.1");
      s.setTimeout(2000, () => s.destroy(new Error("timeout")));
      s.once("data", d => { s.destroy(); process.exit(d.toString().startsWith("220") ? 0 : 1); });
      s.on("error", () => { s.destroy(); if (Date.now() > deadline) process.exit(1); setTimeout(attempt, 100); });
    };
    attempt();
  ' "$1" "$2"
}

maildev_start() {
  local state="$1" tools="$2" attempt ports
  mkdir -p "$state"
  if [ -f "$state/maildev.pid" ]; then
    _maildev_kill_pid "$(cat "$state/maildev.pid")"   # left by a killed run
    rm -f "$state/maildev.pid"
  fi
  for attempt in 1 2 3; do
    rm -rf "$state/maildev-mail"
    ports="$(free_ports 2)"
    MAILDEV_SMTP_PORT="${ports% *}"
    MAILDEV_WEB_PORT="${ports#* }"
    node "$tools/maildev-runner.js" \
      --smtp "$MAILDEV_SMTP_PORT" --web "$MAILDEV_WEB_PORT" --ip 127.0.0.1 \
      --mail-directory "$state/maildev-mail" < /dev/null > "$state/maildev.log" 2>&1 &
    MAILDEV_PID=$!
    echo "$MAILDEV_PID" > "$state/maildev.pid"
    if wait_for_http "http://127.0.0.1:$MAILDEV_WEB_PORT/healthz" 30 \
        && _maildev_wait_smtp "$MAILDEV_SMTP_PORT" 10 \
        && kill -0 "$MAILDEV_PID" 2>/dev/null; then
      return 0
    fi
    echo "maildev: did not start (attempt $attempt); last lines of $state/maildev.log:" >&2
    tail -n 20 "$state/maildev.log" >&2 || true
    _maildev_kill_pid "$MAILDEV_PID"
    MAILDEV_PID=""
    rm -f "$state/maildev.pid"
  done
  return 1
}

maildev_stop() {
  local state="$1" pid="${MAILDEV_PID:-}"
  if [ -z "$pid" ] && [ -f "$state/maildev.pid" ]; then
    pid="$(cat "$state/maildev.pid")"
  fi
  _maildev_kill_pid "$pid"
  if [ -n "$pid" ]; then
    wait "$pid" 2>/dev/null || true
  fi
  rm -f "$state/maildev.pid"
  MAILDEV_PID=""
}
