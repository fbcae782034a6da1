//! Calling PHP functions from Rust (`trigger_error`, `ini_get`, `stream_resolve_include_path`…),
//! so user error handlers, stream wrappers and include_path rules apply exactly as in PHP.

use ext_php_rs::convert::IntoZvalDyn;
use ext_php_rs::types::{ZendCallable, Zval};

/// `name(args…)`; `None` when the function is missing, failed, or left an exception pending.
pub fn call(name: &str, args: Vec<&dyn IntoZvalDyn>) -> Option<Zval> {
    ZendCallable::try_from_name(name).ok()?.try_call(args).ok()
}
