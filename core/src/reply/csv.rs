//! CSVTokenizer (§6.4.2): byte-oriented, separator `,`, envelope `"` or none.

/// Split one line (no CRLF) into fields, exactly as the official tokenizer (compat mode).
/// `envelope` = `Some(b'"')` for reference replies, `None` for file payment.
pub fn tokenize(line: &[u8], envelope: Option<u8>) -> Vec<Vec<u8>> {
    let _ = (line, envelope);
    todo!("reply helper")
}
