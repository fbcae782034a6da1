//! paygent-core: the PAYGENT connection module's protocol in pure Rust.
//!
//! Nothing here knows about PHP, Perl or C. The bindings (`php-ext`, `perl-xs/capi`) drive a
//! [`Module`], the same object model as the official `PaygentB2BModule`: parameters persist on
//! the object, `post()` runs the telegram pipeline of protocol.md §4–§6, getters read the reply.
//!
//! Every payment value is bytes (normally Windows-31J); nothing is decoded unless the caller
//! asked for a charset conversion (protocol.md §4.7, decisions.md 13).

#![warn(missing_docs)]

pub mod boundary;
pub mod charset;
pub mod config;
pub mod confirm;
pub mod error;
pub mod info;
pub mod journal;
pub mod log;
pub mod module;
pub mod notice;
pub mod params;
pub mod php;
pub mod ping;
pub mod pipeline;
pub mod reply;
pub mod request;
pub mod telegram;
pub mod transport;
pub mod wire;

pub use error::Dialect;
pub use error::{Error, ErrorCode, Warning};
pub use module::Module;
pub use params::{Params, Record};

/// Version of this implementation, shown by `phpinfo()` and `$Paygent::B2B::VERSION`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
