#!/usr/bin/env bash
# Starts Debian's tinyproxy, a real HTTP CONNECT proxy, for the proxy tests of the PHP and Perl
# suites: loopback only, Basic auth USER:PASS, every CONNECT written to DIR/tinyproxy.log.
# Usage: tests/proxy/tinyproxy.sh PORT USER PASS — prints "PID DIR" once the proxy listens
# (DIR holds tinyproxy.log); exits 1 (and says why) when tinyproxy is missing or does not start.
# The caller kills PID and removes DIR.
set -euo pipefail
port=$1 user=$2 pass=$3
bin=$(command -v tinyproxy || echo /usr/bin/tinyproxy)
[ -x "$bin" ] || { echo "tinyproxy not installed (apt-get install tinyproxy)" >&2; exit 1; }
# Its own directory under the system temp dir: tinyproxy drops to nobody before it opens its
# log, so every parent must be traversable (a test's private temp dir is not).
dir=$(mktemp -d "${TMPDIR:-/tmp}/paygent-proxy.XXXXXX")
chmod 0755 "$dir"
touch "$dir/tinyproxy.log"
chown nobody "$dir/tinyproxy.log" 2>/dev/null || chmod 0666 "$dir/tinyproxy.log"
cat >"$dir/tinyproxy.conf" <<CONF
User nobody
Group nogroup
Port $port
Listen 127.0.0.1
Timeout 30
LogFile "$dir/tinyproxy.log"
LogLevel Connect
MaxClients 20
Allow 127.0.0.1
BasicAuth $user $pass
DisableViaHeader Yes
CONF
# tinyproxy 1.10 (Debian 11) pre-forks its children and needs their counts; 1.11 has threads.
if "$bin" -v 2>&1 | grep -q 'tinyproxy 1\.\([0-9]\|10\)\.'; then
  printf 'StartServers 2\nMinSpareServers 1\nMaxSpareServers 4\n' >>"$dir/tinyproxy.conf"
fi
"$bin" -d -c "$dir/tinyproxy.conf" >"$dir/tinyproxy.out" 2>&1 </dev/null &
pid=$!
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$pid $dir"; exit 0; fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
echo "tinyproxy did not start: $(cat "$dir/tinyproxy.out")" >&2
kill "$pid" 2>/dev/null || true
exit 1
