#!/usr/bin/env bash
# Builds the real Dockerfile and runs the image and the compose file with this machine's container engine
# (Podman behind `docker`, from ../shared/tools/container-engine). Each check prints "container check: PASS|FAIL <name>";
# the last line is "N passed, N failed" for .ci/run to add to the test counts.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
check() { # NAME COMMAND...
  local name=$1; shift
  if "$@" >/tmp/alertbot-check.log 2>&1; then
    echo "container check: PASS $name"; passed=$((passed + 1))
  else
    echo "container check: FAIL $name"; sed 's/^/    /' /tmp/alertbot-check.log | tail -20; failed=$((failed + 1))
  fi
}

engine=../shared/tools/container-engine/setup.sh
if ! docker info >/dev/null 2>&1 || ! docker image exists mcr.microsoft.com/dotnet/sdk:10.0 2>/dev/null; then
  if [ -f "$engine" ]; then
    bash "$engine" >/tmp/alertbot-engine.log 2>&1 || { echo "container engine setup failed:"; tail -20 /tmp/alertbot-engine.log; }
  fi
fi

image=${ALERTBOT_CHECK_IMAGE:-alertbot:local}
port=${ALERTBOT_CHECK_PORT:-18080}
container=${ALERTBOT_CHECK_CONTAINER:-alertbot-ci}

cleanup() {
  docker rm -f "$container" >/dev/null 2>&1
  docker compose down -v >/dev/null 2>&1
}
trap cleanup EXIT
cleanup

# The sandbox reaches NuGet through a proxy whose CA only the host trusts; lending the host's certificate store to
# the build (a Podman build volume) lets the unmodified Dockerfile restore. On a normal machine `docker build .` is all.
build() { docker build -v /etc/ssl/certs:/etc/ssl/certs:ro -t "$image" . ; }
check "image builds from the unmodified Dockerfile" build

run() { docker run -d --name "$container" -p "127.0.0.1:$port:8080" "$image"; }
check "container starts" run

healthy() {
  for _ in $(seq 1 60); do
    docker healthcheck run "$container" >/dev/null 2>&1 &&
      [ "$(docker inspect "$container" --format '{{.State.Health.Status}}')" = healthy ] && return 0
    sleep 1
  done
  docker logs "$container" 2>&1 | tail -20
  return 1
}
check "HEALTHCHECK turns healthy" healthy
nonroot() { local uid; uid=$(docker exec "$container" id -u) && [ -n "$uid" ] && [ "$uid" != 0 ]; }
check "runs as a non-root user" nonroot
check "/healthz answers through the published port" curl -fsS "http://127.0.0.1:$port/healthz"
check "/readyz answers ready" sh -c "curl -fsS http://127.0.0.1:$port/readyz | grep -q '\"ready\":true'"
metrics() {
  for _ in $(seq 1 30); do
    # Every series starts at zero: it is the console's delivered count reaching 1 that proves the seed alert went out.
    curl -fsS "http://127.0.0.1:$port/metrics" | grep -Eq '^alertbot_alerts_delivered(_total)?\{[^}]*platform="console"[^}]*\} [1-9]' && return 0
    sleep 1
  done
  curl -sS "http://127.0.0.1:$port/metrics" | head -20
  return 1
}
check "/metrics serves the pipeline's metrics (the seed alert delivered)" metrics
check "the seed alert is printed in the container's output" sh -c "docker logs $container 2>/dev/null | grep -q 'Iranian commander visits Iraq'"

# Backup without extra tools in the image: `alertbot backup` while the service runs, then the README's restore steps
# (a fresh data folder, the copy as alertbot.db) give a worker that finds the data: the seed feed already polled.
restore_dir=$(mktemp -d)
backup_restores() {
  docker exec "$container" dotnet /app/alertbot.dll backup /data/backup.db || return 1
  docker cp "$container:/data/backup.db" "$restore_dir/alertbot.db" || return 1
  chown -R 1654 "$restore_dir" 2>/dev/null || chmod -R a+rwX "$restore_dir"
  local listing
  listing=$(docker run --rm -v "$restore_dir:/data" "$image" feed list) || return 1
  echo "$listing"
  echo "$listing" | grep -q 'The National (seed)' && ! echo "$listing" | grep -q 'never polled yet'
}
check "alertbot backup inside the container produces a file that restores" backup_restores
rm -rf "$restore_dir"
docker rm -f "$container" >/dev/null 2>&1

# A bind mount the container user (UID 1654) cannot write: one line that names the folder and the user, exit 3.
unwritable_dir=$(mktemp -d)
chmod 755 "$unwritable_dir"
unwritable_mount() {
  local out code
  # Podman writes its own notices (systemd healthcheck timers) to the same stderr: they are the engine's, not ours.
  out=$(docker run --rm --no-healthcheck -v "$unwritable_dir:/data" "$image" run --once 2>&1 >/dev/null); code=$?
  out=$(printf '%s\n' "$out" | grep -v -E '^time="[^"]*" level=')
  echo "exit $code: $out"
  [ "$code" -eq 3 ] && [ "$(printf '%s\n' "$out" | grep -c .)" -eq 1 ] &&
    printf '%s' "$out" | grep -q '^alertbot: database: cannot open the SQLite database /data/alertbot.db' &&
    printf '%s' "$out" | grep -q 'The folder /data must exist and be writable' &&
    printf '%s' "$out" | grep -q 'UID 1654' && ! printf '%s' "$out" | grep -q '^ *at '
}
check "an unwritable bind mount gives the one-line message" unwritable_mount
rm -rf "$unwritable_dir"

compose_up() {
  ALERTBOT_PORT=$port docker compose up -d || return 1
  for _ in $(seq 1 60); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && curl -fsS "http://127.0.0.1:$port/readyz" | grep -q '"ready":true' && return 0
    sleep 1
  done
  return 1
}
check "docker compose up: the default service answers /healthz and /readyz" compose_up
# `docker compose up -d` with no service named starts the one worker and nothing else (podman-compose ignores
# profiles, so the PostgreSQL cluster lives in docker-compose.postgres.yml).
only_default() {
  local names project
  # Compose names containers <project>_<service>_N (podman-compose) or <project>-<service>-N (Docker Compose).
  project=$(basename "$PWD" | tr '[:upper:]' '[:lower:]' | tr -cd 'a-z0-9_-')
  names=$(docker ps --format '{{.Names}}' | grep -E "^${project}[_-]")
  echo "$names"
  [ "$(echo "$names" | grep -c 'alertbot')" -eq 1 ] && ! echo "$names" | grep -q -E 'postgres|cluster'
}
check "docker compose up -d starts only the default service" only_default
check "docker compose down" docker compose down -v
check "docker-compose.postgres.yml is a valid compose file" sh -c "docker-compose -f docker-compose.postgres.yml config >/dev/null"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
