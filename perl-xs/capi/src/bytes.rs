//! Bytes across the boundary: borrowed input slices and the returned [`PaygentBytes`] view.

use paygent_core::Error;
use paygent_core::error::ErrorKind;

/// A borrowed byte string returned by a getter: `len` bytes at `ptr`, not NUL-terminated.
///
/// Ownership: the bytes belong to the handle (or are static); the caller must not free them.
/// They stay valid until the next call on the same handle that is not a getter. `is_null` is
/// true when the value does not exist (PHP `null`, Perl `undef`); `ptr` is then NULL and `len` 0.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct PaygentBytes {
    pub ptr: *const u8,
    pub len: usize,
    pub is_null: bool,
}

impl PaygentBytes {
    pub(crate) const NULL: Self = Self {
        ptr: std::ptr::null(),
        len: 0,
        is_null: true,
    };

    pub(crate) fn of(b: &[u8]) -> Self {
        Self {
            ptr: b.as_ptr(),
            len: b.len(),
            is_null: false,
        }
    }

    pub(crate) fn of_opt(b: Option<&[u8]>) -> Self {
        b.map_or(Self::NULL, Self::of)
    }
}

/// View the caller's `(ptr, len)` as a slice. NULL with `len == 0` is the empty string.
///
/// # Safety
/// When `len > 0`, `ptr` must point to `len` readable bytes that stay unchanged for `'a`.
pub(crate) unsafe fn input<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], Error> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(invalid("NULL pointer with a non-zero length"));
    }
    if len > isize::MAX as usize {
        return Err(invalid("length out of range"));
    }
    // SAFETY: non-null, length bounded, validity promised by the caller.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// E01901 for a bad argument from C.
pub(crate) fn invalid(what: &str) -> Error {
    Error::new(ErrorKind::Internal(format!("invalid argument: {what}")))
}

#[cfg(test)]
#[allow(
    clippy::undocumented_unsafe_blocks,
    reason = "tests call the C ABI with handles and buffers they made themselves"
)]
mod tests {
    use super::*;

    #[test]
    fn null_with_zero_length_is_empty_and_with_length_is_an_error() {
        assert_eq!(unsafe { input(std::ptr::null(), 0) }.ok(), Some(&b""[..]));
        let e = unsafe { input(std::ptr::null(), 3) }.err();
        assert_eq!(e.map(|e| e.code as u32), Some(1901));
        let data = b"abc";
        assert_eq!(unsafe { input(data.as_ptr(), 2) }.ok(), Some(&b"ab"[..]));
    }

    #[test]
    fn views_mark_null() {
        assert!(PaygentBytes::of_opt(None).is_null);
        let v = PaygentBytes::of(b"");
        assert!(!v.is_null && !v.ptr.is_null() && v.len == 0);
    }
}
