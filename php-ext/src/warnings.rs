//! Core warnings → PHP `trigger_error()` (decisions.md 12). Called through PHP itself so
//! `set_error_handler()` callbacks and frameworks that turn warnings into exceptions see them.

use paygent_core::Warning;
use paygent_core::error::WarningLevel;

use crate::args::bytes_zval;
use crate::call::call;

const E_USER_WARNING: i64 = 512;
const E_USER_NOTICE: i64 = 1024;

/// Raise each warning in order. Stops at the first one whose handler threw: the exception then
/// leaves the method call, as it would from the official module's `trigger_error`.
pub fn raise(warnings: Vec<Warning>) {
    for w in warnings {
        let level = match w.level {
            WarningLevel::Warning => E_USER_WARNING,
            WarningLevel::Notice => E_USER_NOTICE,
        };
        if !trigger(&w.text, level) {
            break;
        }
    }
}

fn trigger(text: &[u8], level: i64) -> bool {
    let text = bytes_zval(text);
    call("trigger_error", vec![&text, &level]).is_some()
}
