//! The request side of the shared conformance cases `tests/conformance/cases/req-*.json`:
//! `init()` and everything `post()` decides before the transport (error code, message, exact
//! form body). The full cases, with the simulator, run in the conformance harness
//! (`tests/conformance/`, `tests/conformance/tests/cases.rs`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

use std::path::{Path, PathBuf};

use paygent_core::config::ConfigSource;
use paygent_core::error::Dialect;
use paygent_core::request;
use paygent_core::{Error, Module};
use serde_json::{Map, Value};

fn tests_dir() -> PathBuf {
    paygent_cases::tests_dir()
}

/// A byte value of the case format.
fn bytes(v: &Value) -> Vec<u8> {
    paygent_cases::bytes(v, &tests_dir()).unwrap()
}

/// Placeholders replaced byte-wise: values may be Windows-31J.
fn fill(s: &[u8], tmp: &Path, sim: &str) -> Vec<u8> {
    let tmp = tmp.to_str().unwrap();
    let subs: [(&[u8], &[u8]); 3] = [
        (b"{tmp}", tmp.as_bytes()),
        (b"{pki}", b"/nonexistent-pki"),
        (b"{sim}", sim.as_bytes()),
    ];
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    'outer: while i < s.len() {
        for (from, to) in subs {
            if s[i..].starts_with(from) {
                out.extend_from_slice(to);
                i += from.len();
                continue 'outer;
            }
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

/// `base.properties` with the case's overrides (harness step 2).
fn properties_text(overrides: &Map<String, Value>, tmp: &Path, sim: &str) -> Vec<u8> {
    let base = std::fs::read_to_string(tests_dir().join("conformance/base.properties")).unwrap();
    let mut lines: Vec<String> = base.lines().map(str::to_owned).collect();
    for (k, v) in overrides {
        let at = lines
            .iter()
            .position(|l| l.split_once('=').is_some_and(|(lk, _)| lk == k));
        match (at, v) {
            (Some(i), Value::Null) => {
                lines.remove(i);
            }
            (Some(i), v) => lines[i] = format!("{k}={}", String::from_utf8(bytes(v)).unwrap()),
            (None, Value::Null) => {}
            (None, v) => lines.push(format!("{k}={}", String::from_utf8(bytes(v)).unwrap())),
        }
    }
    fill((lines.join("\n") + "\n").as_bytes(), tmp, sim)
}

fn error_code(e: &Error) -> Value {
    Value::String(e.code.as_str().into())
}

fn run(case: &Value) -> Result<(), String> {
    let id = case["id"].as_str().unwrap();
    // Removed when `scratch` is dropped, at the end of the case.
    let scratch = tempfile::Builder::new()
        .prefix(&format!("paygent-req-case-{id}-"))
        .tempdir()
        .unwrap();
    let tmp = scratch.path().to_path_buf();
    let sim = format!("https://127.0.0.1:9/case/{id}");
    let expect = &case["expect"];

    let props = tmp.join("modenv_properties.php");
    if let Some(o) = case.get("properties").and_then(Value::as_object) {
        std::fs::write(&props, properties_text(o, &tmp, &sim)).unwrap();
    } else if case.get("properties") != Some(&Value::Null) {
        std::fs::write(&props, properties_text(&Map::new(), &tmp, &sim)).unwrap();
    }
    for (name, v) in case
        .get("files")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        std::fs::write(tmp.join(name), bytes(v)).unwrap();
    }

    let mut m = Module::new(Dialect::Php, ConfigSource::PhpProperties(props));
    let init = m
        .init()
        .map_or_else(|e| error_code(&e), |()| Value::Bool(true));
    let want_init = expect.get("init").cloned().unwrap_or(Value::Bool(true));
    if init != want_init {
        return Err(format!("init: {init} != {want_init}"));
    }
    if init != Value::Bool(true) {
        return Ok(());
    }
    for call in case["calls"].as_array().unwrap() {
        let c = call.as_array().unwrap();
        let arg = |i: usize| fill(&bytes(&c[i]), &tmp, &sim);
        match c[0].as_str().unwrap() {
            "reqPut" => m.req_put(&arg(1), &arg(2)),
            "setResultCsv" => m.set_result_csv(&arg(1)),
            "setSendFilePath" => m.set_send_file_path(&arg(1)),
            "setTimeout" => m.set_timeout(&arg(1)),
            "setSelectMaxCnt" => m.set_select_max_cnt(&arg(1)),
            "setDefaultId" => m.set_default_id(&arg(1)),
            "setDefaultPassword" => m.set_default_password(&arg(1)),
            // A refused encoding shows at post() (§1.4); its own return is not checked here.
            "setEncoding" => drop(m.set_encoding(&arg(1))),
            other => return Err(format!("call {other} not handled here")),
        }
    }
    let mut params = m.params().clone();
    let config = m.config().unwrap().clone();
    let sent = expect.get("sent").unwrap_or(&Value::Null);
    match request::prepare(&mut params, m.instance(), &config) {
        Err(e) => {
            if expect["post"] != error_code(&e) {
                return Err(format!("post: {} != {}", error_code(&e), expect["post"]));
            }
            let msg = e.result_message(Dialect::Php).unwrap();
            if let Some(want) = expect.get("result_message").filter(|w| w.is_string()) {
                if msg != bytes(want) {
                    return Err(format!("message: {:?}", String::from_utf8_lossy(&msg)));
                }
            }
            if let Some(w) = expect.get("warnings").and_then(Value::as_array) {
                let first = w.first().map(bytes);
                if first.as_deref() != Some(e.warning_text(Dialect::Php).as_slice()) {
                    return Err("warning differs".into());
                }
            }
            if !sent.is_null() {
                return Err(format!(
                    "prepare failed ({e}) but the case expects a request"
                ));
            }
        }
        Ok(p) => {
            if sent.is_null() {
                return Err("a request was prepared but the case expects none".into());
            }
            if let Some(b) = sent.get("body") {
                if p.body != bytes(b) {
                    return Err(format!("body: {}", String::from_utf8_lossy(&p.body)));
                }
            }
            for part in sent
                .get("body_contains")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let part = bytes(part);
                if !p.body.windows(part.len()).any(|w| w == part.as_slice()) {
                    return Err(format!("body lacks {:?}", String::from_utf8_lossy(&part)));
                }
            }
            if !p.url.starts_with(sim.as_bytes()) {
                return Err(format!("url {}", String::from_utf8_lossy(&p.url)));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}

#[test]
fn request_side_of_req_cases() {
    let cases = paygent_cases::cases("req-").unwrap();
    assert!(cases.len() >= 36, "{} req- cases", cases.len());
    let mut failures = Vec::new();
    for (name, case) in &cases {
        assert_eq!(format!("{}.json", case["id"].as_str().unwrap()), *name);
        if let Err(e) = run(case) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
