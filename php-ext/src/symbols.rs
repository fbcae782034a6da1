//! Zend symbols ext-php-rs does not bind, resolved with `dlsym` at run time: linking them
//! directly would make the `.so` unloadable by `cargo php stubs` (toolchain.md, "Stubs").

use std::ffi::CStr;

/// The address of `name` in the running PHP as `T` (a function pointer or a pointer to a
/// global), or `None` when PHP does not export it.
///
/// # Safety
///
/// `T` must be the symbol's real type: the C signature of the function (with its ABI) or a
/// pointer to the global's type. Calling or dereferencing a `T` of another type is undefined
/// behaviour; the size check below catches only a `T` that is not pointer-sized.
pub unsafe fn lookup<T: Copy>(name: &CStr) -> Option<T> {
    const { assert!(size_of::<T>() == size_of::<*mut libc::c_void>()) };
    // SAFETY: dlsym only reads the NUL-terminated name; RTLD_DEFAULT searches the process.
    let ptr = unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) };
    if ptr.is_null() {
        return None;
    }
    // SAFETY: T is pointer-sized (checked above); the caller names the symbol's real type.
    Some(unsafe { std::mem::transmute_copy::<*mut libc::c_void, T>(&ptr) })
}
