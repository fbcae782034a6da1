//! FilePaymentResponseDataImpl: kind 201, result-only, no quote character (§6.5).

use super::Parsed;

pub fn parse(body: &[u8]) -> Parsed {
    let _ = body;
    todo!("reply helper")
}
