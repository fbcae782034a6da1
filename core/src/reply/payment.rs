//! PaymentResponseDataImpl: `key=value` CRLF lines with the `_html` rule (§6.3).

use super::Parsed;

pub fn parse(body: &[u8], full: bool) -> Parsed {
    let _ = (body, full);
    todo!("reply helper")
}
