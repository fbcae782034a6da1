//! `paygent send` with the real binary against the simulator: a payment kind, a refused
//! payment with its Japanese detail, a reference CSV kind, file payment 200/201 with the result
//! CSV, `--dry-run` (masked, nothing sent) and a module error with its remedy.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

use std::path::Path;
use std::process::Command;

use paygent_conformance::sim::Sim;
use serde_json::Value;

fn send(config: &Path, args: &[&str]) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_paygent"))
        .arg("send")
        .arg("--config")
        .arg(config)
        .arg("--json")
        .args(args)
        .env("LANG", "C")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let v = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        v,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn payment_reference_file_payment_dry_run_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(dir.path(), &paygent_conformance::cases_dir()).unwrap();
    let cfg = sim.php_properties(dir.path(), 10, "");
    let run = std::process::id();

    // A card payment: result 0, the payment id in the record.
    let id = format!("trading_id=send-{run}-1");
    let card = [
        "merchant_id=10000",
        "telegram_kind=020",
        "payment_amount=1000",
        "card_valid_term=1230",
    ];
    let (code, v, err) = send(
        &cfg,
        &[&card[..], &[&id, "card_number=4111111111111111"]].concat(),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["result"], "0");
    assert_eq!(v["records"][0]["payment_id"].as_str().unwrap().len(), 18);

    // Refused: exit 1, the gateway's Japanese detail as UTF-8.
    let id = format!("trading_id=send-{run}-2");
    let (code, v, _) = send(
        &cfg,
        &[&card[..], &[&id, "card_number=4000000000000002"]].concat(),
    );
    assert_eq!(code, 1);
    assert_eq!(v["response_code"], "2003");
    assert!(
        v["response_detail"]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| c > '\u{3000}'),
        "{v}"
    );

    // A reference CSV kind: register two stored cards, then 027 lists them as records.
    let customer = format!("customer_id=C{run}");
    for number in ["4111111111111111", "5555555555554444"] {
        let n = format!("card_number={number}");
        let (code, _, err) = send(
            &cfg,
            &[
                "merchant_id=10000",
                "telegram_kind=025",
                &customer,
                &n,
                "card_valid_term=1230",
                "cardholder_name=ヤマダ タロウ",
            ],
        );
        assert_eq!(code, 0, "{err}");
    }
    let (code, v, err) = send(&cfg, &["merchant_id=10000", "telegram_kind=027", &customer]);
    assert_eq!(code, 0, "{err}");
    let records = v["records"].as_array().unwrap();
    assert_eq!(records.len(), 2);
    assert!(
        records[0]["card_number"]
            .as_str()
            .unwrap()
            .ends_with("1111")
    );

    // File payment: 200 sends the file, 201 polls until the result CSV, written with --out.
    let file = dir.path().join("payments.csv");
    std::fs::write(&file, "cus00001,10001\r\ncus00002,10002\r\n").unwrap();
    let (code, v, err) = send(
        &cfg,
        &[
            "merchant_id=10000",
            "telegram_kind=200",
            "file_type=024",
            "--send-file",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        !err.contains('\r'),
        "no progress display when stderr is not a terminal: {err:?}"
    );
    let receipt = v["records"][0]["file_receipt_id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = dir.path().join("result.csv");
    let poll = format!("file_receipt_id={receipt}");
    let mut last = 9;
    for _ in 0..5 {
        let (code, v, _) = send(
            &cfg,
            &[
                "merchant_id=10000",
                "telegram_kind=201",
                &poll,
                "--out",
                out.to_str().unwrap(),
            ],
        );
        last = code;
        if code == 0 && v["result"] == "0" {
            break;
        }
    }
    assert_eq!(last, 0);
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(csv.contains("cus00002"), "{csv}");

    // --dry-run: the URL and the masked wire body, nothing sent.
    let before = std::fs::read_to_string(&sim.record)
        .unwrap()
        .lines()
        .count();
    let id = format!("trading_id=send-{run}-dry");
    let (code, v, _) = send(
        &cfg,
        &[
            &card[..],
            &[
                &id,
                "card_number=4111111111111111",
                "card_conf_number=123",
                "--dry-run",
            ],
        ]
        .concat(),
    );
    assert_eq!(code, 0);
    let body = v["body"].as_str().unwrap();
    assert!(v["url"].as_str().unwrap().ends_with("/n/card/request"));
    assert!(
        body.contains("card_number=XXXXXXXXXXXXXXX1") && body.contains("card_conf_number=XXXX"),
        "{body}"
    );
    assert!(
        body.contains("connect_password=XXXX") && !body.contains("test_connect_pw"),
        "{body}"
    );
    assert_eq!(
        std::fs::read_to_string(&sim.record)
            .unwrap()
            .lines()
            .count(),
        before,
        "nothing sent"
    );

    // A module error: exit 2, the official code and a remedy.
    drop(sim);
    let (code, _, err) = send(&cfg, &card);
    assert_eq!(code, 2);
    assert!(err.contains("E02005") && err.contains("Remedy"), "{err}");
}

/// No control character of a reply reaches the terminal: `ESC ]0;…BEL` (a window title), DEL
/// and a lone CR in a value the gateway echoes (trading_id) are printed as escapes, and the
/// JSON output carries them escaped too.
#[test]
fn control_characters_of_a_reply_are_shown_as_escapes() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(dir.path(), &paygent_conformance::cases_dir()).unwrap();
    let cfg = sim.php_properties(dir.path(), 10, "");
    let hostile = "trading_id=t\u{1b}]0;owned\u{7}\u{7f}x\ry";
    let args = [
        "merchant_id=10000",
        "telegram_kind=020",
        "payment_amount=1000",
        "card_valid_term=1230",
        "card_number=4111111111111111",
        hostile,
    ];
    let out = Command::new(env!("CARGO_BIN_EXE_paygent"))
        .arg("send")
        .arg("--config")
        .arg(&cfg)
        .args(args)
        .env("LANG", "C")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let raw_controls = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .chars()
            .any(|c| c.is_control() && c != '\n')
    };
    assert!(!raw_controls(&out.stdout), "{:?}", out.stdout);
    assert!(!raw_controls(&out.stderr), "{:?}", out.stderr);
    let shown = String::from_utf8(out.stdout).unwrap();
    assert!(shown.contains("t\\x1b]0;owned\\x07\\x7fx\\x0dy"), "{shown}");
    // Again as JSON (another trading_id: the gateway refuses one twice).
    let hostile = format!("{hostile}2");
    let mut args = args.to_vec();
    args[5] = &hostile;
    let (code, v, err) = send(&cfg, &args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        v["records"][0]["trading_id"],
        &hostile["trading_id=".len()..]
    );
}
