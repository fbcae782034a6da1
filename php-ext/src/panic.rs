//! Panic boundary: no Rust panic reaches the Zend engine (style.md rule 4).

use std::panic::{AssertUnwindSafe, catch_unwind};

use paygent_core::error::{Error, ErrorKind};

/// Install a panic hook that stays silent unless `PAYGENT_DEBUG_PANIC` is set: the default hook
/// writes to stderr, which breaks PHPT output and pollutes FPM/CGI logs.
pub fn install_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::env::var_os("PAYGENT_DEBUG_PANIC").is_some() {
            default(info);
        }
    }));
}

/// Run `body`; a panic becomes the module error E01901 ("internal error").
pub fn guard<T>(body: impl FnOnce() -> T) -> Result<T, Error> {
    catch_unwind(AssertUnwindSafe(body)).map_err(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_owned());
        Error::new(ErrorKind::Internal(what))
    })
}

/// Test hook: with `PAYGENT_TEST_PANIC=1` in the environment, `reqPut("__paygent_panic__", …)`
/// panics inside the boundary so PHPT can prove a panic never kills PHP.
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
