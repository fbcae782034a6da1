//! Half-width kana conversion of the `…_kana` parameters (§4.5), table implemented directly.

/// Keys (compared lower-cased) whose values are converted.
pub const KANA_KEYS: [&str; 5] = [
    "customer_family_name_kana",
    "customer_name_kana",
    "payment_detail_kana",
    "claim_kana",
    "receipt_name_kana",
];

/// Convert full-width katakana and the listed punctuation in Windows-31J bytes to half-width.
pub fn to_half_width_sjis(value: &[u8]) -> Vec<u8> {
    let _ = value;
    todo!("request helper")
}

/// The same for UTF-8 bytes (caller encoding UTF-8, §11).
pub fn to_half_width_utf8(value: &[u8]) -> Vec<u8> {
    let _ = value;
    todo!("request helper")
}
