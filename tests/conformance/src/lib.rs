//! The shared conformance cases (`tests/conformance/cases/*.json`, format in README.md beside
//! them) run through paygent-core against a real paygent-sim over mutual TLS.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test harness: a panic is the failed test"
)]

/// The case reader shared by every suite (tests/cases).
pub use paygent_cases as case;
pub mod run;
pub mod sim;

use std::path::PathBuf;

/// `tests/` of the repository.
pub use paygent_cases::tests_dir;

/// `tests/conformance/cases`.
pub fn cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("cases")
}
