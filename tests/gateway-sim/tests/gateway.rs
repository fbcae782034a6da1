//! Gateway mode: common header checks and every telegram family, through real mTLS requests.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

mod common;

use common::*;

const CARD: &str = "/n/card/request";

fn auth(sim: &Sim, number: &str, trading_id: &str) -> Reply {
    sim.telegram(
        CARD,
        "020",
        &[
            ("payment_amount", b"1500"),
            ("card_number", number.as_bytes()),
            ("card_valid_term", b"1230"),
            ("trading_id", trading_id.as_bytes()),
        ],
    )
}

#[test]
fn common_header_checks() {
    let sim = Sim::start(&[]);
    // A kind sent to another kind's path.
    let r = sim.telegram("/n/atm/request", "020", &[("payment_amount", b"1")]);
    assert_eq!(
        (
            r.status,
            r.get("result").as_str(),
            r.get("response_code").as_str()
        ),
        (200, "1", "P004")
    );
    assert!(r.get_sjis("response_detail").contains("URL"));
    let r = sim.post(
        CARD,
        &[
            ("merchant_id", b"1"),
            ("telegram_kind", b"020"),
            ("connect_password", b"x"),
        ],
    );
    assert_eq!(
        (r.get("result"), r.get("response_code")),
        ("1".into(), "P001".into())
    );
    let r = sim.post(
        CARD,
        &[
            ("connect_id", b"i"),
            ("telegram_kind", b"020"),
            ("connect_password", b"x"),
        ],
    );
    assert_eq!(
        (r.get("result"), r.get("response_code")),
        ("1".into(), "P006".into())
    );
    assert!(r.get_sjis("response_detail").starts_with("\"merchant_id\""));
    assert_eq!(
        r.header("Content-Type"),
        Some("text/html; charset=Windows-31J")
    );
}

#[test]
fn card_authorisation_outcomes() {
    let sim = Sim::start(&[]);
    let ok = auth(&sim, "4111111111111111", "ORDER-1");
    assert_eq!(
        (
            ok.get("result"),
            ok.get("response_code"),
            ok.get("trading_id")
        ),
        ("0".into(), "".into(), "ORDER-1".into())
    );
    let id = ok.get("payment_id");
    assert!(
        id.len() == 18 && id.bytes().all(|b| b.is_ascii_digit()),
        "{id}"
    );
    let next = auth(&sim, "4111111111111111", "ORDER-2").get("payment_id");
    assert_eq!(next.parse::<u64>().unwrap(), id.parse::<u64>().unwrap() + 1);

    let declined = auth(&sim, "4000000000000002", "ORDER-3");
    assert_eq!(
        (declined.get("result"), declined.get("response_code")),
        ("1".into(), "2003".into())
    );
    assert!(declined.get_sjis("response_detail").contains("カード"));
    assert_eq!(declined.get("payment_id"), "");
    let timeout = auth(&sim, "4000000000000119", "ORDER-4");
    assert_eq!(timeout.get("response_code"), "2008");
    let dup = auth(&sim, "4111111111111111", "ORDER-1");
    assert_eq!(
        (dup.get("result"), dup.get("response_code")),
        ("1".into(), "2005".into())
    );
    let bad_luhn = auth(&sim, "4111111111111112", "ORDER-5");
    assert_eq!(bad_luhn.get("response_code"), "2003");
    let missing = sim.telegram(CARD, "020", &[("card_number", b"4111111111111111")]);
    assert_eq!(missing.get("response_code"), "P006");
}

#[test]
fn three_d_secure_reply_ends_with_the_acs_html() {
    let sim = Sim::start(&[]);
    let r = auth(&sim, "4000000000003220", "ORDER-3DS");
    assert_eq!(r.get("result"), "0");
    let body = &r.body;
    let at = body
        .windows(15)
        .position(|w| w == b"out_acs_html=\r\n")
        .expect("out_acs_html line");
    let items = r.items();
    assert_eq!(
        items.last().unwrap().0,
        "out_acs_html",
        "the _html item is the last item"
    );
    let html = &body[at + 15..];
    assert!(html.starts_with(b"<HTML>\r\n") && html.ends_with(b"</HTML>\r\n"));
    let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(html);
    assert!(!bad && text.contains("認証画面"));
    // Not authorised yet: a capture is refused until 024 completes it.
    let id = r.get("payment_id");
    let cap = sim.telegram(CARD, "022", &[("payment_id", id.as_bytes())]);
    assert_eq!(cap.get("response_code"), "2004");
    assert_eq!(
        sim.telegram(CARD, "024", &[("payment_id", id.as_bytes())])
            .get("result"),
        "0"
    );
    assert_eq!(
        sim.telegram(CARD, "022", &[("payment_id", id.as_bytes())])
            .get("result"),
        "0"
    );
}

#[test]
fn authorisation_capture_cancel_and_corrections_follow_the_state() {
    let sim = Sim::start(&[]);
    let id = auth(&sim, "4111111111111111", "ORD-A").get("payment_id");
    let pid = |extra: &'static [(&'static str, &'static [u8])]| {
        let mut v: Vec<(&str, &[u8])> = vec![("payment_id", id.as_bytes())];
        v.extend_from_slice(extra);
        v
    };
    // Capture of an unknown payment, and capture cancel before capture.
    let r = sim.telegram(CARD, "022", &[("payment_id", b"999999999999999999")]);
    assert_eq!(
        (r.get("result"), r.get("response_code")),
        ("1".into(), "2006".into())
    );
    assert_eq!(
        sim.telegram(CARD, "023", &pid(&[])).get("response_code"),
        "2004"
    );
    // 028 changes the authorised amount.
    let r = sim.telegram(CARD, "028", &pid(&[("payment_amount", b"1200")]));
    assert_eq!(
        (r.get("result"), r.get("payment_id")),
        ("0".into(), id.clone())
    );
    assert_eq!(
        sim.telegram("/n/ref/paymentref", "094", &pid(&[]))
            .get("payment_amount"),
        "1200"
    );
    // Capture by trading_id, then a second capture is a status conflict.
    let r = sim.telegram(CARD, "022", &[("trading_id", b"ORD-A")]);
    assert_eq!(
        (r.get("result"), r.get("payment_id")),
        ("0".into(), id.clone())
    );
    assert_eq!(
        sim.telegram(CARD, "022", &pid(&[])).get("response_code"),
        "2004"
    );
    let q = sim.telegram("/n/ref/paymentref", "094", &pid(&[]));
    assert_eq!(q.get("payment_status"), "40");
    // 029 corrects the captured amount; 023 cancels the capture.
    assert_eq!(
        sim.telegram(CARD, "029", &pid(&[("payment_amount", b"900")]))
            .get("result"),
        "0"
    );
    assert_eq!(sim.telegram(CARD, "023", &pid(&[])).get("result"), "0");
    let q = sim.telegram("/n/ref/paymentref", "094", &pid(&[]));
    assert_eq!(
        (q.get("payment_status"), q.get("payment_amount")),
        ("60".into(), "900".into())
    );
    // 021 cancels another authorisation; then it cannot be captured.
    let id2 = auth(&sim, "4111111111111111", "ORD-B").get("payment_id");
    assert_eq!(
        sim.telegram(CARD, "021", &[("payment_id", id2.as_bytes())])
            .get("result"),
        "0"
    );
    assert_eq!(
        sim.telegram(CARD, "022", &[("payment_id", id2.as_bytes())])
            .get("response_code"),
        "2004"
    );
    let r = sim.telegram("/n/ref/paymentref", "094", &[("payment_id", b"123")]);
    assert_eq!(r.get("response_code"), "13001");
}

#[test]
fn atm_convenience_bank_and_virtual_account() {
    let sim = Sim::start(&[]);
    let r = sim.telegram(
        "/n/atm/request",
        "010",
        &[("payment_amount", b"3000"), ("trading_id", b"ATM-1")],
    );
    assert_eq!(r.get("result"), "0");
    assert_eq!(r.get("pay_center_number").len(), 5);
    assert_eq!(r.get("customer_number").len(), 20);
    assert_eq!(r.get("conf_number").len(), 6);
    assert_eq!(r.get("payment_limit_date").len(), 8);
    assert!(r.get("payment_id").len() == 18);

    let kana = ("customer_family_name_kana", &b"\xc4\xb3\xb7\xae\xb3"[..]); // ﾄｳｷｮｳ
    let r = sim.telegram(
        "/n/conveni/request",
        "030",
        &[
            ("payment_amount", b"500"),
            kana,
            ("cvs_company_id", b"00C001"),
        ],
    );
    assert_eq!(r.get("result"), "0");
    assert_eq!(r.get("usable_cvs_company_id"), "00C001");
    assert!(!r.get("receipt_number").is_empty() && r.get("payment_limit_date").len() == 8);
    let r = sim.telegram("/n/conveni/request", "030", &[("payment_amount", b"500")]);
    assert_eq!(
        (r.get("result"), r.get("response_code")),
        ("1".into(), "P006".into())
    );
    assert!(
        r.get_sjis("response_detail")
            .contains("customer_family_name_kana")
    );
    let r = sim.telegram(
        "/n/conveni/request_print",
        "040",
        &[("payment_amount", b"500"), kana],
    );
    assert_eq!(r.get("result"), "0");
    assert!(!r.get("receipt_number").is_empty());
    let r = sim.telegram("/n/bank/requestasp", "060", &[("payment_amount", b"800")]);
    assert!(r.get("asp_url").starts_with("https://"));
    let r = sim.telegram(
        "/n/virtualaccount/request",
        "070",
        &[("payment_amount", b"800")],
    );
    assert_eq!(
        (
            r.get("result"),
            r.get("bank_code").len(),
            r.get("account_number").len()
        ),
        ("0".into(), 4, 7)
    );
    assert_eq!(r.get_sjis("bank_name"), "テスト銀行");
    let r = sim.telegram(
        "/n/virtualaccount/request",
        "070",
        &[("payment_amount", b"0")],
    );
    assert_eq!(r.get("response_code"), "P014");
    let r = sim.telegram(
        "/n/virtualaccount/request",
        "070",
        &[("payment_amount", b"12a")],
    );
    assert_eq!(r.get("response_code"), "P010");
}

/// Splits a reference CSV reply into lines of fields (the simple quoting the simulator writes).
fn csv(body: &[u8]) -> Vec<Vec<String>> {
    let text = encoding_rs::SHIFT_JIS.decode(body).0.into_owned();
    assert!(text.ends_with("\r\n"));
    text.trim_end_matches("\r\n")
        .split("\r\n")
        .map(|l| {
            l.strip_prefix('"')
                .unwrap()
                .strip_suffix('"')
                .unwrap()
                .split("\",\"")
                .map(|f| f.replace("\"\"", "\""))
                .collect()
        })
        .collect()
}

#[test]
fn stored_cards_and_the_027_csv() {
    let sim = Sim::start(&[]);
    let none = sim.telegram(CARD, "027", &[("customer_id", b"CUST_01")]);
    let lines = csv(&none.body);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0][..3], ["1", "1", "P026"]);
    assert!(lines[0][3].contains("カード情報"));
    assert_eq!(lines[1], ["4", "0"]);

    for (number, holder) in [
        ("4111111111111111", &b"TARO \"T\" YAMADA"[..]),
        ("5555555555554444", b"HANAKO"),
    ] {
        let r = sim.telegram(
            CARD,
            "025",
            &[
                ("customer_id", b"CUST_01"),
                ("card_number", number.as_bytes()),
                ("card_valid_term", b"1227"),
                ("cardholder_name", holder),
            ],
        );
        assert_eq!(
            (r.get("result"), r.get("customer_id")),
            ("0".into(), "CUST_01".into())
        );
        assert!(!r.get("customer_card_id").is_empty());
    }
    sim.telegram(
        CARD,
        "025",
        &[
            ("customer_id", b"OTHER"),
            ("card_number", b"4111111111111111"),
            ("card_valid_term", b"0130"),
        ],
    );
    let r = sim.telegram(
        CARD,
        "025",
        &[
            ("customer_id", b"X"),
            ("card_number", b"1234"),
            ("card_valid_term", b"0130"),
        ],
    );
    assert_eq!(r.get("response_code"), "P010");

    let r = sim.telegram(CARD, "027", &[("customer_id", b"CUST_01")]);
    let lines = csv(&r.body);
    assert_eq!(lines.len(), 5, "{lines:?}");
    assert_eq!(lines[0], ["1", "0", "", ""]);
    assert_eq!(
        lines[1][..6],
        [
            "2",
            "customer_id",
            "customer_card_id",
            "card_number",
            "card_valid_term",
            "cardholder_name"
        ]
    );
    for row in &lines[2..4] {
        assert_eq!(row[0], "3");
        assert_eq!(
            row.len(),
            lines[1].len(),
            "data columns match the data header"
        );
        assert_eq!(row[1], "CUST_01");
    }
    assert_eq!(lines[2][3], "************1111");
    assert_eq!(lines[2][5], "TARO \"T\" YAMADA");
    assert_eq!(lines[3][3], "************4444");
    assert_eq!(lines[4], ["4", "2"]);
    // limit_count caps the data records.
    let lines = csv(&sim
        .telegram(
            CARD,
            "027",
            &[("customer_id", b"CUST_01"), ("limit_count", b"1")],
        )
        .body);
    assert_eq!(
        (lines.len(), &lines[3]),
        (4, &vec!["4".to_string(), "1".to_string()])
    );
    // 026 deletes one card; deleting it again is P026; the 020 stored-card mode uses the other.
    let first = csv(&r.body)[2][2].clone();
    let second = csv(&r.body)[3][2].clone();
    let del = [
        ("customer_id", &b"CUST_01"[..]),
        ("customer_card_id", first.as_bytes()),
    ];
    assert_eq!(sim.telegram(CARD, "026", &del).get("result"), "0");
    assert_eq!(sim.telegram(CARD, "026", &del).get("response_code"), "P026");
    let lines = csv(&sim
        .telegram(CARD, "027", &[("customer_id", b"CUST_01")])
        .body);
    assert_eq!((lines.len(), lines[2][3].as_str()), (4, "************4444"));
    let stored = sim.telegram(
        CARD,
        "020",
        &[
            ("payment_amount", b"10"),
            ("stock_card_mode", b"1"),
            ("customer_id", b"CUST_01"),
            ("customer_card_id", second.as_bytes()),
        ],
    );
    assert_eq!(stored.get("result"), "0");
    // Header errors of 027 come in the CSV shape too.
    let r = sim.telegram(CARD, "027", &[]);
    assert_eq!(csv(&r.body)[0][..3], ["1", "1", "P006"]);
}

#[test]
fn diff_inquiry_queue_runs_to_success_code_1() {
    let sim = Sim::start(&[]);
    let notice = "/n/ref/paynotice";
    let empty = sim.telegram(notice, "091", &[]);
    assert_eq!(
        (
            empty.get("result"),
            empty.get("success_code"),
            empty.get("payment_notice_id")
        ),
        ("0".into(), "1".into(), "".into())
    );
    let id = auth(&sim, "4111111111111111", "N-1").get("payment_id");
    sim.telegram(CARD, "022", &[("payment_id", id.as_bytes())]);
    let atm = sim
        .telegram(
            "/n/atm/request",
            "010",
            &[("payment_amount", b"700"), ("trading_id", b"N-2")],
        )
        .get("payment_id");
    // Walk the queue: auth (20), capture (40), ATM application (10).
    let mut seen = Vec::new();
    let mut last = String::new();
    loop {
        let r = sim.telegram(notice, "091", &[("payment_notice_id", last.as_bytes())]);
        assert_eq!(r.get("result"), "0");
        if r.get("success_code") == "1" {
            break;
        }
        assert_eq!(r.get("success_code"), "0");
        last = r.get("payment_notice_id");
        seen.push((r.get("payment_id"), r.get("payment_status")));
        assert!(seen.len() < 10);
    }
    assert_eq!(
        seen,
        [
            (id.clone(), "20".into()),
            (id, "40".into()),
            (atm.clone(), "10".into())
        ]
    );
    // The customer pays at the ATM: one more notice.
    let mut c = connect(sim.port, &connector(true, None)).unwrap();
    use std::io::{Read, Write};
    c.write_all(&request(
        "/sim/pay",
        format!("payment_id={atm}").as_bytes(),
        "Connection: close\r\n",
    ))
    .unwrap();
    let mut out = Vec::new();
    c.read_to_end(&mut out).unwrap();
    assert!(out.starts_with(b"HTTP/1.1 200"));
    let r = sim.telegram(notice, "091", &[("payment_notice_id", last.as_bytes())]);
    assert_eq!(
        (
            r.get("success_code"),
            r.get("payment_id"),
            r.get("payment_status")
        ),
        ("0".into(), atm, "40".into())
    );
}

#[test]
fn diff_inquiry_reports_purged_notices_with_success_code_2() {
    // Started with --purge-before 3: notices 1 and 2 never stay.
    let sim = Sim::start(&["--purge-before", "3"]);
    for t in ["P-1", "P-2", "P-3", "P-4"] {
        auth(&sim, "4111111111111111", t);
    }
    let r = sim.telegram("/n/ref/paynotice", "091", &[("payment_notice_id", b"1")]);
    assert_eq!(
        (
            r.get("success_code"),
            r.get("payment_notice_id"),
            r.get("trading_id")
        ),
        ("2".into(), "3".into(), "P-3".into())
    );
    assert!(r.get_sjis("success_detail").contains("削除"));
    let r = sim.telegram("/n/ref/paynotice", "091", &[("payment_notice_id", b"3")]);
    assert_eq!(
        (r.get("success_code"), r.get("payment_notice_id")),
        ("0".into(), "4".into())
    );
    // The purge control drops everything so far.
    sim.post("/sim/purge", &[]);
    let r = sim.telegram("/n/ref/paynotice", "091", &[("payment_notice_id", b"3")]);
    assert_eq!(r.get("success_code"), "1");
    auth(&sim, "4111111111111111", "P-5");
    let r = sim.telegram("/n/ref/paynotice", "091", &[("payment_notice_id", b"3")]);
    assert_eq!(
        (r.get("success_code"), r.get("payment_notice_id")),
        ("2".into(), "5".into())
    );
    let r = sim.telegram("/n/ref/paynotice", "091", &[("payment_notice_id", b"5")]);
    assert_eq!(r.get("success_code"), "1");
}

#[test]
fn seeded_notices_carry_japanese_names_and_are_listed_as_json() {
    let sim = Sim::start(&["--seed-notices", "5"]);
    let r = sim.telegram("/n/ref/paynotice", "091", &[("payment_notice_id", b"2")]);
    assert_eq!(
        (r.get("success_code"), r.get("payment_notice_id")),
        ("0".into(), "3".into())
    );
    // Windows-31J on the wire.
    assert_eq!(r.get_sjis("customer_name"), "髙橋 花子");
    let seeded = sim.post("/sim/seed", &[("n", b"5")]);
    assert_eq!(seeded.status, 200);
    let list = sim.post("/sim/notices", &[]);
    let v: serde_json::Value = serde_json::from_slice(&list.body).unwrap();
    let notices = v["notices"].as_array().unwrap();
    assert_eq!(notices.len(), 10);
    assert_eq!(v["last_payment_notice_id"], 10);
    assert_eq!(notices[2]["customer_name"], "髙橋 花子");
    assert_eq!(notices[9]["payment_notice_id"], "10");
    assert!(notices[0].get("customer_name").is_none());
    let r = sim.telegram("/n/ref/paynotice", "091", &[("payment_notice_id", b"10")]);
    assert_eq!(r.get("success_code"), "1");
}

#[test]
fn file_payment_is_not_ready_twice_then_returns_the_result_csv() {
    let sim = Sim::start(&[]);
    let path = "/n/o/requestdata";
    let data = b"1,024,000000001\r\n3,,cus00001,10001\r\n3,,cus00002,10002\r\n4,2\r\n";
    let r = sim.telegram(path, "200", &[("file_type", b"024"), ("data", data)]);
    assert_eq!(r.get("result"), "0");
    let id = r.get("file_receipt_id");
    assert!(!id.is_empty());
    for _ in 0..2 {
        let r = sim.telegram(path, "201", &[("file_receipt_id", id.as_bytes())]);
        let text = r.text();
        assert!(text.starts_with("1,,,,,,1,9103,\""), "{text}");
        assert!(text.contains("処理中"));
    }
    let r = sim.telegram(path, "201", &[("file_receipt_id", id.as_bytes())]);
    let text = String::from_utf8(r.body.clone()).unwrap();
    let lines: Vec<&str> = text.trim_end_matches("\r\n").split("\r\n").collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(
        (header[0], header[1], header[2], header[3], header[6]),
        ("1", "024", "000000001", id.as_str(), "0")
    );
    assert_eq!(&lines[1..3], ["3,,cus00001,10001,0", "3,,cus00002,10002,0"]);
    assert!(lines[3].starts_with("4,2,"));
    let r = sim.telegram(path, "201", &[("file_receipt_id", b"42")]);
    assert!(r.text().starts_with("1,,,,,,1,9102,"));
    let r = sim.telegram(path, "200", &[("file_type", b"024")]);
    assert_eq!(r.get("response_code"), "P006");
}

#[test]
fn pki_command_writes_a_complete_test_pki() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("pki");
    let st = std::process::Command::new(env!("CARGO_BIN_EXE_paygent-sim"))
        .args(["pki", "--out"])
        .arg(&dir)
        .status()
        .unwrap();
    assert!(st.success());
    for f in [
        ".complete",
        "ca.pem",
        "server.pem",
        "client-kit.pem",
        "client.p12",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
}
