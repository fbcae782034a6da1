#!/usr/bin/env bash
# The CPAN tarball builds on its own: MANIFEST matches the tree (MANIFEST.SKIP), `make dist`
# carries core, capi and the vendored crates, and the tarball unpacked OUTSIDE the repo builds
# with `perl Makefile.PL && make && make test` — cargo offline and frozen, from the tarball's
# own sources (its own target dir), with the gateway simulator for the end-to-end tests.
# Prints `N passed, N failed`; exits non-zero on any failure.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/paygent-cpan.XXXXXX")
. "$root/tests/packages/lib.sh"
cleanup() { stop_sim; rm -rf "$work"; }
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
for f in Cargo.toml Cargo.lock core; do ln -s "$root/$f" "$src/$f"; done
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
check "tarball has no build leftovers" bash -c "! grep -E '^[^/]+/(B2B\.(o|c|bs)|Makefile|MYMETA\.[a-z]+|blib/.*|target/.*)\$' '$work/list'"

echo "== unpacked outside the repo: perl Makefile.PL && make && make test (offline)"
out=$work/outside
mkdir -p "$out"
tar xzf "$tarball" -C "$out"
dir=$(ls -d "$out"/Paygent-B2B-*)
SIM_ARGS="--cases $root/tests/conformance/cases" start_sim || { nok "simulator start"; summary; exit 1; }
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
if (cd "$dir" && PAYGENT_SIM_PORT=$(tr -d '[:space:]' <"$work/sim.port") PAYGENT_PKI=$SIM_PKI PAYGENT_SIM_RECORD=$SIM_RECORD \
      PAYGENT_CASES=$root/tests/conformance/cases PAYGENT_TINYPROXY=$root/tests/proxy/tinyproxy.sh \
      PAYGENT_LEAK_POSTS=2000 make test) >"$work/test.log" 2>&1; then
  ok "make test (simulator tests included)"
else
  tail -40 "$work/test.log"; nok "make test"
fi
grep -E '^(Files=|Result:)' "$work/test.log"
check "no test skipped for want of the simulator" bash -c "! grep -q 'simulator not running' '$work/test.log'"

summary
