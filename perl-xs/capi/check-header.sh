#!/usr/bin/env bash
# Regenerate include/paygent.h with cbindgen and fail if it differs from the committed one.
# --write: update the header instead. Needs `cargo install --locked cbindgen@0.29.4`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
if ! command -v cbindgen >/dev/null; then
    echo "check-header: cbindgen not installed (cargo install --locked cbindgen@0.29.4)" >&2
    exit 2
fi
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
cbindgen --quiet --config cbindgen.toml --crate paygent-capi --output "$tmp" .
if [ "${1:-}" = "--write" ]; then
    cp "$tmp" include/paygent.h
    echo "check-header: wrote include/paygent.h"
elif ! diff -u include/paygent.h "$tmp"; then
    echo "check-header: include/paygent.h is out of date; run $0 --write" >&2
    exit 1
else
    echo "check-header: include/paygent.h is up to date"
fi
