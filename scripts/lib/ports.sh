# shellcheck shell=bash
# Free TCP ports on 127.0.0.1. Source this file; needs node (or python3 as a fallback).
#
#   port=$(free_port)          # one port
#   read -r a b < <(free_ports 2)   # several distinct ports, space separated
#
# The kernel picks the ports (bind to port 0), so they are free at the time of the call;
# another process may still take one before the caller binds it, so callers retry on failure.

free_ports() {
  local n="${1:-1}"
  if command -v node >/dev/null 2>&1; then
    node -e '
      const net = require("net");
      const n = parseInt(process.argv[1], 10);
      const servers = [];
      const ports = [];
      const next = () => {
        if (ports.length === n) {
          servers.forEach(s => s.close());
          process.stdout.write(ports.join(" ") + "\n");
          return;
        }
        const s = net.createServer();
        s.on("error", e => { console.error(e.message); process.exit(1); });
        s.listen(0, "127.0.0.1", () => { servers.push(s); ports.push(s.address().port); next(); });
      };
      next();
    ' "$n"
  elif command -v python3 >/dev/null 2>&1; then
    python3 - "$n" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
PY
  else
    echo "free_ports: need node or python3" >&2
    return 1
  fi
}

free_port() {
  free_ports 1
}

# wait_for_http URL TIMEOUT_SECONDS: returns 0 once URL answers with a 2xx status.
wait_for_http() {
  local url="$1" timeout="${2:-30}"
  node -e '
    const http = require("http");
    const url = process.argv[1];
    const deadline = Date.now() + parseFloat(process.argv[2]) * 1000;
    const attempt = () => {
      const req = http.get(url, res => {
        res.resume();
        if (res.statusCode >= 200 && res.statusCode < 300) process.exit(0);
        retry();
      });
      req.setTimeout(2000, () => req.destroy(new Error("timeout")));
      req.on("error", retry);
    };
    const retry = () => {
      if (Date.now() > deadline) process.exit(1);
      setTimeout(attempt, 100);
    };
    attempt();
  ' "$url" "$timeout"
}
