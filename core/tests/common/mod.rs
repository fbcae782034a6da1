//! Shared helpers for the reply integration tests: fixture bytes, SJIS/hex literals, and the
//! parse + result-CSV steps of `post()` (module.rs) without the transport.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]
#![allow(
    dead_code,
    reason = "each test binary uses a part of the shared helpers"
)]

use std::path::{Path, PathBuf};

use paygent_core::config::CsvMode;
use paygent_core::reply::{self, Parsed, ReplyFormat, result_csv};
use paygent_core::{Error, Record};

pub fn fixtures_dir() -> PathBuf {
    paygent_cases::fixtures_dir()
}

pub fn fixture(name: &str) -> Vec<u8> {
    paygent_cases::fixture(name).unwrap()
}

/// Windows-31J bytes of `s`.
pub fn sjis(s: &str) -> Vec<u8> {
    let (b, _, unmappable) = encoding_rs::SHIFT_JIS.encode(s);
    assert!(!unmappable, "{s}");
    b.into_owned()
}

/// Bytes from space-separated hex.
pub fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace()
        .map(|h| u8::from_str_radix(h, 16).unwrap())
        .collect()
}

/// A record as (key, value) byte pairs in order.
pub fn entries(r: &Record) -> Vec<(Vec<u8>, Vec<u8>)> {
    r.iter().map(|(k, v)| (k.to_vec(), v.to_vec())).collect()
}

pub fn rec(pairs: &[(&str, &[u8])]) -> Vec<(Vec<u8>, Vec<u8>)> {
    pairs
        .iter()
        .map(|(k, v)| (k.as_bytes().to_vec(), v.to_vec()))
        .collect()
}

/// A fresh empty scratch directory for one test, removed when the returned value is dropped.
pub fn temp_dir(tag: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("paygent-{tag}-"))
        .tempdir()
        .unwrap()
}

/// What `post()` does after the reply arrived: parse fully or result-only (§6.2), then write
/// the result CSV when one is set, the parse succeeded and §6.6 says so.
pub fn receive(
    format: ReplyFormat,
    body: &[u8],
    result_csv: Option<&Path>,
    mode: CsvMode,
) -> (Parsed, Option<Error>) {
    let full = match format {
        ReplyFormat::Payment => true,
        ReplyFormat::Reference => result_csv.is_none(),
        ReplyFormat::FilePayment => false,
    };
    let parsed = reply::parse(format, body, full, mode);
    let mut csv_error = None;
    if let Some(path) = result_csv {
        if parsed.error.is_none() && result_csv::should_write(format, &parsed.reply) {
            csv_error = result_csv::write(path, format, body).err();
        }
    }
    (parsed, csv_error)
}
