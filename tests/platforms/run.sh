#!/usr/bin/env bash
# Tests paygent-rs on another Debian release by installing it there: builds a throwaway root with
# debootstrap (from the archive the host's apt uses), installs that suite's build dependencies,
# binds the host's Rust toolchain in, copies the work tree to /src and runs
# tests/platforms/inside.sh in it: the Rust suite, PHPT and the conformance cases (where the
# suite has PHP >= 8.1), the Perl suite, the CLI and notices tests on the suite's PostgreSQL and
# MariaDB, the demo end to end, and the package install test of that suite's .debs.
#
# Usage: tests/platforms/run.sh [--ci] SUITE      SUITE = bookworm | trixie | bullseye
#   --ci     only the suites that differ by platform (build, PHPT, Perl, the TLS matrix,
#            packages): what .ci/run runs for the extra suites
#   --bench  no tests: bench/run.sh in that root (valgrind added; hyperfine built with cargo
#            where the suite has none), for the per-release figures of docs/performance.md
# Env:   PLATFORMS_CACHE (default /var/cache/paygent-platforms: debootstrap tarball, apt's .debs
#        and lists, the suite's cargo target dir), PLATFORMS_TMP (where the root goes, /var/tmp),
#        PLATFORMS_FRESH=1 (empty the suite's cargo target dir first: a cold build)
# Needs root. Prints `N passed, N failed` last; exits non-zero on any failure. The root, its
# mounts and every process in it are removed at the end, also on failure, Ctrl-C or SIGTERM.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
mode=full
while [ $# -gt 0 ]; do
    case $1 in
        --ci) mode=ci; shift ;;
        --bench) mode=bench; export PLATFORMS_EXTRA_PACKAGES="${PLATFORMS_EXTRA_PACKAGES:-} valgrind"; shift ;;
        -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
        -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
suite=${1:-}
[ -n "$suite" ] || { sed -n '9,11p' "$0" >&2; exit 2; }
# shellcheck source=tests/platforms/lib.sh
. "$root/tests/platforms/lib.sh"
case " $PLATFORM_SUITES " in *" $suite "*) ;; *) echo "run.sh: unknown suite '$suite' (one of: $PLATFORM_SUITES)" >&2; exit 2 ;; esac

summary=""
# A trap runs with the redirections of the command it interrupts (e.g. an apt log): the script's
# own stdout and stderr, kept here, get the clean-up's messages and the closing line.
exec {out_fd}>&1 {err_fd}>&2
on_exit() {
    local rc=$?
    trap - INT TERM HUP
    {
        platform_root_destroy
        # The closing line: the suites' counts, or the set-up counted as one failure.
        if [ -n "$summary" ]; then echo "$summary"; else echo "$suite: 0 passed, 1 failed (set-up or interrupted)"; fi
    } >&"$out_fd" 2>&"$err_fd"
    if [ -z "$summary" ] && [ "$rc" = 0 ]; then rc=1; fi
    exit "$rc"
}
trap on_exit EXIT
trap 'echo "[platforms] interrupted: removing the root" >&"$err_fd"; exit 130' INT
trap 'echo "[platforms] terminated: removing the root" >&"$err_fd"; exit 143' TERM HUP

t0=$SECONDS
[ "${PLATFORMS_FRESH:-0}" = 1 ] && rm -rf --one-file-system "${PLATFORMS_CACHE:?}/$suite/target"
# plat_die exits: the EXIT trap removes what was made so far.
platform_root_create "$suite"
platform_root_copy_src "$root"
t_setup=$((SECONDS - t0))
plat_say "$suite root ready in ${t_setup}s; running tests/platforms/inside.sh $mode"

platform_in_root /src/tests/platforms/inside.sh "$mode"
rc=$?
t_all=$((SECONDS - t0))
echo "[$suite] wall time: root set-up ${t_setup}s, tests $((t_all - t_setup))s, total ${t_all}s"
read -r p f 2>/dev/null <"$ROOT/tmp/platform-result" || { p=0 f=1; }
((rc == 0)) || ((f > 0)) || f=1
summary="$suite: $p passed, $f failed"
((rc == 0 && f == 0))
