//! PHP `urlencode()` and the form body (§4.8).

use crate::params::Params;

/// PHP `urlencode`: `A–Z a–z 0–9 - _ .` kept, space → `+`, everything else `%XX` upper-case.
pub fn urlencode_into(out: &mut Vec<u8>, b: &[u8]) {
    let _ = (out, b);
    todo!("request helper")
}

/// `k1=v1&k2=v2…` in parameter order.
pub fn encode(params: &Params) -> Vec<u8> {
    let _ = params;
    todo!("request helper")
}
