#!/usr/bin/env bash
# The load harness: builds the worker in Release, then for each feed count runs it against a loopback feed farm.
#   bench/load/run.sh <interval-seconds> <feeds>... [-- harness options: --cycles 4 --change 0.1 --burn 2]
# Example: bench/load/run.sh 120 1000 5000 20000
set -euo pipefail
cd "$(dirname "$0")/../.."
interval=${1:?usage: bench/load/run.sh <interval-seconds> <feeds>... [-- options]}
shift
counts=()
while [[ $# -gt 0 && $1 != "--" ]]; do counts+=("$1"); shift; done
[[ ${1:-} == "--" ]] && shift
dotnet build src/AlertBot.Worker -c Release -v quiet -nologo >/dev/null
dotnet build bench/AlertBot.LoadHarness -c Release -v quiet -nologo >/dev/null
for feeds in "${counts[@]}"; do
  dotnet bench/AlertBot.LoadHarness/bin/Release/net10.0/AlertBot.LoadHarness.dll "$feeds" "$interval" "$@"
done
