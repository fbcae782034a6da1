//! Fault injection (`sim_fault`), case mode, and the record file.

mod common;

use std::time::{Duration, Instant};

use common::*;

const ATM: &str = "/n/atm/request";

fn header_form(kind: &'static str, fault: &'static str) -> Vec<(&'static str, &'static [u8])> {
    vec![
        ("merchant_id", b"1"),
        ("connect_id", b"i"),
        ("connect_password", b"p"),
        ("telegram_kind", kind.as_bytes()),
        ("payment_amount", b"100"),
        ("trading_id", b"F-1"),
        ("sim_fault", fault.as_bytes()),
    ]
}

fn raw(sim: &Sim, fault: &'static str) -> Result<Vec<u8>, String> {
    let body = form_encode(&header_form("010", fault));
    exchange(sim.port, &request(ATM, &body, "Connection: close\r\n"))
}

/// Number of notices = number of state changes so far.
fn notices(sim: &Sim) -> usize {
    let mut n = 0;
    let mut last = String::new();
    loop {
        let r = sim.telegram(
            "/n/ref/paynotice",
            "091",
            &[("payment_notice_id", last.as_bytes())],
        );
        if r.get("success_code") == "1" {
            return n;
        }
        last = r.get("payment_notice_id");
        n += 1;
    }
}

#[test]
fn every_fault_and_none_changes_state() {
    let sim = Sim::start(&[]);
    // close: nothing at all comes back.
    assert!(raw(&sim, "close").map(|b| b.is_empty()).unwrap_or(true));
    // truncate: Content-Length promises more than arrives.
    let out = raw(&sim, "truncate").unwrap();
    let r = Reply::parse(&out).unwrap();
    let announced: usize = r.header("Content-Length").unwrap().parse().unwrap();
    assert!(r.body.len() < announced, "{} < {announced}", r.body.len());
    // garbage_status
    let out = raw(&sim, "garbage_status").unwrap();
    assert!(out.starts_with(b"HTX/9 abc\r\n"));
    // status:nnn with a Shift_JIS body
    let r = Reply::parse(&raw(&sim, "status:500").unwrap()).unwrap();
    assert_eq!(r.status, 500);
    assert!(r.status_line.starts_with("HTTP/1.1 500"));
    assert!(
        std::str::from_utf8(&r.body).is_err(),
        "body should be Shift_JIS, not UTF-8"
    );
    assert!(r.get_sjis("response_detail").contains("システムエラー"));
    let r = Reply::parse(&raw(&sim, "status:302").unwrap()).unwrap();
    assert_eq!(r.status, 302);
    // empty: 200 with no body.
    let r = Reply::parse(&raw(&sim, "empty").unwrap()).unwrap();
    assert_eq!(
        (r.status, r.body.len(), r.header("Content-Length")),
        (200, 0, Some("0"))
    );
    assert_eq!(notices(&sim), 0, "a fault must not process the telegram");
    // delay:<ms> answers normally, late.
    let t0 = Instant::now();
    let r = Reply::parse(&raw(&sim, "delay:700").unwrap()).unwrap();
    assert!(t0.elapsed() >= Duration::from_millis(700));
    assert_eq!((r.status, r.get("result")), (200, "0".to_string()));
    assert_eq!(notices(&sim), 1);
    // An unknown fault is a 400, not silently ignored.
    assert_eq!(
        Reply::parse(&raw(&sim, "explode").unwrap()).unwrap().status,
        400
    );
    assert_eq!(notices(&sim), 1);
    // Every request was recorded, faults included.
    let paths: Vec<String> = sim
        .records()
        .iter()
        .map(|r| r["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(paths.iter().filter(|p| *p == ATM).count(), 8);
}

#[test]
fn case_mode_serves_the_case_reply() {
    let tests_dir = std::env::temp_dir().join(format!("paygent-sim-cases-{}", std::process::id()));
    let cases = tests_dir.join("conformance").join("cases");
    std::fs::create_dir_all(&cases).unwrap();
    std::fs::create_dir_all(tests_dir.join("fixtures")).unwrap();
    std::fs::write(
        tests_dir.join("fixtures/x.body"),
        b"result=0\r\nfrom=file\r\n",
    )
    .unwrap();
    let write = |id: &str, reply: serde_json::Value| {
        std::fs::write(
            cases.join(format!("{id}.json")),
            serde_json::json!({"id": id, "reply": reply}).to_string(),
        )
        .unwrap()
    };
    write("plain", serde_json::json!({"body": "result=0\r\nk=v\r\n"}));
    write(
        "hex",
        serde_json::json!({"status": 206, "body": {"hex": "72 65 73 75 6c 74 3d 31 0d 0a 8a bf"}, "headers": [["Content-Type", "text/plain"], ["X-Case", "1"]]}),
    );
    write(
        "file",
        serde_json::json!({"body": {"file": "fixtures/x.body"}, "delay_ms": 300}),
    );
    write(
        "close",
        serde_json::json!({"body": "result=0\r\n", "fault": "close"}),
    );
    write(
        "truncate",
        serde_json::json!({"body": "result=0\r\nabcdef\r\n", "fault": "truncate"}),
    );
    write(
        "garbage",
        serde_json::json!({"body": "result=0\r\n", "fault": "garbage_status"}),
    );
    std::fs::write(cases.join("broken.json"), b"{").unwrap();
    let sim = Sim::start(&["--cases", cases.to_str().unwrap()]);

    let r = sim.post("/case/plain", &[("a", b"1")]);
    assert_eq!(
        (r.status, r.body.as_slice()),
        (200, &b"result=0\r\nk=v\r\n"[..])
    );
    assert_eq!(
        r.header("Content-Type"),
        Some("text/html; charset=Windows-31J")
    );
    let r = sim.post("/case/hex", &[]);
    assert_eq!(
        (r.status, r.body.as_slice()),
        (206, &b"result=1\r\n\x8a\xbf"[..])
    );
    assert_eq!(
        (r.header("Content-Type"), r.header("X-Case")),
        (Some("text/plain"), Some("1"))
    );
    let t0 = Instant::now();
    let r = sim.post("/case/file", &[]);
    assert!(t0.elapsed() >= Duration::from_millis(300));
    assert_eq!(r.body, b"result=0\r\nfrom=file\r\n");
    let out = exchange(
        sim.port,
        &request("/case/close", b"", "Connection: close\r\n"),
    );
    assert!(out.map(|b| b.is_empty()).unwrap_or(true));
    let t = Reply::parse(
        &exchange(
            sim.port,
            &request("/case/truncate", b"", "Connection: close\r\n"),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(
        t.body.len()
            < t.header("Content-Length")
                .unwrap()
                .parse::<usize>()
                .unwrap()
    );
    let g = exchange(
        sim.port,
        &request("/case/garbage", b"", "Connection: close\r\n"),
    )
    .unwrap();
    assert!(g.starts_with(b"HTX/9 abc\r\n"));
    assert_eq!(sim.post("/case/missing", &[]).status, 404);
    assert_eq!(sim.post("/case/..%2Fx", &[]).status, 404);
    assert_eq!(sim.post("/case/broken", &[]).status, 500);
    // Re-read per request: an edited case answers differently at once.
    write("plain", serde_json::json!({"body": "result=1\r\n"}));
    assert_eq!(sim.post("/case/plain", &[]).body, b"result=1\r\n");
    std::fs::remove_dir_all(&tests_dir).unwrap();
}

#[test]
fn record_file_has_one_json_line_per_request() {
    let sim = Sim::start(&[]);
    let value = b"\x83\x65\x83\x58\x83\x67 &=+%"; // テスト then reserved characters
    let r = sim.telegram(
        ATM,
        "010",
        &[("payment_amount", b"100"), ("customer_family_name", value)],
    );
    assert_eq!(r.get("result"), "0");
    sim.post("/nowhere?x=1", &[]);
    let recs = sim.records();
    assert_eq!(recs.len(), 2);
    let rec = &recs[0];
    assert_eq!(
        (
            rec["seq"].as_u64(),
            rec["method"].as_str(),
            rec["path"].as_str()
        ),
        (Some(1), Some("POST"), Some(ATM))
    );
    assert_eq!(rec["version"], "HTTP/1.1");
    assert!(rec["time_ms"].as_u64().unwrap() > 1_600_000_000_000);
    assert_eq!(
        rec["client_cert_subject"],
        "/O=paygent-rs TEST ONLY/CN=TEST merchant 000000"
    );
    assert_eq!(rec["client_chain_len"], 2);
    let headers = rec["headers"].as_array().unwrap();
    assert!(
        headers
            .iter()
            .any(|h| h[0] == "Content-Type" && h[1] == "application/x-www-form-urlencoded")
    );
    // body: latin-1 → unicode, lossless; body_hex the same bytes.
    let body: Vec<u8> = rec["body"]
        .as_str()
        .unwrap()
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap())
        .collect();
    let hex: String = body.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(rec["body_hex"].as_str().unwrap(), hex);
    let sent = form_encode(&[
        ("merchant_id", b"000000001"),
        ("connect_id", b"test_connect_id"),
        ("connect_password", b"test_connect_pw"),
        ("telegram_kind", b"010"),
        ("telegram_version", b"1.0"),
        ("payment_amount", b"100"),
        ("customer_family_name", value),
    ]);
    assert_eq!(body, sent);
    assert_eq!(
        (recs[1]["seq"].as_u64(), recs[1]["path"].as_str()),
        (Some(2), Some("/nowhere?x=1"))
    );
}
