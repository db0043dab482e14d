#!/usr/bin/env bash
# Make sure the relay's PostgreSQL tests (tests/test_relay_postgres.py) have PostgreSQL's programs:
# Debian's postgresql package. The tests never use the system's service: they run a throwaway
# cluster of their own (initdb and pg_ctl in a temporary folder, on a free loopback port, as the
# postgres user when run as root, since PostgreSQL refuses to run as root).
# Installs the package when missing and we are root with apt-get, without creating or starting
# the package's default cluster; otherwise says what it found. Idempotent.
set -uo pipefail

find_initdb() {
    if command -v initdb >/dev/null 2>&1; then
        command -v initdb
        return
    fi
    ls -1 /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1
}

found="$(find_initdb)"
if [ -n "$found" ]; then
    echo "postgresql: found $found"
    exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "postgresql: initdb not found and cannot install it here (needs root and apt-get):" \
        "the relay's PostgreSQL tests will be skipped (a failure under CI=true);" \
        "install with: sudo apt-get install postgresql"
    exit 0
fi

echo "postgresql: initdb not found, installing Debian's postgresql with apt-get"
log="$(mktemp)"
# The package would create (and try to start) a cluster of its own: the tests need none.
conf=/etc/postgresql-common/createcluster.d/zz-relay-tests.conf
mkdir -p "$(dirname "$conf")"
echo "create_main_cluster = false" >"$conf"
start=$(date +%s)
if DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$log" 2>&1 &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >>"$log" 2>&1 &&
    [ -n "$(find_initdb)" ]; then
    echo "postgresql: installed $(find_initdb) in $(($(date +%s) - start)) s"
else
    tail -n 20 "$log"
    echo "postgresql: installing failed (log above): the relay's PostgreSQL tests will be skipped" \
        "(a failure under CI=true)"
fi
rm -f "$log" "$conf"
exit 0
