//! The last error and the warnings of the last status call.

use crate::PaygentStatus;
use crate::bytes::PaygentBytes;
use crate::handle::PaygentModule;
use crate::panic;

/// Error number of the last status-returning call on `h` (0 if it succeeded). A NULL handle
/// gives 1901.
///
/// # Safety
/// `h` must be a live handle or NULL.
///
/// Ownership: nothing changes hands.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_last_error_code(h: *const PaygentModule) -> PaygentStatus {
    if h.is_null() {
        return crate::PaygentStatus::E01901;
    }
    panic::get(
        h,
        crate::PaygentStatus::E01901,
        PaygentModule::last_error_code,
    )
}

/// Message of the last failed call, starting with its code: the `getResultMessage()` wording
/// where that describes the error (`E02005: 7: …`, `E01001: Properties file doesn't exist.`),
/// else the warning text (`E02005: resultStatus is Nothing.`). Empty when the last call
/// succeeded. [`paygent_result_message`] is the unchanged `getResultMessage()`.
///
/// # Safety
/// `h` must be a live handle or NULL.
///
/// Ownership: borrowed from the handle until its next non-getter call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_last_error_message(h: *const PaygentModule) -> PaygentBytes {
    panic::get(h, PaygentBytes::NULL, |m| {
        PaygentBytes::of(m.last_error_message())
    })
}

/// Number of warnings (`<code>: <text>`, the PHP module's `trigger_error` texts) raised by the
/// last status call.
///
/// # Safety
/// `h` must be a live handle or NULL.
///
/// Ownership: nothing changes hands.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_warning_count(h: *const PaygentModule) -> usize {
    panic::get(h, 0, |m| m.warnings().len())
}

/// Warning `i` of the last status call; `is_null` when out of range.
///
/// # Safety
/// `h` must be a live handle or NULL.
///
/// Ownership: borrowed from the handle until its next non-getter call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_warning(h: *const PaygentModule, i: usize) -> PaygentBytes {
    panic::get(h, PaygentBytes::NULL, |m| {
        PaygentBytes::of_opt(m.warnings().get(i).map(Vec::as_slice))
    })
}
