#!/usr/bin/env bash
# The `notices` suite: starts throwaway PostgreSQL 15 and MariaDB servers from Debian's packages
# (initdb/pg_ctl and mariadb-install-db/mariadbd, in a temp dir, on free loopback ports, as an
# unprivileged user when run as root), exports their URLs and runs the store tests
# (notices/tests) and the CLI tests (cli/tests/notices.rs) on SQLite, PostgreSQL and MariaDB.
# The servers are stopped afterwards, also on failure or Ctrl-C.
#
# Under CI=true a server that cannot start fails the suite; locally those stores are skipped
# loudly and SQLite still runs. NOTICES_KEEP=1 keeps the temp dir (server logs).
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

say() { printf 'notices: %s\n' "$*" >&2; }
ci=${CI:-false}
work=$(mktemp -d "${TMPDIR:-/tmp}/paygent-notices.XXXXXX")
chmod 755 "$work"
. "$root/tests/notices/servers.sh"

cleanup() {
    stop_servers
    if [ "${NOTICES_KEEP:-0}" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

missing=()
start_pg || missing+=(PostgreSQL)
start_mariadb || missing+=(MariaDB)
if ((${#missing[@]})); then
    if [ "$ci" = true ]; then
        say "FAILED: ${missing[*]} could not start (CI=true: never skipped)"
        exit 1
    fi
    say "SKIPPING ${missing[*]}: could not start (SQLite still runs; under CI=true this fails)"
    unset PAYGENT_NOTICES_SUITE
else
    export PAYGENT_NOTICES_SUITE=1
fi

status=0
cargo test --locked -q -p paygent-notices || status=1
cargo test --locked -q -p paygent-cli --test notices || status=1

# MySQL/MariaDB by a host name whose first address refuses: `localhost` on Debian resolves to
# ::1 first while MariaDB listens on 127.0.0.1 only, and the driver alone stops at ::1. The name
# comes from a hosts file of this test's own (a mount namespace: /etc/hosts is not touched).
if [ -n "${PAYGENT_TEST_MYSQL_URL:-}" ]; then
    paygent=${CARGO_TARGET_DIR:-$root/target}/debug/paygent
    printf '::1 paygent-dual\n127.0.0.1 paygent-dual\n' >"$work/hosts"
    url=${PAYGENT_TEST_MYSQL_URL/@127.0.0.1:/@paygent-dual:}
    if unshare --mount sh -c 'mount --bind "$1" /etc/hosts && getent ahosts paygent-dual | head -1 | grep -q "^::1 " && exec "$2" notices init --db "$3"' \
        sh "$work/hosts" "$paygent" "$url" >"$work/dual.log" 2>&1; then
        say "ok: mysql://…@paygent-dual (::1 refuses, then 127.0.0.1) connects"
    elif [ "$ci" = true ] || ! grep -q "unshare\|mount" "$work/dual.log"; then
        say "FAILED: mysql by a name whose first address refuses: $(tail -2 "$work/dual.log")"
        status=1
    else
        say "SKIPPING the two-address MySQL check: no mount namespace here ($(tail -1 "$work/dual.log"))"
    fi
fi
exit $status
