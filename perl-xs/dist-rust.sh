#!/usr/bin/env bash
# `make dist` PREOP: makes the dist dir a Cargo workspace of its own, so that the tarball builds
# with cargo alone, offline, outside this repository:
#   Cargo.toml   workspace of core/, capi/ and the gateway simulator (versions, lints and release
#                profile of the repo's)
#   Cargo.lock   the repo's lock, pruned to these crates (same versions)
#   core/        paygent-core's sources (without its tests and dev-dependencies)
#   tests/       what `make test` starts (t/lib/run-harness.pl): the simulator paygent-sim and its
#                crates (gateway-sim, testpki, cases: sources only), the conformance cases and
#                wire fixtures it answers from, and the tinyproxy starter of t/67-proxy.t
#   vendor/      every crate they need (`cargo vendor`), .cargo/config.toml points cargo at it
# and appends these files to the dist's MANIFEST. Usage: dist-rust.sh DISTDIR (from perl-xs/).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
dist=$(cd "${1:?usage: dist-rust.sh DISTDIR}" && pwd)

# Workspace manifest: the repo's, with core, capi and the simulator's crates as members (the
# simulator's at the same paths as in the repo, so the [workspace.dependencies] stay as they are).
sim_crates="tests/gateway-sim tests/testpki tests/cases"
awk -v sim="$sim_crates" '
  /^members *=/         { m = "\"core\", \"capi\""; n = split(sim, s, " ")
                          for (i = 1; i <= n; i++) m = m ", \"" s[i] "\""
                          print "members = [" m "]"; next }
  /^default-members *=/ { next }
  /^# php-ext needs/    { next }
  { print }
' "$root/Cargo.toml" >"$dist/Cargo.toml"

# A crate's sources and its Cargo.toml without [dev-dependencies] (its tests are not carried).
copy_crate() { # $1 = crate dir in the repo, $2 = in the dist
  mkdir -p "$dist/$2"
  cp -R "$root/$1/src" "$dist/$2/src"
  awk '/^\[/ { skip = ($0 == "[dev-dependencies]") } !skip' "$root/$1/Cargo.toml" >"$dist/$2/Cargo.toml"
}
copy_crate core core
for c in $sim_crates; do copy_crate "$c" "$c"; done
mkdir -p "$dist/tests/conformance" "$dist/tests/proxy"
cp -R "$root/tests/conformance/cases" "$root/tests/conformance/base.properties" "$dist/tests/conformance/"
cp -R "$root/tests/fixtures" "$dist/tests/fixtures"
cp "$root/tests/proxy/tinyproxy.sh" "$dist/tests/proxy/"
cat >"$dist/tests/README" <<'TXT'
What `make test` builds and starts (t/lib/run-harness.pl), copied from paygent-rs by dist-rust.sh:
gateway-sim/ (paygent-sim, the PAYGENT gateway simulator; mutual TLS on a loopback port, its test
PKI generated at test time), testpki/ and cases/ (its crates), conformance/ (the shared
conformance cases of t/50-conformance.t), fixtures/ (wire bytes the cases use), proxy/ (starts
tinyproxy for t/67-proxy.t). None of it is installed.
TXT

# The repo's lock: cargo keeps its versions and drops what the two crates do not use.
cp "$root/Cargo.lock" "$dist/Cargo.lock"
(cd "$dist" && cargo vendor --versioned-dirs --offline vendor >/dev/null 2>"$dist/vendor.log") \
  || { cat "$dist/vendor.log" >&2; exit 1; }
rm -f "$dist/vendor.log"
mkdir -p "$dist/.cargo"
cat >"$dist/.cargo/config.toml" <<'TOML'
# Build from the vendored crates only (written by dist-rust.sh after `cargo vendor`).
[source.crates-io]
replace-with = "vendored-sources"

[source.vendored-sources]
directory = "vendor"
TOML

# Pruning only: every (name, version) locked here must be locked the same in the repo.
pairs() { awk '/^name = /{n=$3} /^version = /{print n, $3}' "$1" | LC_ALL=C sort -u; }
extra=$(LC_ALL=C comm -23 <(pairs "$dist/Cargo.lock") <(pairs "$root/Cargo.lock"))
[ -z "$extra" ] || { echo "dist-rust.sh: versions not in the repo's Cargo.lock: $extra" >&2; exit 1; }

# The offline build must not need anything else: prove it before packing.
(cd "$dist" && cargo metadata --offline --frozen --format-version 1 >/dev/null)

(cd "$dist" && find Cargo.toml Cargo.lock .cargo core tests vendor -type f | LC_ALL=C sort) >>"$dist/MANIFEST"
echo "dist-rust.sh: added core, the simulator (tests/), Cargo.lock and $(ls "$dist/vendor" | wc -l) vendored crates"
