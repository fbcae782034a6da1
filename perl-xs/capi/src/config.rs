//! Configuration from values: the Perl binding reads the `paygent.properties` variables and hands
//! them over by name; the core maps them to properties and validates (decisions.md 5).

use std::sync::Arc;

use paygent_core::Error;
use paygent_core::config::{Config, ConfigSource, perl};
use paygent_core::error::ErrorKind;

use crate::PaygentStatus;
use crate::bytes::{PaygentBytes, input, invalid};
use crate::handle::PaygentModule;
use crate::panic;

/// Set one `paygent.properties` variable by its Perl name, without sigil: `HTTPS_KEY_FILE`,
/// `HTTPS_CERT_FILE`, `HTTPS_CA_FILE`, `timeout_value`, `select_max_cnt`, `log_output_path`,
/// `Debug`, `merchant_id`, `telegram_ver`, `telegram_kind_ref`, … and `url.<prefix>` for each
/// `%url` entry. Setting a name again replaces its value. Takes effect at [`paygent_init`].
///
/// Returns 0, or 1901 for a NULL handle / NULL pointer with a non-zero length.
///
/// # Safety
/// `h` must be a live handle. `key`/`val` must point to `klen`/`vlen` readable bytes (NULL is
/// allowed when the length is 0).
///
/// Ownership: the bytes are copied; the caller keeps its buffers.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_config_set(
    h: *mut PaygentModule,
    key: *const u8,
    klen: usize,
    val: *const u8,
    vlen: usize,
) -> PaygentStatus {
    panic::status(h, |m| {
        // SAFETY: caller contract above.
        let (k, v) = unsafe { (input(key, klen)?, input(val, vlen)?) };
        if k.is_empty() {
            return Err(invalid("empty variable name"));
        }
        m.vars.put(k, v);
        Ok(())
    })
}

/// Forget every variable given by [`paygent_config_set`] and any [`paygent_config_fail`].
///
/// # Safety
/// `h` must be a live handle.
///
/// Ownership: nothing changes hands.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_config_reset(h: *mut PaygentModule) -> PaygentStatus {
    panic::status(h, |m| {
        m.vars = Default::default();
        m.config_failure = None;
        Ok(())
    })
}

/// Make the next [`paygent_init`] fail with `code`: 1001 (E01001, the properties file was not
/// found) or 1002 (E01002, it could not be loaded, e.g. a Perl syntax error). Any other code is
/// refused with 1901.
///
/// # Safety
/// `h` must be a live handle.
///
/// Ownership: nothing changes hands.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_config_fail(h: *mut PaygentModule, code: u32) -> PaygentStatus {
    panic::status(h, |m| {
        let kind = match code {
            c if c == crate::PaygentStatus::E01001 as u32 => ErrorKind::PropertiesNotFound,
            c if c == crate::PaygentStatus::E01002 as u32 => ErrorKind::PropertiesInvalid,
            _ => return Err(invalid("config failure code must be 1001 or 1002")),
        };
        m.config_failure = Some(Error::new(kind));
        Ok(())
    })
}

/// Build the configuration from the variables given so far and initialise the object
/// (`init()` of protocol.md §1.4). Returns 0, 1001, 1002 (or 1901). Parameters, result CSV, send
/// file path and the previous reply persist.
///
/// # Safety
/// `h` must be a live handle.
///
/// Ownership: nothing changes hands.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paygent_init(h: *mut PaygentModule) -> PaygentStatus {
    panic::status(h, |m| {
        let source = match &m.config_failure {
            Some(e) => ConfigSource::Failed(e.clone()),
            None => {
                let vars: Vec<(Vec<u8>, Vec<u8>)> = m
                    .vars
                    .iter()
                    .map(|(k, v)| (k.to_vec(), v.to_vec()))
                    .collect();
                let props = perl::properties_from_perl_vars(&vars);
                match Config::from_properties(&props, true) {
                    Ok(c) => ConfigSource::Ready(Arc::new(c)),
                    Err(e) => ConfigSource::Failed(e),
                }
            }
        };
        m.replace_source(source);
        m.module.init()
    })
}

/// How many `paygent.properties` variables the core knows (the table the binding reads by
/// name; `%url` entries come in addition as `url.<prefix>`).
///
/// # Safety
/// Always safe to call.
#[unsafe(no_mangle)]
pub extern "C" fn paygent_perl_variable_count() -> usize {
    perl::PERL_VARIABLES.len()
}

/// The Perl name (without sigil) of variable `i` of the core's table; null bytes
/// (`is_null`) past the end.
///
/// # Safety
/// Always safe to call.
///
/// Ownership: the bytes are static; never free them.
#[unsafe(no_mangle)]
pub extern "C" fn paygent_perl_variable_name(i: usize) -> PaygentBytes {
    PaygentBytes::of_opt(perl::PERL_VARIABLES.get(i).map(|v| v.name.as_bytes()))
}

/// The `paygentB2Bmodule.<key>` (without the prefix) that variable `i` sets; null bytes past
/// the end.
///
/// # Safety
/// Always safe to call.
///
/// Ownership: the bytes are static; never free them.
#[unsafe(no_mangle)]
pub extern "C" fn paygent_perl_variable_key(i: usize) -> PaygentBytes {
    PaygentBytes::of_opt(perl::PERL_VARIABLES.get(i).map(|v| v.key.as_bytes()))
}

/// Whether variable `i` falls back to the `%ENV` entry of the same name when undefined (the
/// manual's mod_perl recipe); false past the end.
///
/// # Safety
/// Always safe to call.
#[unsafe(no_mangle)]
pub extern "C" fn paygent_perl_variable_env_fallback(i: usize) -> bool {
    perl::PERL_VARIABLES.get(i).is_some_and(|v| v.env_fallback)
}

#[cfg(test)]
#[allow(
    clippy::undocumented_unsafe_blocks,
    reason = "tests call the C ABI with handles and buffers they made themselves"
)]
mod tests {
    use super::*;
    use crate::handle::{paygent_free, paygent_new};
    use crate::request::{paygent_req_get, paygent_req_put, paygent_set_result_csv};
    use crate::{PAYGENT_DIALECT_PERL, PaygentStatus};

    fn set(h: *mut PaygentModule, k: &str, v: &str) -> PaygentStatus {
        unsafe { paygent_config_set(h, k.as_ptr(), k.len(), v.as_ptr(), v.len()) }
    }

    fn configured(h: *mut PaygentModule) {
        for (k, v) in [
            ("HTTPS_CERT_FILE", "/x/client.crt"),
            ("HTTPS_KEY_FILE", "/x/client.key"),
            ("HTTPS_CA_FILE", "/x/ca.pem"),
            ("url.02", "https://127.0.0.1:1/n/card/request"),
        ] {
            assert_eq!(set(h, k, v), 0);
        }
    }

    #[test]
    fn perl_variables_configure_and_reinit_keeps_parameters() {
        let h = paygent_new(PAYGENT_DIALECT_PERL);
        configured(h);
        assert_eq!(unsafe { paygent_init(h) }, 0);
        let cfg = unsafe { &*h }.module.config().cloned();
        assert_eq!(
            cfg.as_ref().map(|c| c.timeout_value.clone()),
            Some(b"35".to_vec())
        );
        assert_eq!(
            cfg.map(|c| c.client_key_file_path),
            Some(b"/x/client.key".to_vec())
        );
        unsafe {
            assert_eq!(paygent_req_put(h, b"k".as_ptr(), 1, b"v".as_ptr(), 1), 0);
            assert_eq!(paygent_set_result_csv(h, b"/tmp/r.csv".as_ptr(), 10), 0);
        }
        assert_eq!(set(h, "timeout_value", "7"), 0);
        assert_eq!(unsafe { paygent_init(h) }, 0);
        let m = &unsafe { &*h }.module;
        assert_eq!(m.instance().timeout, b"7");
        assert_eq!(m.instance().result_csv, b"/tmp/r.csv");
        let v = unsafe { paygent_req_get(h, b"k".as_ptr(), 1) };
        assert!(!v.is_null && v.len == 1);
        unsafe { paygent_free(h) };
    }

    #[test]
    fn missing_ca_is_e01002_and_bad_names_are_refused() {
        let h = paygent_new(PAYGENT_DIALECT_PERL);
        configured(h);
        assert_eq!(set(h, "", "x"), PaygentStatus::E01901);
        assert_eq!(unsafe { paygent_config_reset(h) }, 0);
        assert_eq!(set(h, "HTTPS_CERT_FILE", "/x/client.crt"), 0);
        assert_eq!(unsafe { paygent_init(h) }, PaygentStatus::E01002);
        assert_eq!(
            unsafe { &*h }.last_error_message(),
            b"E01002: Properties file contains inappropriate value."
        );
        unsafe { paygent_free(h) };
    }
}
