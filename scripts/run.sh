#!/usr/bin/env bash
# Runs Gatehouse: publishes it (Release, Native AOT) into artifacts/server, then starts it from
# the project folder, so settings come from src/Gatehouse.Server/appsettings*.json and the data
# lands in src/Gatehouse.Server/data. Arguments go to the server: `./scripts/run.sh create-admin ...`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/publish.sh" src/Gatehouse.Server server
cd "$root/src/Gatehouse.Server"
exec "$root/artifacts/server/Gatehouse" "$@"
