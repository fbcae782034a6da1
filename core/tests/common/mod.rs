//! Shared helpers for the reply integration tests: fixture bytes, SJIS/hex literals, and the
//! receive stage of `post()` (core's `pipeline::receive`) without the transport.

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
use paygent_core::pipeline::{self, Receive};
use paygent_core::reply::{Parsed, ReplyFormat};
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

/// What `post()` does after the reply arrived: core's receive stage (`pipeline::receive`), its
/// outcome split as the tests read it — the parse outcome and the result CSV's error.
pub fn receive(
    format: ReplyFormat,
    body: &[u8],
    result_csv: Option<&Path>,
    mode: CsvMode,
) -> (Parsed, Option<Error>) {
    let r = Receive {
        format,
        csv_mode: mode,
        result_csv: result_csv.map_or(&b""[..], |p| p.as_os_str().as_encoded_bytes()),
        deadline: None,
    };
    let got = pipeline::receive(body, &r).expect("no deadline: parsing cannot time out");
    let parsed = Parsed {
        reply: got.reply,
        error: got.parse_error,
    };
    (parsed, got.csv_error)
}
