//! `paygent decode` with the real binary: every wire fixture of the specification is read as the
//! modules read it (same result, codes, Japanese detail and records), request bodies are decoded
//! from URL-encoded Shift_JIS with secrets masked, the documented `grep 'request:' LOG |
//! paygent decode` pipeline gives one block per request of a real module log, input that is
//! neither a request nor a reply is exit 1 (never echoed), and unreadable input is exit 2.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

use std::io::Write;
use std::process::{Command, Stdio};

use paygent_core::config::CsvMode;
use paygent_core::reply::{ReplyFormat, parse};
use serde_json::Value;

fn decode(args: &[&str], stdin: &[u8]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_paygent"))
        .arg("decode")
        .args(args)
        .env("LANG", "C")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

fn sjis(b: &[u8]) -> String {
    encoding_rs::SHIFT_JIS.decode(b).0.into_owned()
}

#[test]
fn every_wire_fixture_reads_as_the_module_reads_it() {
    let dir = paygent_conformance::tests_dir().join("fixtures");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let raw = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let (code, out) = decode(&["--json", "--unmasked", path.to_str().unwrap()], b"");
        assert_eq!(code, 0, "{name}");
        let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{name}: {e}: {out}"));
        assert_eq!(v["kind"], "reply", "{name}");
        // The body the module's parser would see, and its format by the fixture's own name.
        let body = match raw.windows(4).position(|w| w == b"\r\n\r\n") {
            Some(i) if raw.starts_with(b"HTTP/") => {
                assert_eq!(
                    v["http_status"],
                    if name.contains("500") { 500 } else { 200 }
                );
                &raw[i + 4..]
            }
            _ => &raw[..],
        };
        let format = if name.contains("reference") {
            ReplyFormat::Reference
        } else if name.contains("file_payment") {
            ReplyFormat::FilePayment
        } else {
            ReplyFormat::Payment
        };
        let want = parse(format, body, true, CsvMode::Compat).reply;
        assert_eq!(v["result"], sjis(&want.result_status), "{name}");
        assert_eq!(v["response_code"], sjis(&want.response_code), "{name}");
        assert_eq!(v["response_detail"], sjis(&want.response_detail), "{name}");
        let records = v["records"].as_array().unwrap();
        assert_eq!(records.len(), want.records.len(), "{name}");
        for (got, rec) in records.iter().zip(&want.records) {
            for (k, val) in rec.iter() {
                assert_eq!(got[sjis(k)], sjis(val), "{name}: {}", sjis(k));
            }
        }
        seen += 1;
    }
    assert!(seen >= 12, "fixtures found: {seen}");
}

#[test]
fn request_bodies_are_decoded_and_masked() {
    let body = b"merchant_id=1&telegram_kind=020&card_number=4111111111111111&card_conf_number=123&connect_password=pw&customer_family_name_kana=%B6%C0%B6%C5";
    let (code, out) = decode(&["--json"], body);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["kind"], "request");
    let p = &v["params"];
    assert_eq!(p["customer_family_name_kana"], "ｶﾀｶﾅ");
    assert_eq!(p["card_number"], "XXXXXXXXXXXXXXX1");
    assert_eq!(p["card_conf_number"], "XXXX");
    assert_eq!(p["connect_password"], "XXXX");
    assert!(!out.contains("4111111111111111") && !out.contains("=pw"));
    let (_, out) = decode(&["--unmasked", "-"], body);
    assert!(out.contains("4111111111111111"), "{out}");
}

#[test]
fn unreadable_input_is_exit_2() {
    let (code, _) = decode(&["/nonexistent/paste.txt"], b"");
    assert_eq!(code, 2);
}

#[test]
fn card_numbers_are_masked_whatever_the_key_and_in_any_value() {
    // card_number+ (a space after the key), upper case, a NUL after the key, a card number in
    // a free text item, with spaces: none of them shown.
    let body = b"telegram_kind=020&card_number+=4111111111111111&CARD_NUMBER=5555555555554444\
&card_number%00=4012888888881881&memo=card+4111+1111+1111+1111+please&payment_id=12345";
    for args in [&["--json"][..], &[][..]] {
        let (code, out) = decode(args, body);
        assert_eq!(code, 0, "{out}");
        for number in [
            "4111111111111111",
            "5555555555554444",
            "4012888888881881",
            "4111 1111 1111 1111",
        ] {
            assert!(!out.contains(number), "{args:?}: {number} shown: {out}");
        }
        assert!(out.contains("XXXXXXXXXXXXXXX1"), "{out}");
        assert!(out.contains("XXXX XXXX XXXX XXX1"), "{out}");
        assert!(out.contains("12345"), "other values stay: {out}");
    }
    let (_, out) = decode(&["--json", "--unmasked"], body);
    assert!(out.contains("5555555555554444"), "{out}");
}

/// A pasted reply whose values hold terminal controls: shown as escapes, JSON escaped too
/// (DEL and C1 included, which serde_json leaves raw), the value itself unchanged.
#[test]
fn control_characters_are_shown_as_escapes() {
    let reply = b"result=0\r\nresponse_code=\r\nresponse_detail=\x1b[2J\r\n\
memo=a\x1b]0;owned\x07b\x7fc\x80d\rz\r\n";
    let (code, out) = decode(&[], reply);
    assert_eq!(code, 0);
    assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
    assert!(
        out.contains("a\\x1b]0;owned\\x07b\\x7fc\\u{80}d\\x0dz"),
        "{out}"
    );
    assert!(out.contains("\\x1b[2J"), "{out}");
    let (code, out) = decode(&["--json"], reply);
    assert_eq!(code, 0);
    assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["records"][0]["memo"],
        "a\u{1b}]0;owned\u{7}b\u{7f}c\u{80}d\rz"
    );
}

/// `sh -c SCRIPT` with `LANG`, for the pipelines of docs/cli.md: (status, stdout, stderr).
fn shell(script: &str, lang: &str) -> (i32, String, String) {
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_paygent"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .env("PATH", path)
        .env("LANG", lang)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A real module log with many requests: `paygent send` (core's module, `debug_flg=1`) against
/// the simulator, several kinds, then the documented pipelines read it back: one decoded block
/// per `request:` line, in order, card data masked — with and without the `sed` of docs/cli.md,
/// and as one JSON object per line with `--json`.
#[test]
fn a_log_with_many_requests_decodes_one_block_per_request() {
    let dir = tempfile::tempdir().unwrap();
    let sim = paygent_conformance::sim::Sim::start(dir.path(), &paygent_conformance::cases_dir())
        .unwrap();
    let log = dir.path().join("paygent.log");
    let cfg = sim.php_properties(
        dir.path(),
        10,
        &format!(
            "paygentB2Bmodule.log_output_path={}\npaygentB2Bmodule.debug_flg=1\n",
            log.display()
        ),
    );
    let run = std::process::id();
    let mut sent = Vec::new();
    for i in 0..12 {
        let trading_id = format!("log-{run}-{i}");
        let kind_args: Vec<String> = if i % 4 == 3 {
            // An inquiry: a payment-less kind between the payments.
            vec![
                "telegram_kind=094".into(),
                "payment_id=100000000000000001".into(),
            ]
        } else {
            vec![
                "telegram_kind=020".into(),
                "payment_amount=1000".into(),
                "card_number=4111111111111111".into(),
                "card_valid_term=1230".into(),
            ]
        };
        let out = Command::new(env!("CARGO_BIN_EXE_paygent"))
            .arg("send")
            .arg("--config")
            .arg(&cfg)
            .arg("merchant_id=10000")
            .arg(format!("trading_id={trading_id}"))
            .args(&kind_args)
            .env("LANG", "C")
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "send {i}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        sent.push(trading_id);
    }
    let text = std::fs::read_to_string(&log).unwrap();
    let request_lines = text.lines().filter(|l| l.contains("request:")).count();
    assert_eq!(
        request_lines,
        sent.len(),
        "one request line per telegram: {text}"
    );
    assert!(
        text.lines().count() > request_lines,
        "the log holds replies too"
    );

    let log = log.display();
    for script in [
        format!("grep request: '{log}' | paygent decode"),
        format!("grep 'request:' '{log}' | sed 's/.*request: //' | paygent decode"),
    ] {
        let (code, out, err) = shell(&script, "C");
        assert_eq!(code, 0, "{script}: {err}");
        let blocks = out
            .lines()
            .filter(|l| *l == "request body (telegram parameters):")
            .count();
        assert_eq!(blocks, sent.len(), "{script}: {out}");
        // In order, each block with its own trading_id; card numbers masked.
        let mut at = 0;
        for id in &sent {
            let found = out[at..]
                .find(&format!(" {id}\n"))
                .unwrap_or_else(|| panic!("{script}: {id} missing or out of order: {out}"));
            at += found + 1;
        }
        assert!(!out.contains("4111111111111111"), "{out}");
        assert_eq!(out.matches("XXXXXXXXXXXXXXX1").count(), 9, "{out}");
    }
    let (code, out, err) = shell(
        &format!("grep request: '{log}' | paygent decode --json"),
        "C",
    );
    assert_eq!(code, 0, "{err}");
    let objects: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(objects.len(), sent.len(), "{out}");
    for (v, id) in objects.iter().zip(&sent) {
        assert_eq!(v["kind"], "request");
        assert_eq!(v["params"]["trading_id"], id.as_str());
    }
}

/// Neither a request body nor a reply: exit 1 with the reason (English and Japanese), nothing
/// on stdout — the input is never echoed (it may hold card data or terminal controls).
#[test]
fn input_that_is_neither_request_nor_reply_is_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let garbage: [&[u8]; 5] = [
        b"hello world\n",
        b"<html><body>503 Service Unavailable 4111111111111111</body></html>\r\n",
        b"\x1b]0;owned\x07\x00\xff\xfe",
        b"",
        // A module log line that is not a request (a transport error).
        b"2026/12/05 10:00:00 PaygentB2BModule 7: Failed to connect: https://127.0.0.1/n/card/request\n",
    ];
    for (i, input) in garbage.iter().enumerate() {
        let path = dir.path().join(format!("paste{i}"));
        std::fs::write(&path, input).unwrap();
        for (lang, want) in [
            ("C", "is neither a telegram's request body nor a reply"),
            ("ja_JP.UTF-8", "は要求電文の本文でも応答電文でもない"),
        ] {
            let (code, out, err) = shell(&format!("paygent decode '{}'", path.display()), lang);
            assert_eq!(code, 1, "{i} {lang}: {out} {err}");
            assert!(out.is_empty(), "{i} {lang}: nothing on stdout: {out:?}");
            assert!(err.contains(want), "{i} {lang}: {err}");
            assert!(!err.contains("4111") && !err.contains('\u{1b}'), "{err:?}");
            let (code, out, _) = shell(
                &format!("paygent decode --json < '{}'", path.display()),
                lang,
            );
            assert_eq!((code, out.as_str()), (1, ""), "{i} {lang} --json");
        }
    }
}
