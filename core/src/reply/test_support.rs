//! Helpers shared by the parsers' unit tests: records as comparable text pairs.

use crate::params::Record;

/// A record's entries, in order, as lossy text.
pub fn entries(r: &Record) -> Vec<(String, String)> {
    r.iter()
        .map(|(k, v)| {
            (
                String::from_utf8_lossy(k).into(),
                String::from_utf8_lossy(v).into(),
            )
        })
        .collect()
}

/// Expected entries, in order.
pub fn kv(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
