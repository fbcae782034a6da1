#!/usr/bin/env bash
# `make dist` PREOP: makes the dist dir a Cargo workspace of its own, so that the tarball builds
# with cargo alone, offline, outside this repository:
#   Cargo.toml   workspace of core/ and capi/ (versions, lints and release profile of the repo's)
#   Cargo.lock   the repo's lock, pruned to these two crates (same versions)
#   core/        paygent-core's sources (without its tests and dev-dependencies)
#   vendor/      every crate they need (`cargo vendor`), .cargo/config.toml points cargo at it
# and appends these files to the dist's MANIFEST. Usage: dist-rust.sh DISTDIR (from perl-xs/).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
dist=$(cd "${1:?usage: dist-rust.sh DISTDIR}" && pwd)

# Workspace manifest: the repo's, with only core and capi as members and no test-only crates.
awk '
  /^members *=/         { print "members = [\"core\", \"capi\"]"; next }
  /^default-members *=/ { next }
  /^# php-ext needs/    { next }
  /^paygent-testpki *=/ { next }
  { print }
' "$root/Cargo.toml" >"$dist/Cargo.toml"

# paygent-core without [dev-dependencies] (they name test crates the tarball does not carry).
mkdir -p "$dist/core"
cp -R "$root/core/src" "$dist/core/src"
awk '/^\[/ { skip = ($0 == "[dev-dependencies]") } !skip' "$root/core/Cargo.toml" >"$dist/core/Cargo.toml"

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

(cd "$dist" && find Cargo.toml Cargo.lock .cargo core vendor -type f | LC_ALL=C sort) >>"$dist/MANIFEST"
echo "dist-rust.sh: added core, Cargo.lock and $(ls "$dist/vendor" | wc -l) vendored crates"
