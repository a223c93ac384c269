#!/usr/bin/env bash
# Starts the PostgreSQL the storage tests run against, installing it from Debian's packages when missing.
#
# A dedicated cluster (default name alertbot_test, port 5433, listening on 127.0.0.1 only) keeps the test settings
# (no fsync: its data is thrown away) away from any "main" cluster the machine may serve. It creates a role and a
# database (owned by the role) for the tests; the tests create and drop one schema per test inside it.
#
# Output: stdout is exactly one line, `export ALERTBOT_TEST_POSTGRES='...'`, so `eval "$(.ci/postgres.sh)"` works;
# the same line is written to .ci/postgres.env (git-ignored) for scripts that prefer `source .ci/postgres.env`.
# Progress and errors go to stderr. Idempotent: a second run only checks and prints.
# Runs as root (a fresh Debian 12 machine or container); otherwise uses sudo for the privileged steps.
set -euo pipefail
cd "$(dirname "$0")/.."

cluster=${ALERTBOT_PG_CLUSTER:-alertbot_test}
port=${ALERTBOT_PG_PORT:-5433}
role=alertbot_test
database=alertbot_test
# A throwaway role on a loopback-only test cluster; not a secret worth managing.
password=alertbot_test
env_file=.ci/postgres.env

say() { echo "postgres.sh: $*" >&2; }
if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || ! command -v pg_ctlcluster >/dev/null; then
  say "installing PostgreSQL from Debian's packages"
  "${sudo[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq postgresql >&2
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)

if ! pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c { found = 1 } END { exit !found }'; then
  say "creating cluster $version/$cluster on 127.0.0.1:$port"
  "${sudo[@]}" pg_createcluster --port "$port" "$version" "$cluster" -- --auth-local=peer --auth-host=scram-sha-256 \
    >/tmp/alertbot-pg-create.log 2>&1 || { cat /tmp/alertbot-pg-create.log >&2; exit 1; }
  # Test data only: durability costs time and buys nothing here.
  "${sudo[@]}" tee "/etc/postgresql/$version/$cluster/conf.d/alertbot-tests.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
fi

if ! "${sudo[@]}" pg_ctlcluster "$version" "$cluster" status >/dev/null 2>&1; then
  say "starting cluster $version/$cluster"
  # Containers have no systemd-tmpfiles to create the socket directory.
  "${sudo[@]}" install -d -o postgres -g postgres -m 2775 /var/run/postgresql
  "${sudo[@]}" pg_ctlcluster "$version" "$cluster" start >&2
fi

# Role and database, created when missing; the password is (re)set so a changed script takes effect.
"${sudo[@]}" runuser -u postgres -- psql -p "$port" -d postgres -qAtX -v ON_ERROR_STOP=1 >/dev/null <<SQL
SELECT format('CREATE ROLE %I LOGIN', '$role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$role')
\gexec
ALTER ROLE $role WITH LOGIN NOCREATEDB PASSWORD '$password';
SELECT format('CREATE DATABASE %I OWNER %I', '$database', '$role') WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$database')
\gexec
SQL

line="export ALERTBOT_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Username=$role;Password=$password;Database=$database'"
echo "$line" > "$env_file"
echo "$line"
