//! The `modenv_properties.php` line format (§3.1) and the validation of §3.3.

use super::Config;
use crate::error::Error;
use crate::params::Params;

/// Parse properties text (§3.1 steps 1–7). `escape_truncation` applies step 3 (compat only).
pub fn parse(text: &[u8], escape_truncation: bool) -> Params {
    let _ = (text, escape_truncation);
    todo!("config helper")
}

/// §3.3 validation, then the typed [`Config`] (defaults of §3.3 and of the re-impl keys).
pub fn validate(props: &Params, fallback_to_shipped_urls: bool) -> Result<Config, Error> {
    let _ = (props, fallback_to_shipped_urls);
    todo!("config helper")
}
