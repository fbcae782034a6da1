//! Panic boundary: no Rust panic reaches the Zend engine (style.md rule 4).

use std::panic::{AssertUnwindSafe, catch_unwind};

use paygent_core::error::Error;

/// A panic hook that stays silent unless `PAYGENT_DEBUG_PANIC` is set (core::boundary).
pub fn install_hook() {
    paygent_core::boundary::install_quiet_panic_hook();
}

/// Run `body`; a panic becomes the module error E01901 ("internal error").
pub fn guard<T>(body: impl FnOnce() -> T) -> Result<T, Error> {
    catch_unwind(AssertUnwindSafe(body))
        .map_err(|payload| paygent_core::boundary::panic_error(payload.as_ref()))
}

/// Test hook (feature `test-hooks`, never in a release build): with `PAYGENT_TEST_PANIC=1` in the
/// environment, `reqPut("__paygent_panic__", …)` panics inside the boundary so PHPT can prove a
/// panic never kills PHP.
#[cfg(feature = "test-hooks")]
pub fn test_hook(key: &[u8]) {
    if key == b"__paygent_panic__" && std::env::var_os("PAYGENT_TEST_PANIC").is_some() {
        #[allow(
            clippy::panic,
            reason = "deliberate, only under PAYGENT_TEST_PANIC, for tests"
        )]
        {
            panic!("test panic requested");
        }
    }
}

/// Without the `test-hooks` feature the key is an ordinary parameter.
#[cfg(not(feature = "test-hooks"))]
#[inline(always)]
pub fn test_hook(_key: &[u8]) {}
