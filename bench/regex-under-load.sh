#!/usr/bin/env bash
# A regex watch term while every core is busy: starts one busy loop per core, then runs the CLI `match` with the term
# /houthi\w*/i against "The Houthiyeen said" RUNS times (each run a new process: a cold regex, the case that missed) and
# counts the runs that found the hit. With the old 100 ms budget the same check missed 7 of 8 runs on a loaded machine.
#
#   bench/regex-under-load.sh [runs] [budget]     e.g. bench/regex-under-load.sh 20            (default budget, 5 s)
#                                                  bench/regex-under-load.sh 20 00:00:00.100    (the old budget)
# Run from the repository root. Builds the worker in Release first. Every busy loop is ended on exit.
set -euo pipefail

runs="${1:-20}"
budget="${2:-}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

dotnet build src/AlertBot.Worker -c Release -v quiet -nologo > /dev/null
worker="src/AlertBot.Worker/bin/Release/net10.0/alertbot.dll"

work="$(mktemp -d)"
busy=()
cleanup() {
  for pid in "${busy[@]}"; do kill "$pid" 2> /dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

cat > "$work/watchlists.json" <<'JSON'
{ "presets": [ { "name": "regex", "description": "one regex term", "terms": ["/houthi\\w*/i"] } ] }
JSON
export AlertBot__Matching__WatchlistsFile="$work/watchlists.json"
if [[ -n "$budget" ]]; then export AlertBot__Matching__RegexTimeout="$budget"; fi

cores="$(nproc)"
for _ in $(seq "$cores"); do
  bash -c 'while :; do :; done' &
  busy+=("$!")
done

found=0; incomplete=0; missed=0
start=$(date +%s.%N)
for i in $(seq "$runs"); do
  set +e
  out="$(dotnet "$worker" match --text "The Houthiyeen said" --watchlist regex 2> "$work/stderr")"
  code=$?
  set -e
  if grep -q '"Houthiyeen"' <<< "$out"; then found=$((found + 1));
  elif [[ $code -eq 3 ]]; then incomplete=$((incomplete + 1));
  else missed=$((missed + 1)); fi
done
end=$(date +%s.%N)

printf 'busy loops: %s (nproc), load average: %s\n' "$cores" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'budget: %s\n' "${budget:-default (AlertBot:Matching:RegexTimeout, 5 s)}"
printf 'runs: %s, found: %s, reported incomplete (exit 3): %s, silently missed: %s, wall: %.1f s\n' \
  "$runs" "$found" "$incomplete" "$missed" "$(echo "$end - $start" | bc)"
