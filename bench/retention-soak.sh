#!/usr/bin/env bash
# Retention soak: the real PollService, matcher, story planner, DeliveryService and SQLite store over simulated days
# (a hand-moved clock; 20 feeds, 10 new items per feed per day), printing the database size and row counts as the
# days pass: once with retention (pruned daily, MaxAge in days) and once without, for comparison.
#
#   bench/retention-soak.sh [days] [max-age-days]      default: 120 days, MaxAge 30 days
# Run from the repository root. Builds the benchmarks project in Release first.
set -euo pipefail

days="${1:-120}"
max_age="${2:-30}"
cd "$(dirname "$0")/.."
dotnet build bench/AlertBot.Benchmarks -c Release -v quiet -nologo > /dev/null
soak="bench/AlertBot.Benchmarks/bin/Release/net10.0/AlertBot.Benchmarks.dll"

echo "== with retention"
dotnet "$soak" retention-soak "$days" "$max_age"
echo
echo "== without retention"
dotnet "$soak" retention-soak "$days" "$max_age" --no-prune
