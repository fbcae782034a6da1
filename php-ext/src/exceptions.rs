//! The two error-holder classes of the official module (protocol.md §1.3): never thrown by the
//! module, kept for code that builds them. Plain classes, as in the original (not Throwable);
//! `new`-able because they have a constructor.

use ext_php_rs::prelude::*;
use ext_php_rs::types::Zval;

use crate::args::{opt_bytes_zval, value_bytes};
use crate::panic::guard;

fn code_of(err_code: &Zval) -> Option<Vec<u8>> {
    if err_code.dereference().is_null() {
        return None;
    }
    guard(|| value_bytes(err_code).ok()).ok().flatten()
}

macro_rules! holder {
    ($ty:ident, $name:literal) => {
        #[php_class]
        #[php(name = $name)]
        pub struct $ty {
            error_code: Option<Vec<u8>>,
        }

        #[php_impl]
        impl $ty {
            /// `($errCode, $msg = null)`; `$msg` is ignored, as in the original.
            pub fn __construct(err_code: &Zval, msg: Option<&Zval>) -> Self {
                let _ = msg;
                Self {
                    error_code: code_of(err_code),
                }
            }

            pub fn get_error_code(&self) -> Zval {
                opt_bytes_zval(self.error_code.as_deref())
            }

            /// Empty in the original: returns `null`.
            pub fn get_localized_message(&self) -> Zval {
                Zval::null()
            }

            /// `$e->errorCode` (read-only).
            #[php(getter, name = "errorCode")]
            pub fn prop_error_code(&self) -> Zval {
                opt_bytes_zval(self.error_code.as_deref())
            }
        }
    };
}

holder!(PaygentB2BModuleException, "PaygentB2BModuleException");
holder!(
    PaygentB2BModuleConnectException,
    "PaygentB2BModuleConnectException"
);
