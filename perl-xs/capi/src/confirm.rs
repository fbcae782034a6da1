//! Failure phase and confirmation by inquiry (issue 12): extensions of the official API.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::bytes::PaygentBytes;
use crate::handle::PaygentModule;
use crate::panic;

/// Where the last `paygent_post` broke off: `not_sent` (nothing left this process: safe to send
/// again), `maybe_sent` (the gateway may have processed it: confirm, never resend blindly), or
/// empty (no failure, or the gateway's answer was read). Empty for a NULL handle.
///
/// # Safety
/// `h` must be a live handle or NULL.
///
/// Ownership: the bytes are static; never free them.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_failure_phase(h: *const PaygentModule) -> PaygentBytes {
    let phase = panic::get(h, "", |m| {
        m.module.failure_phase().map_or("", |p| p.as_str())
    });
    PaygentBytes::of(phase.as_bytes())
}

/// Ask the gateway (094 payment information inquiry) about the last telegram's `trading_id` /
/// `payment_id`, and keep the answer on the handle. Returns the number of its items (at least 1,
/// `outcome` first: `found`, `not_found` or `unknown`), read with [`paygent_confirm_item`]; 0
/// for a NULL handle or an internal error.
///
/// # Safety
/// `h` must be a live handle or NULL.
///
/// Ownership: nothing changes hands; views borrowed earlier from `h` become invalid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_confirm(h: *mut PaygentModule) -> usize {
    if h.is_null() {
        return 0;
    }
    catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the caller promises a live handle from `paygent_new`, used by one thread.
        let m = unsafe { &mut *h };
        let c = m.module.confirm();
        let n = c.items().len();
        m.confirmation = Some(c);
        n
    }))
    .unwrap_or(0)
}

/// Item `i` of the last [`paygent_confirm`] answer into `*key` / `*val`. Returns false when out
/// of range, before any confirm, or when an out pointer is NULL.
///
/// # Safety
/// `h` must be a live handle or NULL; `key` and `val` must be NULL or writable.
///
/// Ownership: the views borrow from the handle until its next non-getter call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_confirm_item(
    h: *const PaygentModule,
    i: usize,
    key: *mut PaygentBytes,
    val: *mut PaygentBytes,
) -> bool {
    if key.is_null() || val.is_null() {
        return false;
    }
    panic::get(h, false, |m| {
        let Some((k, v)) = m
            .confirmation
            .as_ref()
            .and_then(|c| c.items().get(i).copied())
        else {
            return false;
        };
        // SAFETY: checked non-null; writable per contract.
        unsafe {
            key.write(PaygentBytes::of(k));
            val.write(PaygentBytes::of(v));
        }
        true
    })
}
