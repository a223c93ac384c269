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

image=alertbot:local
port=18080
container=alertbot-ci

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
    curl -fsS "http://127.0.0.1:$port/metrics" | grep -q '^alertbot_alerts_delivered' && return 0
    sleep 1
  done
  curl -sS "http://127.0.0.1:$port/metrics" | head -20
  return 1
}
check "/metrics serves the pipeline's metrics (the seed alert delivered)" metrics
check "the seed alert is printed in the container's output" sh -c "docker logs $container 2>/dev/null | grep -q 'Iranian commander visits Iraq'"
docker rm -f "$container" >/dev/null 2>&1

compose_up() {
  ALERTBOT_PORT=$port docker compose up -d alertbot || return 1
  for _ in $(seq 1 60); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && curl -fsS "http://127.0.0.1:$port/readyz" | grep -q '"ready":true' && return 0
    sleep 1
  done
  return 1
}
check "docker compose up: the default service answers /healthz and /readyz" compose_up
check "docker compose down" docker compose down -v
check "the postgres profile is a valid compose file" sh -c "docker-compose --profile postgres config >/dev/null"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
