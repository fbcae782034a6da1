//! `post()` and the reply getters.

use crate::PaygentStatus;
use paygent_core::Record;

use crate::bytes::PaygentBytes;
use crate::handle::PaygentModule;
use crate::panic;

/// Send the telegram (protocol.md §4–§6). Returns 0 when a reply was received and its result
/// read — including `result=1`, a business error: check [`paygent_result_status`] — else the
/// error number (2005 = E02005, …). Initialises lazily if [`paygent_init`] was not called.
///
/// # Safety
/// `h` must be a live handle.
///
/// Ownership: nothing changes hands; views borrowed earlier from `h` become invalid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_post(h: *mut PaygentModule) -> PaygentStatus {
    panic::status(h, |m| m.module.post())
}

/// `result` of the last reply (`"0"` / `"1"`); `is_null` before any reply.
///
/// # Safety
/// `h` must be a live handle or NULL.
///
/// Ownership: borrowed from the handle until its next non-getter call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_result_status(h: *const PaygentModule) -> PaygentBytes {
    panic::get(h, PaygentBytes::NULL, |m| {
        PaygentBytes::of_opt(m.module.result_status())
    })
}

/// `response_code` of the last reply; `is_null` before any reply.
///
/// # Safety
/// `h` must be a live handle or NULL.
///
/// Ownership: borrowed from the handle until its next non-getter call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_response_code(h: *const PaygentModule) -> PaygentBytes {
    panic::get(h, PaygentBytes::NULL, |m| {
        PaygentBytes::of_opt(m.module.response_code())
    })
}

/// `response_detail` of the last reply (Perl `{resultMsg}`); `is_null` before any reply.
///
/// # Safety
/// `h` must be a live handle or NULL.
///
/// Ownership: borrowed from the handle until its next non-getter call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_response_detail(h: *const PaygentModule) -> PaygentBytes {
    panic::get(h, PaygentBytes::NULL, |m| {
        PaygentBytes::of_opt(m.module.response_detail())
    })
}

/// `getResultMessage()` (protocol.md §5.4): empty before anything happened.
///
/// # Safety
/// `h` must be a live handle or NULL.
///
/// Ownership: borrowed from the handle until its next non-getter call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_result_message(h: *const PaygentModule) -> PaygentBytes {
    panic::get(h, PaygentBytes::NULL, |m| {
        PaygentBytes::of(m.module.result_message())
    })
}

/// The telegram kind captured by the last post.
///
/// # Safety
/// `h` must be a live handle or NULL.
///
/// Ownership: borrowed from the handle until its next non-getter call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_telegram_kind(h: *const PaygentModule) -> PaygentBytes {
    panic::get(h, PaygentBytes::NULL, |m| {
        PaygentBytes::of(m.module.telegram_kind())
    })
}

/// Number of records of the last reply (payment: 0 or 1; reference: N; file payment: 0).
///
/// # Safety
/// `h` must be a live handle or NULL (then 0).
///
/// Ownership: nothing changes hands.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_record_count(h: *const PaygentModule) -> usize {
    panic::get(h, 0, |m| m.module.records().len())
}

/// Number of fields of record `i` (0 when out of range).
///
/// # Safety
/// `h` must be a live handle or NULL.
///
/// Ownership: nothing changes hands.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_record_field_count(h: *const PaygentModule, i: usize) -> usize {
    panic::get(h, 0, |m| m.module.records().get(i).map_or(0, Record::len))
}

/// Field `j` of record `i`, in the reply's order, into `*key` / `*val`. Returns false when out
/// of range or an out pointer is NULL.
///
/// # Safety
/// `h` must be a live handle or NULL; `key` and `val` must be NULL or writable.
///
/// Ownership: the views borrow from the handle until its next non-getter call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_record_field(
    h: *const PaygentModule,
    i: usize,
    j: usize,
    key: *mut PaygentBytes,
    val: *mut PaygentBytes,
) -> bool {
    if key.is_null() || val.is_null() {
        return false;
    }
    panic::get(h, false, |m| {
        // Constant time per field, so reading every field of a record is linear.
        match m.module.records().get(i).and_then(|r| r.field(j)) {
            Some((k, v)) => {
                // SAFETY: checked non-null; writable per contract.
                unsafe {
                    key.write(PaygentBytes::of(k));
                    val.write(PaygentBytes::of(v));
                }
                true
            }
            None => false,
        }
    })
}
