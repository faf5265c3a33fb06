#!/usr/bin/env bash
# Publishes a project in Release for this machine (linux-x64) into artifacts/<name>:
#   - a project that sets <PublishAot>true</PublishAot> (the Gatehouse server) as one native
#     executable, compiled ahead of time by Native AOT: no JIT, ready in about a quarter of a
#     second, a third less memory under load (docs/benchmarks.md);
#   - any other project (the benchmark's peer) as ReadyToRun code on the shared runtime, which
#     starts without waiting for the JIT.
#   scripts/publish.sh <project folder> <name>
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
if grep -q '<PublishAot>true</PublishAot>' "$1"/*.csproj; then
  dotnet publish "$1" -c Release -r linux-x64 -o "artifacts/$2" -v quiet -nologo > /dev/null
else
  dotnet publish "$1" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    -o "artifacts/$2" -v quiet -nologo > /dev/null
fi
