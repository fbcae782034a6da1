//! `paygent decode` with the real binary: every wire fixture of the specification is read as the
//! modules read it (same result, codes, Japanese detail and records), request bodies are decoded
//! from URL-encoded Shift_JIS with secrets masked, and bad input is exit 2.

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
