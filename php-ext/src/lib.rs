//! PHP extension `paygent`: a drop-in `PaygentB2BModule` over `paygent-core`.
//!
//! One file per concern: [`class`] (the module object), [`exceptions`] (error holders),
//! [`constants`] (global `define()`s), [`ini`] + [`discover`] (where the properties file is),
//! [`warnings`] (`trigger_error`), [`args`] (PHP values ↔ bytes), [`panic`] (the boundary),
//! [`alias`] (composer class names), [`info`] (`phpinfo()`).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod alias;
mod args;
mod call;
mod class;
mod constants;
mod discover;
mod exceptions;
mod info;
mod ini;
mod panic;
mod symbols;
mod untyped;
mod warnings;

use ext_php_rs::prelude::*;

/// MINIT, before ext-php-rs registers classes and constants.
fn startup(_ty: i32, module_number: i32) -> i32 {
    panic::install_hook();
    ini::register(module_number);
    alias::install();
    0
}

/// RSHUTDOWN: close pooled connections that passed their idle limit or that the gateway closed,
/// so that a php-fpm / mod_php worker does not keep them in CLOSE-WAIT until its next telegram.
unsafe extern "C" fn request_shutdown(_ty: i32, _module_number: i32) -> i32 {
    let _ = panic::guard(paygent_core::transport::close_stale);
    0
}

#[php_module]
#[php(startup = "startup")]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    let module = module
        .name("paygent")
        .request_shutdown_function(request_shutdown)
        .version(paygent_core::VERSION)
        .info_function(info::info)
        .class::<class::PaygentB2BModule>()
        .class::<exceptions::PaygentB2BModuleException>()
        .class::<exceptions::PaygentB2BModuleConnectException>();
    constants::register(module)
}
