#!/usr/bin/env bash
# The workspace lints of Cargo.toml as errors (issue 15): every unsafe block with its SAFETY
# comment, no unwrap/expect in library code, every #[allow] with a reason; and rustfmt.
set -uo pipefail
cd "$(dirname "$0")/.."
if ! cargo clippy --version >/dev/null 2>&1; then
  rustup component add clippy rustfmt >/dev/null 2>&1 || true
fi
if ! cargo clippy --version >/dev/null 2>&1; then
  # A lint run that checks nothing must not pass.
  echo "lint: clippy is not installed and could not be added (rustup component add clippy): FAIL"
  exit 1
fi
if ! cargo fmt --version >/dev/null 2>&1; then
  echo "lint: rustfmt is not installed and could not be added (rustup component add rustfmt): FAIL"
  exit 1
fi
fail=0
cargo clippy --locked --workspace --all-targets -- -D warnings -W clippy::allow_attributes_without_reason || fail=1
cargo fmt --all --check >/dev/null || { echo "cargo fmt --all --check: files not formatted (run cargo fmt --all)"; fail=1; }
((fail == 0)) && echo "lint: clippy -D warnings and rustfmt clean"
exit $fail
