//! The opaque handle: one connection-module object plus what the C side reads back (last error,
//! warnings of the last call, the configuration variables given so far).

use crate::PaygentStatus;
use paygent_core::config::ConfigSource;
use paygent_core::error::ErrorKind;
use paygent_core::{Dialect, Error, Module, Params};

use crate::bytes::PaygentBytes;
use crate::panic;
use crate::{PAYGENT_DIALECT_PERL, PAYGENT_DIALECT_PHP};

/// One connection-module object (`Paygent::B2B`, `PaygentB2BModule`). Opaque to C.
pub struct PaygentModule {
    pub(crate) module: Module,
    /// `paygent.properties` variables by Perl name (`HTTPS_CERT_FILE`, `url.02`, …).
    pub(crate) vars: Params,
    /// Set by `paygent_config_fail`: the next `paygent_init` reports this instead.
    pub(crate) config_failure: Option<Error>,
    last_error: Option<Error>,
    last_message: Vec<u8>,
    warnings: Vec<Vec<u8>>,
    /// The answer of the last `paygent_confirm`.
    pub(crate) confirmation: Option<paygent_core::confirm::Confirmation>,
}

impl PaygentModule {
    fn new(dialect: Dialect) -> Self {
        Self {
            module: Module::new(dialect, unconfigured()),
            vars: Params::new(),
            config_failure: None,
            last_error: None,
            last_message: Vec::new(),
            warnings: Vec::new(),
            confirmation: None,
        }
    }

    /// Start of every status call: the last error and warnings describe this call only.
    pub(crate) fn begin_call(&mut self) {
        self.last_error = None;
        self.last_message.clear();
        self.warnings.clear();
    }

    /// Keep the warnings the core raised during this call.
    pub(crate) fn collect_warnings(&mut self) {
        self.warnings
            .extend(self.module.take_warnings().into_iter().map(|w| w.text));
    }

    /// Record a failed call: its error and message. The message is the `getResultMessage()`
    /// wording (§5.4) when that describes the error (`E02005: 7: …`); where §5.4 shows the
    /// reply's `<code>: <detail>` instead (parse and CSV errors), the warning text, so the
    /// message always starts with the error code.
    pub(crate) fn fail(&mut self, e: Error) {
        self.collect_warnings();
        let dialect = self.module.dialect();
        self.last_message = e
            .result_message(dialect)
            .unwrap_or_else(|| e.warning_text(dialect));
        self.last_error = Some(e);
    }

    pub(crate) fn last_error_code(&self) -> PaygentStatus {
        self.last_error
            .as_ref()
            .map_or(PaygentStatus::Ok, |e| PaygentStatus::from(e.code))
    }

    pub(crate) fn last_error_message(&self) -> &[u8] {
        &self.last_message
    }

    pub(crate) fn warnings(&self) -> &[Vec<u8>] {
        &self.warnings
    }

    /// Give the module a new configuration source. The core fixes the source at construction,
    /// so the module is rebuilt; parameters and per-object paths/encoding carry over. The last
    /// reply does not (a re-init through the C ABI forgets it).
    /// A new configuration for `paygent_init`; parameters, settings and the last reply stay on
    /// the object, as `init()` leaves them in the official module.
    pub(crate) fn replace_source(&mut self, source: ConfigSource) {
        self.module.set_source(source);
    }
}

/// Before `paygent_init`: posting reports E01001 as the official module does without a file.
fn unconfigured() -> ConfigSource {
    ConfigSource::Failed(Error::new(ErrorKind::PropertiesNotFound))
}

/// Create a module object. `dialect` is [`PAYGENT_DIALECT_PHP`] or [`PAYGENT_DIALECT_PERL`]
/// (which official module's message texts to use).
///
/// Returns NULL for an unknown dialect (or if allocation panicked).
///
/// # Safety
/// Always safe to call.
///
/// Ownership: the caller owns the returned handle and must release it with exactly one
/// [`paygent_free`].
#[unsafe(no_mangle)]
pub extern "C" fn paygent_new(dialect: u32) -> *mut PaygentModule {
    panic::quiet_panics();
    panic::free_standing(std::ptr::null_mut(), || {
        let d = match dialect {
            PAYGENT_DIALECT_PHP => Dialect::Php,
            PAYGENT_DIALECT_PERL => Dialect::Perl,
            _ => return std::ptr::null_mut(),
        };
        Box::into_raw(Box::new(PaygentModule::new(d)))
    })
}

/// Destroy a module object. NULL is ignored.
///
/// # Safety
/// `h` must be NULL or a handle from [`paygent_new`] not yet freed; it must not be used after.
///
/// Ownership: takes back the handle and every byte string borrowed from it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_free(h: *mut PaygentModule) {
    if h.is_null() {
        return;
    }
    panic::free_standing((), || {
        // SAFETY: allocated by `paygent_new` with `Box::into_raw`, freed once (caller contract).
        drop(unsafe { Box::from_raw(h) });
    });
}

/// The implementation version, e.g. `0.1.0`.
///
/// # Safety
/// Always safe to call.
///
/// Ownership: the bytes are static; never free them.
#[unsafe(no_mangle)]
pub extern "C" fn paygent_version() -> PaygentBytes {
    PaygentBytes::of(paygent_core::VERSION.as_bytes())
}

#[cfg(test)]
#[allow(
    clippy::undocumented_unsafe_blocks,
    reason = "tests call the C ABI with handles and buffers they made themselves"
)]
mod tests {
    use super::*;

    #[test]
    fn unknown_dialect_gives_null_and_free_accepts_null() {
        assert!(paygent_new(7).is_null());
        unsafe { paygent_free(std::ptr::null_mut()) };
        let h = paygent_new(PAYGENT_DIALECT_PHP);
        assert!(!h.is_null());
        unsafe { paygent_free(h) };
    }

    #[test]
    fn version_is_the_core_version() {
        let v = paygent_version();
        let s = unsafe { std::slice::from_raw_parts(v.ptr, v.len) };
        assert_eq!(s, paygent_core::VERSION.as_bytes());
    }
}
