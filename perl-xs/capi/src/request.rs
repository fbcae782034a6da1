//! Telegram parameters and per-object settings.

use crate::PaygentStatus;
use paygent_core::Module;

use crate::bytes::{PaygentBytes, input};
use crate::handle::PaygentModule;
use crate::panic;

/// `reqPut`: store parameter `key` = `val`. Re-putting a key keeps its first position. The
/// caller turns its null/undef into the empty string (decisions.md 7). Length limits are checked
/// at post time (E02002), not here.
///
/// # Safety
/// `h` must be a live handle; `key`/`val` must point to `klen`/`vlen` readable bytes (NULL
/// allowed with length 0).
///
/// Ownership: the bytes are copied.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_req_put(
    h: *mut PaygentModule,
    key: *const u8,
    klen: usize,
    val: *const u8,
    vlen: usize,
) -> PaygentStatus {
    panic::status(h, |m| {
        // SAFETY: caller contract above.
        let (k, v) = unsafe { (input(key, klen)?, input(val, vlen)?) };
        m.module.req_put(k, v);
        Ok(())
    })
}

/// `reqGet`: the stored value of parameter `key`; `is_null` when it was never put.
///
/// # Safety
/// `h` must be a live handle or NULL; `key` must point to `klen` readable bytes.
///
/// Ownership: borrowed from the handle until its next non-getter call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_req_get(
    h: *const PaygentModule,
    key: *const u8,
    klen: usize,
) -> PaygentBytes {
    panic::get(h, PaygentBytes::NULL, |m| {
        // SAFETY: caller contract above.
        match unsafe { input(key, klen) } {
            Ok(k) => PaygentBytes::of_opt(m.module.req_get(k)),
            Err(_) => PaygentBytes::NULL,
        }
    })
}

/// Number of parameters stored.
///
/// # Safety
/// `h` must be a live handle or NULL (then 0).
///
/// Ownership: nothing changes hands.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_req_count(h: *const PaygentModule) -> usize {
    panic::get(h, 0, |m| m.module.params().len())
}

/// Parameter `i` (first-insertion order) into `*key` / `*val`. Returns false when `i` is out of
/// range or an out pointer is NULL.
///
/// # Safety
/// `h` must be a live handle or NULL; `key` and `val` must be NULL or writable.
///
/// Ownership: the views borrow from the handle until its next non-getter call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_req_entry(
    h: *const PaygentModule,
    i: usize,
    key: *mut PaygentBytes,
    val: *mut PaygentBytes,
) -> bool {
    if key.is_null() || val.is_null() {
        return false;
    }
    panic::get(h, false, |m| match m.module.params().entry(i) {
        Some((k, v)) => {
            // SAFETY: checked non-null; writable per contract.
            unsafe {
                key.write(PaygentBytes::of(k));
                val.write(PaygentBytes::of(v));
            }
            true
        }
        None => false,
    })
}

/// Shared body of the plain setters.
///
/// # Safety
/// As for the exported setters.
unsafe fn set(
    h: *mut PaygentModule,
    ptr: *const u8,
    len: usize,
    f: fn(&mut Module, &[u8]),
) -> PaygentStatus {
    panic::status(h, |m| {
        // SAFETY: forwarded caller contract.
        let v = unsafe { input(ptr, len)? };
        f(&mut m.module, v);
        Ok(())
    })
}

/// `setResultCsv`: path of the result CSV (reference kinds, required for 201).
///
/// # Safety
/// `h` must be a live handle; `val` must point to `vlen` readable bytes (NULL allowed with
/// length 0).
///
/// Ownership: the bytes are copied.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_set_result_csv(
    h: *mut PaygentModule,
    val: *const u8,
    vlen: usize,
) -> PaygentStatus {
    // SAFETY: forwarded caller contract.
    unsafe { set(h, val, vlen, Module::set_result_csv) }
}

/// `setSendFilePath`: file whose bytes become parameter `data`.
///
/// # Safety
/// `h` must be a live handle; `val` must point to `vlen` readable bytes (NULL allowed with
/// length 0).
///
/// Ownership: the bytes are copied.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_set_send_file_path(
    h: *mut PaygentModule,
    val: *const u8,
    vlen: usize,
) -> PaygentStatus {
    // SAFETY: forwarded caller contract.
    unsafe { set(h, val, vlen, Module::set_send_file_path) }
}

/// `setTimeout`: seconds, as written (checked at post time, E02001).
///
/// # Safety
/// `h` must be a live handle; `val` must point to `vlen` readable bytes (NULL allowed with
/// length 0).
///
/// Ownership: the bytes are copied.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_set_timeout(
    h: *mut PaygentModule,
    val: *const u8,
    vlen: usize,
) -> PaygentStatus {
    // SAFETY: forwarded caller contract.
    unsafe { set(h, val, vlen, Module::set_timeout) }
}

/// `setSelectMaxCnt`: default `limit_count` of reference kinds (checked at post time).
///
/// # Safety
/// `h` must be a live handle; `val` must point to `vlen` readable bytes (NULL allowed with
/// length 0).
///
/// Ownership: the bytes are copied.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_set_select_max_cnt(
    h: *mut PaygentModule,
    val: *const u8,
    vlen: usize,
) -> PaygentStatus {
    // SAFETY: forwarded caller contract.
    unsafe { set(h, val, vlen, Module::set_select_max_cnt) }
}

/// `setDefaultId`: default `connect_id`.
///
/// # Safety
/// `h` must be a live handle; `val` must point to `vlen` readable bytes (NULL allowed with
/// length 0).
///
/// Ownership: the bytes are copied.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_set_default_id(
    h: *mut PaygentModule,
    val: *const u8,
    vlen: usize,
) -> PaygentStatus {
    // SAFETY: forwarded caller contract.
    unsafe { set(h, val, vlen, Module::set_default_id) }
}

/// `setDefaultPassword`: default `connect_password`.
///
/// # Safety
/// `h` must be a live handle; `val` must point to `vlen` readable bytes (NULL allowed with
/// length 0).
///
/// Ownership: the bytes are copied.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_set_default_password(
    h: *mut PaygentModule,
    val: *const u8,
    vlen: usize,
) -> PaygentStatus {
    // SAFETY: forwarded caller contract.
    unsafe { set(h, val, vlen, Module::set_default_password) }
}

/// V3 `setEncoding`: `UTF-8`, `Shift_JIS` or `EUC-JP` (case-sensitive). Anything else returns
/// 1006 (E01006) and makes every later post fail with 1006.
///
/// # Safety
/// `h` must be a live handle; `val` must point to `vlen` readable bytes.
///
/// Ownership: the bytes are copied.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_set_encoding(
    h: *mut PaygentModule,
    val: *const u8,
    vlen: usize,
) -> PaygentStatus {
    panic::status(h, |m| {
        // SAFETY: caller contract above.
        let v = unsafe { input(val, vlen)? };
        m.module.set_encoding(v)
    })
}
