//! Helpers for the language boundaries (PHP methods, `extern "C"` functions): both bindings turn
//! a caught panic into the same module error and silence the default panic message.

use std::any::Any;
use std::sync::Once;

use crate::error::{Error, ErrorKind};

/// A caught panic payload as E01901 ("internal error: …").
pub fn panic_error(payload: &(dyn Any + Send)) -> Error {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_owned());
    Error::new(ErrorKind::Internal(what))
}

/// The default hook prints `thread … panicked` on stderr, which pollutes web server logs and
/// breaks test output; the error is reported through the module instead. A non-empty
/// `PAYGENT_DEBUG_PANIC` brings the message back. Installed once per process.
pub fn install_quiet_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::env::var_os("PAYGENT_DEBUG_PANIC").is_some_and(|v| !v.is_empty()) {
                previous(info);
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_become_internal_errors() {
        let e = panic_error(&"boom");
        assert_eq!(e.kind, ErrorKind::Internal("boom".into()));
        assert_eq!(e.code, crate::ErrorCode::Other);
        let e = panic_error(&String::from("owned"));
        assert_eq!(e.kind, ErrorKind::Internal("owned".into()));
        assert_eq!(panic_error(&42u8).kind, ErrorKind::Internal("panic".into()));
    }
}
