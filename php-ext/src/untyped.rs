//! The official methods declare no return types, and merchants subclass `PaygentB2BModule`
//! overriding e.g. `post()` without one. ext-php-rs declares `: mixed` on every method, which
//! would make such a subclass a fatal error ("must be compatible"). After registration we clear
//! the has-return-type flag of our methods, so they are untyped as in the original.

use ext_php_rs::class::RegisteredClass;
use ext_php_rs::ffi::{ZEND_ACC_HAS_RETURN_TYPE, zend_function};

pub fn clear_return_types<T: RegisteredClass>() {
    let meta = T::get_metadata();
    if !meta.has_ce() {
        return;
    }
    let ce = meta.ce();
    for zv in ce.function_table.values() {
        // SAFETY: a class function table holds `zend_function` pointers; it is ours, fully
        // registered, and nothing else runs during post-startup.
        unsafe {
            if let Some(f) = zv.ptr::<zend_function>().filter(|f| !f.is_null()) {
                (*f).common.fn_flags &= !ZEND_ACC_HAS_RETURN_TYPE;
            }
        }
    }
}
