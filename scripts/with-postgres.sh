#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL server on loopback, then stop it and delete it.
#
#     scripts/with-postgres.sh .venv/bin/python -m pytest tests/store
#
# The command finds the server in TEST_DATABASE_URL. When TEST_DATABASE_URL is already set
# (by .ci/run, or by you), the command runs against that server and nothing is started.
# Needs PostgreSQL's server programs (Debian: apt-get install postgresql); as root, the server
# runs as the `postgres` user, because PostgreSQL refuses to run as root.
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi
if [[ -n "${TEST_DATABASE_URL:-}" ]]; then
    exec "$@"
fi

bindir=""
if command -v pg_config >/dev/null && [[ -x "$(pg_config --bindir)/initdb" ]]; then
    bindir="$(pg_config --bindir)"
else
    for candidate in /usr/lib/postgresql/*/bin; do
        [[ -x "$candidate/initdb" ]] && bindir="$candidate"
    done
fi
if [[ -z "$bindir" ]]; then
    echo "$0: PostgreSQL's server programs (initdb, pg_ctl) are not installed; on Debian: apt-get install postgresql" >&2
    exit 1
fi

as_server() {
    # PostgreSQL will not run as root: run its programs as the postgres user then.
    if [[ "$(id -u)" -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

cluster="$(mktemp -d "${TMPDIR:-/tmp}/article-bot-pg.XXXXXX")"
if [[ "$(id -u)" -eq 0 ]]; then
    chown postgres: "$cluster"
fi
stop() {
    as_server "$bindir/pg_ctl" -D "$cluster/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$cluster"
}
trap stop EXIT

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cd "$cluster"
as_server "$bindir/initdb" -D "$cluster/data" -U postgres -A trust -E UTF8 --no-locale >"$cluster/initdb.log" 2>&1 \
    || { cat "$cluster/initdb.log" >&2; exit 1; }
as_server "$bindir/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $port -k $cluster -c max_connections=200" start >/dev/null \
    || { cat "$cluster/server.log" >&2; exit 1; }
cd - >/dev/null

export TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/postgres"
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (throwaway, in $cluster)" >&2
set +e
"$@"
status=$?
set -e
exit $status
