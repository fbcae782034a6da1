//! The Perl `paygent.properties` variables (protocol.md §2, decisions.md 5) as properties keys.

use crate::params::Params;

/// Map `(perl variable name, value)` pairs (e.g. `HTTPS_CERT_FILE`, `url.02`) to the
/// `paygentB2Bmodule.*` properties the validation understands.
pub fn properties_from_perl_vars(vars: &[(Vec<u8>, Vec<u8>)]) -> Params {
    let _ = vars;
    todo!("config helper")
}
