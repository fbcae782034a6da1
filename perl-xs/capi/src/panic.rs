//! The panic boundary: every `extern "C"` body runs through [`status`], [`get`] or
//! [`free_standing`], so no panic unwinds into C (undefined behaviour) and none kills the host.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

use paygent_core::Error;

use crate::PaygentStatus;
use crate::handle::PaygentModule;

/// Run a status-returning operation on a handle: `0` on success, else the error number, which
/// is also kept as the handle's last error. A caught panic is E01901.
pub(crate) fn status(
    h: *mut PaygentModule,
    f: impl FnOnce(&mut PaygentModule) -> Result<(), Error>,
) -> PaygentStatus {
    if h.is_null() {
        return PaygentStatus::E01901;
    }
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the caller promises a live handle from `paygent_new`, used by one thread.
        let m = unsafe { &mut *h };
        m.begin_call();
        let r = f(m);
        m.collect_warnings();
        r
    }));
    let err = match outcome {
        Ok(Ok(())) => return PaygentStatus::Ok,
        Ok(Err(e)) => e,
        Err(payload) => internal(payload.as_ref()),
    };
    let code = PaygentStatus::from(err.code);
    // Recording cannot panic in practice; if it does, the status still reaches C.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: as above; the closure's borrow has ended.
        unsafe { &mut *h }.fail(err)
    }));
    code
}

/// Run a read-only getter; `default` on a NULL handle or a panic.
pub(crate) fn get<T>(
    h: *const PaygentModule,
    default: T,
    f: impl FnOnce(&PaygentModule) -> T,
) -> T {
    if h.is_null() {
        return default;
    }
    // SAFETY: the caller promises a live handle from `paygent_new`.
    catch_unwind(AssertUnwindSafe(|| f(unsafe { &*h }))).unwrap_or(default)
}

/// Run a function that needs no handle.
pub(crate) fn free_standing<T>(default: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(default)
}

/// A panic payload as E01901.
pub(crate) fn internal(payload: &(dyn Any + Send)) -> Error {
    paygent_core::boundary::panic_error(payload)
}

/// Silence the default panic message (core::boundary).
pub(crate) fn quiet_panics() {
    paygent_core::boundary::install_quiet_panic_hook();
}

#[cfg(test)]
#[allow(
    clippy::undocumented_unsafe_blocks,
    reason = "tests call the C ABI with handles and buffers they made themselves"
)]
mod tests {
    use super::*;
    use crate::handle::{paygent_free, paygent_new};
    use crate::{PAYGENT_DIALECT_PERL, error::paygent_last_error_code};

    #[test]
    #[allow(clippy::panic, reason = "the panic the boundary must catch")]
    fn a_panic_becomes_e01901_and_is_recorded() {
        let h = paygent_new(PAYGENT_DIALECT_PERL);
        assert!(!h.is_null());
        let st = status(h, |_| panic!("boom"));
        assert_eq!(st, 1901);
        assert_eq!(unsafe { paygent_last_error_code(h) }, 1901);
        let msg = unsafe { &*h }.last_error_message().to_vec();
        assert_eq!(msg, b"E01901: internal error: boom");
        // The handle stays usable.
        assert_eq!(status(h, |_| Ok(())), 0);
        assert_eq!(unsafe { paygent_last_error_code(h) }, 0);
        unsafe { paygent_free(h) };
    }

    #[test]
    fn null_handles_are_refused() {
        assert_eq!(status(std::ptr::null_mut(), |_| Ok(())), 1901);
        assert_eq!(get(std::ptr::null(), 7, |_| 1), 7);
    }
}
