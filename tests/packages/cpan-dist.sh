#!/usr/bin/env bash
# The CPAN tarball builds and tests on its own: MANIFEST matches the tree (MANIFEST.SKIP),
# `make dist` carries core, capi, the gateway simulator's sources and the vendored crates, and
# the tarball unpacked OUTSIDE the repo builds with `perl Makefile.PL && make && make test` —
# cargo offline and frozen, from the tarball's own sources (its own target dir). `make test` is
# hermetic: it builds and starts its own simulator (none from the repo), ignores a system
# paygent.properties planted where migration-perl.md puts it, skips nothing, and leaves no
# process or temp dir behind.
# Prints `N passed, N failed`; exits non-zero on any failure.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/paygent-cpan.XXXXXX")
. "$root/tests/packages/lib.sh"

# A bogus system paygent.properties in the first @INC dir (/etc/perl on Debian), as
# Paygent/paygent.properties and as paygent.properties; whatever was there is put back.
sysinc=$(perl -e 'print((grep { $_ eq "/etc/perl" } @INC) ? "/etc/perl" : $INC[0])')
planted=()      # files written here
saved=()        # "backup original" pairs
made_dirs=()
plant_system_properties() {
  local f n=0
  for f in "$sysinc/Paygent/paygent.properties" "$sysinc/paygent.properties"; do
    n=$((n + 1))
    if [ ! -d "$(dirname "$f")" ]; then mkdir -p "$(dirname "$f")" || return 1; made_dirs+=("$(dirname "$f")"); fi
    if [ -e "$f" ]; then mv "$f" "$work/saved-$n" || return 1; saved+=("$work/saved-$n $f"); fi
    printf 'die "a system paygent.properties (%s) was read by a test\\n";\n' "$f" >"$f" || return 1
    planted+=("$f")
  done
}
unplant_system_properties() {
  local f pair d
  for f in "${planted[@]}"; do rm -f "$f"; done
  for pair in "${saved[@]}"; do mv ${pair}; done
  for d in "${made_dirs[@]}"; do rmdir "$d" 2>/dev/null; done
  planted=() saved=() made_dirs=()
}
cleanup() { unplant_system_properties; rm -rf "$work"; }
trap cleanup EXIT

echo "== MANIFEST"
# Every file of perl-xs is in MANIFEST or matched by MANIFEST.SKIP, and every MANIFEST entry exists.
manifest=$(cd "$root/perl-xs" && git ls-files --cached --others --exclude-standard . | perl -MExtUtils::Manifest=maniread,maniskip -e '
  my $m = maniread(); my $skip = maniskip();
  chomp(my @tree = <STDIN>); my %tree = map { $_ => 1 } @tree;
  print "not in MANIFEST (add it to perl-xs/MANIFEST or MANIFEST.SKIP): $_\n" for grep { !exists $m->{$_} && !$skip->($_) } sort @tree;
  print "in MANIFEST but missing: $_\n" for grep { !$tree{$_} } sort keys %$m;' 2>&1)
check "perl-xs/MANIFEST matches the tree" test -z "$manifest"
[ -z "$manifest" ] || echo "$manifest"

echo "== make dist"
# A copy of perl-xs beside a link to the repo's other files: `make dist` leaves no file in the checkout.
src=$work/src
mkdir -p "$src"
(cd "$root/perl-xs" && perl -MExtUtils::Manifest=manicopy,maniread -e 'manicopy(maniread(), $ARGV[0])' "$src/perl-xs" >/dev/null)
cp "$root/perl-xs/dist-rust.sh" "$src/perl-xs/"
for f in Cargo.toml Cargo.lock core tests; do ln -s "$root/$f" "$src/$f"; done
if (cd "$src/perl-xs" && perl Makefile.PL && make dist) >"$work/dist.log" 2>&1; then
  ok "make dist"
else
  tail -30 "$work/dist.log"; nok "make dist"; summary; exit 1
fi
tarball=$(ls "$src"/perl-xs/Paygent-B2B-*.tar.gz)
tar tzf "$tarball" >"$work/list"
for f in Cargo.toml Cargo.lock .cargo/config.toml core/src/lib.rs capi/src/lib.rs capi/include/paygent.h \
         lib/Paygent/B2B.pm B2B.xs MANIFEST META.json; do
  check "tarball has $f" grep -q "^Paygent-B2B-[^/]*/$f\$" "$work/list"
done
check "tarball has vendored crates (openssl, rustls, ring)" \
  bash -c "grep -q /vendor/openssl-0 '$work/list' && grep -q /vendor/rustls-0 '$work/list' && grep -q /vendor/ring-0 '$work/list'"
for f in tests/gateway-sim/Cargo.toml tests/gateway-sim/src/main.rs tests/testpki/src/lib.rs tests/cases/src/lib.rs \
         tests/conformance/base.properties tests/fixtures/01_payment_atm_ok.body tests/proxy/tinyproxy.sh \
         t/lib/run-harness.pl; do
  check "tarball has $f" grep -q "^Paygent-B2B-[^/]*/$f\$" "$work/list"
done
check "tarball has the conformance cases" test "$(grep -c '^Paygent-B2B-[^/]*/tests/conformance/cases/.*\.json$' "$work/list")" \
  -eq "$(ls "$root"/tests/conformance/cases/*.json | wc -l)"
check "tarball has the simulator's vendored crates (serde_json)" grep -q /vendor/serde_json-1 "$work/list"
check "tarball has no repo-only test code (Rust tests, conformance runner, php-ext, cli)" \
  bash -c "! grep -E '^[^/]+/(tests/[^/]+/tests/|tests/conformance/src/|php-ext/|cli/|notices/)' '$work/list'"
ls -l "$tarball" | awk '{ printf "   tarball: %.1f MB\n", $5 / 1e6 }'
check "tarball has no build leftovers" bash -c "! grep -E '^[^/]+/(B2B\.(o|c|bs)|Makefile|MYMETA\.[a-z]+|blib/.*|target/.*)\$' '$work/list'"

echo "== unpacked outside the repo: perl Makefile.PL && make && make test (offline)"
out=$work/outside
mkdir -p "$out"
tar xzf "$tarball" -C "$out"
dir=$(ls -d "$out"/Paygent-B2B-*)
# No repo in reach: the walk up from the dist dir finds no other Cargo workspace; the network
# is not asked (CARGO_NET_OFFLINE), and CARGO_TARGET_DIR is the tarball's own.
if (cd "$dir" && env -u CARGO_TARGET_DIR -u PAYGENT_WORKSPACE CARGO_NET_OFFLINE=true \
      perl Makefile.PL && make) >"$work/build.log" 2>&1; then
  ok "perl Makefile.PL && make (cargo --offline --frozen)"
else
  tail -40 "$work/build.log"; nok "build outside the repo"; summary; exit 1
fi
check "cargo built from the tarball's sources" grep -q -- "--offline --frozen" "$work/build.log"
check "the staticlib is in the tarball's target dir" test -f "$dir/target/release/libpaygent_capi.a"
du -sk "$dir" | awk '{ printf "   unpacked and built: %.0f MB\n", $1 / 1024 }'

echo "== make test: its own simulator and configuration, a bogus system paygent.properties planted"
if plant_system_properties; then
  ok "planted ${planted[*]}"
else
  nok "cannot write a system paygent.properties under $sysinc (run as root)"
fi
# Nothing of the repo's test setup reaches make test (no simulator, cases, proxy or properties).
# Its TMPDIR: empty at the end. Traversable, like /tmp: tinyproxy (t/67-proxy.t) runs as nobody.
chmod 0711 "$work"
mkdir -m 0755 "$work/tmp"
if (cd "$dir" && env -u PAYGENT_SIM_PORT -u PAYGENT_PKI -u PAYGENT_SIM_RECORD -u PAYGENT_CASES \
      -u PAYGENT_TINYPROXY -u PAYGENT_PROPERTIES -u CARGO_TARGET_DIR CARGO_NET_OFFLINE=true \
      TMPDIR="$work/tmp" PAYGENT_LEAK_POSTS=2000 make test) >"$work/test.log" 2>&1; then
  ok "make test (simulator tests included)"
else
  tail -60 "$work/test.log"; nok "make test"
fi
grep -E '^(== |Files=|Result:)' "$work/test.log"
check "make test built the simulator from the tarball (--offline --frozen)" \
  grep -q -- "cargo build --offline --frozen --release -p paygent-sim" "$work/test.log"
check "make test started its own simulator" grep -q '^== gateway simulator on 127\.0\.0\.1:' "$work/test.log"
check "the simulator is the tarball's" test -x "$dir/target/release/paygent-sim"
check "no test file skipped (no SKIPPED line, no TAP skip_all)" \
  bash -c "! grep -E 'SKIPPED|\.\. skipped' '$work/test.log'"
check "make test says nothing was skipped" grep -q '^== nothing skipped' "$work/test.log"
unplant_system_properties
check "the system paygent.properties put back as it was" \
  bash -c "! grep -qs 'was read by a test' '$sysinc/Paygent/paygent.properties' '$sysinc/paygent.properties'"
sim_gone() { ! pgrep -f "$dir/target/release/paygent-sim serve" >/dev/null; }
check "no simulator left running" sim_gone
check "no temp dir left behind (TMPDIR of make test is empty)" test -z "$(ls -A "$work/tmp")"
[ -z "$(ls -A "$work/tmp")" ] || ls -la "$work/tmp"

summary
