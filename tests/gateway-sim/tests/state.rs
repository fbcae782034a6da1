//! `--state FILE` (issue 21 item 8): payments and notices survive a restart (saved when they
//! change and at SIGTERM, atomically), and the record file never ends in half a line.

mod common;

use std::os::unix::process::ExitStatusExt;
use std::time::{Duration, Instant};

use common::*;

const CARD: &str = "/n/card/request";

fn authorize(sim: &Sim, trading_id: &str) -> Reply {
    sim.telegram(
        CARD,
        "020",
        &[
            ("trading_id", trading_id.as_bytes()),
            ("payment_amount", b"1500"),
            ("card_number", b"4111111111111111"),
            ("card_valid_term", b"1230"),
        ],
    )
}

fn inquire(sim: &Sim, trading_id: &str) -> Reply {
    sim.telegram(
        "/n/ref/paymentref",
        "094",
        &[("trading_id", trading_id.as_bytes())],
    )
}

#[test]
fn payments_and_notices_survive_a_restart() {
    let work = tempfile::tempdir().unwrap();
    let state = work.path().join("state.json");
    let arg = state.to_str().unwrap();
    let mut sim = Sim::start(&["--state", arg]);
    // written at start, before any change
    assert!(state.exists());
    let a = authorize(&sim, "keep-1");
    assert_eq!(a.get("result"), "0");
    let pid = a.get("payment_id");
    let capture = sim.telegram(CARD, "022", &[("payment_id", pid.as_bytes())]);
    assert_eq!(capture.get("result"), "0");
    assert_eq!(authorize(&sim, "keep-2").get("result"), "0");
    let status = sim.terminate();
    assert_eq!(status.signal(), Some(libc::SIGTERM), "{status:?}");
    // every record line is whole
    let records = sim.records();
    assert_eq!(records.len(), 3);
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert_eq!(saved["payments"].as_array().unwrap().len(), 2);
    drop(sim);

    let sim = Sim::start(&["--state", arg]);
    let r = inquire(&sim, "keep-1");
    assert_eq!(r.get("result"), "0");
    assert_eq!(r.get("payment_id"), pid);
    assert_eq!(r.get("payment_status"), "40");
    assert_eq!(inquire(&sim, "keep-2").get("payment_status"), "20");
    // a used trading_id is still refused; ids go on where they stopped
    assert_eq!(authorize(&sim, "keep-1").get("response_code"), "2005");
    let next = authorize(&sim, "keep-3").get("payment_id");
    assert_eq!(
        next.parse::<u64>().unwrap(),
        pid.parse::<u64>().unwrap() + 2
    );
    // the notices: three before the restart, one after
    let mut ids = Vec::new();
    let mut last = String::new();
    loop {
        let n = sim.telegram(
            "/n/ref/paynotice",
            "091",
            &[("payment_notice_id", last.as_bytes())],
        );
        if n.get("success_code") != "0" {
            break;
        }
        last = n.get("payment_notice_id");
        ids.push(last.clone());
    }
    assert_eq!(ids, ["1", "2", "3", "4"]);
    // saved when it changes, without a signal
    let t0 = Instant::now();
    loop {
        let text = std::fs::read_to_string(&state).unwrap();
        if text.contains("keep-3") {
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(10), "state not saved");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_broken_state_file_is_refused_at_start() {
    let work = tempfile::tempdir().unwrap();
    let state = work.path().join("state.json");
    std::fs::write(&state, b"{\"version\": 1, \"payments\": ").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_paygent-sim"))
        .args(["serve", "--listen", "127.0.0.1:0", "--pki"])
        .arg(pki())
        .arg("--state")
        .arg(&state)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("state"));
}
