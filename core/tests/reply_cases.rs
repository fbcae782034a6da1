//! Self-check of the conformance cases `tests/conformance/cases/reply-*.json` at the parser
//! level: the reply body goes through `reply::parse` and the result-CSV step exactly as `post()`
//! does after a 200 reply, and the case's `expect` must hold. (The full run through the module
//! and the gateway simulator is the shared conformance harness.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;
use paygent_core::config::{Config, CsvMode};
use paygent_core::error::ErrorKind;
use paygent_core::reply::ReplyFormat;
use paygent_core::{Dialect, Error};
use serde_json::Value;

/// A byte value of the case format; `{tmp}` in a string is the scratch directory.
fn bytes(v: &Value, tmp: &Path) -> Vec<u8> {
    match v {
        Value::String(s) => s.replace("{tmp}", &tmp.to_string_lossy()).into_bytes(),
        other => paygent_cases::bytes(other, &paygent_cases::tests_dir()).unwrap(),
    }
}

/// The kind's reply format as the module picks it with the shipped `telegram_kind.ref=027,090`
/// (core's table of kinds).
fn format_for(kind: &str) -> ReplyFormat {
    let shipped = Config {
        telegram_kind_ref: vec![b"027".to_vec(), b"090".to_vec()],
        ..Config::default()
    };
    ReplyFormat::for_kind(kind.as_bytes(), &shipped)
}

fn warnings_of(parse: &Option<Error>, csv: &Option<Error>, csv_path: &[u8]) -> Vec<Vec<u8>> {
    let mut w = Vec::new();
    if let Some(e) = parse {
        w.push(e.warning_text(Dialect::Php));
    }
    if let Some(e) = csv {
        if e.kind == ErrorKind::CsvOpen {
            w.push([&b"cannot open file "[..], csv_path, b" to write"].concat());
        }
        w.push(e.warning_text(Dialect::Php));
    }
    w
}

fn check(file: &str, case: &Value) {
    let name = file.trim_end_matches(".json").to_string();
    assert_eq!(case["id"], name.as_str(), "id = file name");
    let scratch = temp_dir(&name);
    let tmp = scratch.path();

    let mut kind = String::new();
    let mut csv_path: Option<Vec<u8>> = None;
    for call in case["calls"].as_array().unwrap() {
        let call = call.as_array().unwrap();
        match call[0].as_str().unwrap() {
            "reqPut" if call[1] == "telegram_kind" => kind = call[2].as_str().unwrap().into(),
            "setResultCsv" => csv_path = Some(bytes(&call[1], tmp)),
            _ => {}
        }
    }
    let mode = match case["properties"]["paygentB2Bmodule.csv_mode"].as_str() {
        Some("rfc4180") => CsvMode::Rfc4180,
        _ => CsvMode::Compat,
    };
    let body = bytes(&case["reply"]["body"], tmp);
    let csv_file = csv_path
        .as_ref()
        .map(|p| PathBuf::from(String::from_utf8(p.clone()).unwrap()));
    let (parsed, csv_error) = receive(format_for(&kind), &body, csv_file.as_deref(), mode);

    let e = &case["expect"];
    let got_post = match (&parsed.error, &csv_error) {
        (Some(err), _) | (None, Some(err)) => Value::from(err.code.as_str()),
        (None, None) => Value::Bool(true),
    };
    assert_eq!(got_post, e["post"], "{name}: post");
    if let Some(w) = e.get("warnings") {
        let want: Vec<Vec<u8>> = w
            .as_array()
            .unwrap()
            .iter()
            .map(|v| bytes(v, tmp))
            .collect();
        let got = warnings_of(
            &parsed.error,
            &csv_error,
            csv_path.as_deref().unwrap_or(b""),
        );
        assert_eq!(got, want, "{name}: warnings");
    }
    let r = &parsed.reply;
    for (field, got) in [
        ("result_status", &r.result_status),
        ("response_code", &r.response_code),
        ("response_detail", &r.response_detail),
    ] {
        assert_eq!(*got, bytes(&e[field], tmp), "{name}: {field}");
    }
    // parse and CSV errors leave the message at `<code>: <detail>` (§5.4)
    let message = [&r.response_code[..], b": ", &r.response_detail[..]].concat();
    assert_eq!(
        message,
        bytes(&e["result_message"], tmp),
        "{name}: result_message"
    );

    // serde_json keeps the document's key order (feature preserve_order): record order matters.
    let want: Vec<Vec<(Vec<u8>, Vec<u8>)>> = e["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            o.as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.as_bytes().to_vec(), bytes(v, tmp)))
                .collect()
        })
        .collect();
    let got: Vec<_> = r.records.iter().map(entries).collect();
    assert_eq!(got, want, "{name}: records");

    if let Some(csv) = e.get("csv") {
        let file = tmp.join("result.csv");
        match csv {
            Value::Null => assert!(!file.exists(), "{name}: no CSV expected"),
            v => assert_eq!(fs::read(&file).ok(), Some(bytes(v, tmp)), "{name}: csv"),
        }
    }
}

#[test]
fn reply_cases_hold_at_parser_level() {
    let cases = paygent_cases::cases("reply-").unwrap();
    // §10 #48–#70: every number has at least one case
    for n in 48..=70 {
        let prefix = format!("reply-{n:02}-");
        assert!(
            cases.iter().any(|(file, _)| file.starts_with(&prefix)),
            "no case for §10 #{n}"
        );
    }
    for (file, case) in &cases {
        check(file, case);
    }
}
