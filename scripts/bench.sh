#!/usr/bin/env bash
# Gatehouse's benchmark (docs/benchmarks.md): builds Gatehouse, the ASP.NET Core Identity peer and
# the driver in Release, then runs the driver, which starts both servers on loopback, measures
# the machine's limits and every workload, prints a table and writes docs/benchmarks.md.
#   ./scripts/bench.sh                  full run (eight to ten minutes, publishing included)
#   ./scripts/bench.sh --smoke          a few seconds; only checks that every workload completes
#   extra arguments: --duration S, --concurrency N
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
dotnet build Gatehouse.slnx -c Release -v quiet -nologo > /dev/null
args=("$@")
# Both servers run as published: Gatehouse as ./scripts/run.sh runs it (Native AOT), the peer as
# ReadyToRun (ASP.NET Core Identity on EF Core cannot be compiled by Native AOT). The smoke run
# only checks that the workloads complete; the test command points it at the published server.
if [[ ! " ${args[*]} " == *" --smoke "* ]]; then
  scripts/publish.sh src/Gatehouse.Server server
  scripts/publish.sh bench/peers/IdentityPeer identity-peer
  args+=(--gatehouse artifacts/server/Gatehouse --peer-dll artifacts/identity-peer/IdentityPeer.dll)
fi
if [[ ! " ${args[*]} " == *" --smoke "* ]]; then args+=(--output docs/benchmarks.md); fi
exec dotnet bench/Gatehouse.Bench/bin/Release/net10.0/Gatehouse.Bench.dll "${args[@]}"
