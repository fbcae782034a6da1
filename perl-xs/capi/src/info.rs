//! The installation report of `Paygent::B2B->info` (core's `info::report`).

use crate::handle::PaygentModule;
use crate::panic;

/// The installation report for this handle's loaded configuration: `key\tvalue\n` lines (keys
/// `version`, `tls_backend`, `openssl`, `session_cache`, `log_file`, `debug`). Copies at most
/// `cap` bytes to `out` and returns the report's full length: call again with a larger buffer
/// when that exceeds `cap`. Returns 0 for a NULL handle.
///
/// # Safety
/// `h` must be a live handle or NULL; `out` must point to `cap` writable bytes (NULL when `cap`
/// is 0).
///
/// Ownership: the bytes are copied into the caller's buffer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_info(h: *const PaygentModule, out: *mut u8, cap: usize) -> usize {
    panic::get(h, 0, |m| {
        let mut text = Vec::new();
        for r in paygent_core::info::report(m.module.config()) {
            text.extend_from_slice(r.key.as_bytes());
            text.push(b'\t');
            text.extend(r.value.bytes().map(|b| if b == b'\n' { b' ' } else { b }));
            text.push(b'\n');
        }
        if !out.is_null() {
            let n = text.len().min(cap);
            // SAFETY: caller contract: `out` has `cap` writable bytes; n <= cap.
            unsafe { std::ptr::copy_nonoverlapping(text.as_ptr(), out, n) };
        }
        text.len()
    })
}
