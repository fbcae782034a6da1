//! Composer names as class aliases (decisions.md 1): `PaygentModule\System\PaygentB2BModule` is
//! the same class as `PaygentB2BModule`. ext-php-rs has no alias API and our MINIT runs before
//! the classes exist, so we chain PHP's one-shot `zend_post_startup_cb` (run after every MINIT)
//! and call `zend_register_class_alias_ex` there (toolchain.md, "Class alias").

use std::ffi::{c_char, c_int};
use std::sync::OnceLock;

use ext_php_rs::class::RegisteredClass;
use ext_php_rs::ffi::zend_class_entry;

use crate::class::PaygentB2BModule;
use crate::exceptions::{PaygentB2BModuleConnectException, PaygentB2BModuleException};
use crate::symbols::lookup;

type PostStartup = Option<unsafe extern "C" fn() -> c_int>;
type RegisterAlias =
    unsafe extern "C" fn(*const c_char, usize, *mut zend_class_entry, bool) -> c_int;

const SUCCESS: c_int = 0;
const FAILURE: c_int = -1;

/// The callback that was installed before ours (e.g. opcache's), called first.
static PREVIOUS: OnceLock<PostStartup> = OnceLock::new();

/// Chain our hook into `zend_post_startup_cb`. Called from MINIT.
pub fn install() {
    // SAFETY: PHP declares `zend_result (*zend_post_startup_cb)(void)`: its address is a
    // `*mut PostStartup`.
    let Some(slot) = (unsafe { lookup::<*mut PostStartup>(c"zend_post_startup_cb") }) else {
        return;
    };
    // SAFETY: `slot` is the address of PHP's global `zend_result (*zend_post_startup_cb)(void)`;
    // MINIT runs single-threaded, before PHP reads it.
    unsafe {
        if PREVIOUS.set(*slot).is_ok() {
            *slot = Some(post_startup);
        }
    }
}

unsafe extern "C" fn post_startup() -> c_int {
    if let Some(Some(previous)) = PREVIOUS.get() {
        // SAFETY: the engine's own callback, called as the engine would have.
        if unsafe { previous() } != SUCCESS {
            return FAILURE;
        }
    }
    // A panic must not unwind into C; a missing alias is not worth failing PHP's startup.
    let _ = crate::panic::guard(register_all);
    let _ = crate::panic::guard(|| {
        crate::untyped::clear_return_types::<PaygentB2BModule>();
        crate::untyped::clear_return_types::<PaygentB2BModuleException>();
        crate::untyped::clear_return_types::<PaygentB2BModuleConnectException>();
    });
    SUCCESS
}

fn register_all() {
    // SAFETY: RegisterAlias is the C signature of `zend_register_class_alias_ex` (PHP 8).
    let Some(register) = (unsafe { lookup::<RegisterAlias>(c"zend_register_class_alias_ex") })
    else {
        return;
    };
    alias::<PaygentB2BModule>(register, "PaygentModule\\System\\PaygentB2BModule");
    alias::<PaygentB2BModuleException>(
        register,
        "PaygentModule\\Exception\\PaygentB2BModuleException",
    );
    alias::<PaygentB2BModuleConnectException>(
        register,
        "PaygentModule\\Exception\\PaygentB2BModuleConnectException",
    );
}

fn alias<T: RegisteredClass>(register: RegisterAlias, name: &str) {
    let meta = T::get_metadata();
    if !meta.has_ce() {
        return;
    }
    let ce: *const zend_class_entry = meta.ce();
    // SAFETY: the engine copies (and lower-cases) the name; `ce` is our registered class, alive
    // for the whole process. `persistent = true`: the alias lives as long as the class.
    unsafe {
        register(name.as_ptr().cast(), name.len(), ce.cast_mut(), true);
    }
}
