#!/usr/bin/env bash
# Publishes a project in Release, compiled ahead of time to native code (ReadyToRun) for this
# machine's runtime, into artifacts/<name>. ReadyToRun code starts without waiting for the JIT:
# Gatehouse is ready about half a second sooner than from `dotnet build` output (docs/benchmarks.md).
#   scripts/publish.sh <project folder> <name>
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
dotnet publish "$1" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
  -o "artifacts/$2" -v quiet -nologo > /dev/null
