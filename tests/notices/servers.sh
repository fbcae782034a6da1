# Sourced by tests/notices/run.sh and bench/notices.sh: throwaway PostgreSQL and MariaDB
# servers from Debian's packages, in "$work" (a temp dir the caller made), on free loopback ports.
#   start_pg / start_mariadb   start one; export PAYGENT_TEST_PG_URL / PAYGENT_TEST_MYSQL_URL
#   stop_servers               stop what was started (call it from the caller's EXIT trap)
# As root the servers run as `nobody` (they refuse root) in dirs chowned to it.
# $PIN (e.g. "taskset -c 1") prefixes the server commands when set.

# The newest PostgreSQL installed (Debian 12: 15, 13: 17, 11: 13) unless PGBIN is set.
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
pg_started="" my_pid=""
PIN=${PIN:-}

# The servers refuse to run as root: as root, run them as `nobody` in dirs it owns.
if [ "$(id -u)" = 0 ]; then
    db_user=nobody
    as_db() { runuser -u "$db_user" -- "$@"; }
else
    db_user=$(id -un)
    as_db() { "$@"; }
fi

free_port() {
    perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1:0", ReuseAddr => 1)->sockport'
}

start_pg() {
    [ -x "$PGBIN/initdb" ] || { say "no $PGBIN/initdb (apt-get install postgresql)"; return 1; }
    mkdir -p "$work/pg" "$work/pgsock" && chown "$db_user" "$work/pg" "$work/pgsock" || return 1
    local port; port=$(free_port) || return 1
    as_db "$PGBIN/initdb" -D "$work/pg" -U paygent --auth=trust -E UTF8 --no-locale \
        >"$work/pg-initdb.log" 2>&1 || { say "initdb failed:"; tail -5 "$work/pg-initdb.log" >&2; return 1; }
    # A throwaway server: no fsync (the tests measure the code, not this VM's disk).
    as_db $PIN "$PGBIN/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $work/pgsock -c fsync=off -c full_page_writes=off -c max_connections=200" \
        start >"$work/pg-ctl.log" 2>&1 || { say "pg_ctl start failed:"; tail -5 "$work/pg/server.log" >&2; return 1; }
    pg_started=1
    export PAYGENT_TEST_PG_URL="postgres://paygent@127.0.0.1:$port/postgres"
    say "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

start_mariadb() {
    command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || { say "no mariadbd (apt-get install mariadb-server)"; return 1; }
    local mariadbd; mariadbd=$(command -v mariadbd || echo /usr/sbin/mariadbd)
    mkdir -p "$work/my" && chown "$db_user" "$work/my" || return 1
    local port; port=$(free_port) || return 1
    # innodb_log_file_buffering exists from MariaDB 10.8 (Debian 11 has 10.5).
    local buffering=()
    if "$mariadbd" --no-defaults --verbose --help 2>/dev/null | grep -q '^innodb-log-file-buffering'; then
        buffering=(--innodb-log-file-buffering=ON)
    fi
    as_db mariadb-install-db --no-defaults --datadir="$work/my/data" --auth-root-authentication-method=normal \
        --skip-test-db >"$work/my-install.log" 2>&1 || { say "mariadb-install-db failed:"; tail -5 "$work/my-install.log" >&2; return 1; }
    as_db $PIN "$mariadbd" --no-defaults --datadir="$work/my/data" --socket="$work/my/sock" \
        --port="$port" --bind-address=127.0.0.1 --pid-file="$work/my/pid" --log-error="$work/my/error.log" \
        --innodb-flush-log-at-trx-commit=2 "${buffering[@]}" --innodb-buffer-pool-size=64M --max-connections=200 \
        >/dev/null 2>&1 &
    my_pid=$!
    for _ in $(seq 1 300); do
        if mariadb --no-defaults -uroot --socket="$work/my/sock" -e 'SELECT 1' >/dev/null 2>&1; then
            # TCP from 127.0.0.1 as root, no password (loopback only, thrown away afterwards).
            mariadb --no-defaults -uroot --socket="$work/my/sock" \
                -e "CREATE USER IF NOT EXISTS 'paygent'@'127.0.0.1'; GRANT ALL ON *.* TO 'paygent'@'127.0.0.1'" || return 1
            export PAYGENT_TEST_MYSQL_URL="mysql://paygent@127.0.0.1:$port/mysql"
            say "MariaDB $("$mariadbd" --version | awk '{print $3}') on 127.0.0.1:$port"
            return 0
        fi
        kill -0 "$my_pid" 2>/dev/null || break
        sleep 0.1
    done
    say "mariadbd did not start:"; tail -5 "$work/my/error.log" >&2
    return 1
}

stop_servers() {
    if [ -n "$pg_started" ]; then
        as_db "$PGBIN/pg_ctl" -D "$work/pg" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    if [ -n "$my_pid" ]; then
        # The server's own pid (my_pid may be runuser's, which does not pass the signal on).
        local pid; pid=$(cat "$work/my/pid" 2>/dev/null || echo "$my_pid")
        kill "$pid" "$my_pid" 2>/dev/null
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" "$my_pid" 2>/dev/null || true
    fi
}
