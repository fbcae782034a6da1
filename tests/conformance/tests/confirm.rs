//! Confirmation by inquiry against the simulator (issue 12): a payment the gateway processed
//! before its reply was lost is `found` (with its id, status and amount); one it never got is
//! `not_found`; an inquiry that cannot be made is `unknown`. The failure phases of the faults
//! along the way are checked too, and the request record shows each telegram exactly once.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

use paygent_conformance::sim::Sim;
use paygent_core::config::ConfigSource;
use paygent_core::confirm::{Confirmation, inquire};
use paygent_core::error::FailurePhase;
use paygent_core::{Dialect, Module};

fn card(props: &std::path::Path, trading_id: &str, fault: &str) -> Module {
    let mut m = Module::new(
        Dialect::Php,
        ConfigSource::PhpProperties(props.to_path_buf()),
    );
    m.init().unwrap();
    for (k, v) in [
        ("merchant_id", "10000"),
        ("telegram_kind", "020"),
        ("trading_id", trading_id),
        ("payment_amount", "1500"),
        ("card_number", "4111111111111111"),
        ("card_valid_term", "1230"),
        ("sim_fault", fault),
    ] {
        if !v.is_empty() {
            m.req_put(k.as_bytes(), v.as_bytes());
        }
    }
    let _ = m.post();
    m
}

fn sent(sim: &Sim, trading_id: &str) -> usize {
    let record = std::fs::read_to_string(&sim.record).unwrap_or_default();
    let needle = format!("trading_id={trading_id}&");
    record
        .lines()
        .filter(|l| l.contains("/n/card/request") && l.contains(&needle))
        .count()
}

#[test]
fn found_not_found_and_unknown() {
    let work = tempfile::tempdir().unwrap();
    let sim = Sim::start(work.path(), &paygent_conformance::cases_dir()).unwrap();
    let props = sim.php_properties(work.path(), 2, "");
    let run = std::process::id();

    // Processed, then the connection closed without a reply: maybe_sent, and found.
    for fault in ["processed:close", "processed:reset", "processed:truncate"] {
        let id = format!("confirm-{run}-{}", fault.replace(':', "-"));
        let m = card(&props, &id, fault);
        assert_eq!(m.failure_phase(), Some(FailurePhase::MaybeSent), "{fault}");
        assert_eq!(sent(&sim, &id), 1, "{fault}: sent exactly once");
        match m.confirm() {
            Confirmation::Found {
                payment_id,
                trading_id,
                payment_status,
                payment_amount,
                ..
            } => {
                assert_eq!(payment_id.len(), 18, "{fault}");
                assert_eq!(trading_id, id.as_bytes());
                assert_eq!(payment_status, b"20", "{fault}: authorised");
                assert_eq!(payment_amount, b"1500");
            }
            other => panic!("{fault}: {other:?}"),
        }
    }

    // The gateway never processed it (closed before processing): maybe_sent, not_found.
    let id = format!("confirm-{run}-lost");
    let m = card(&props, &id, "close");
    assert_eq!(m.failure_phase(), Some(FailurePhase::MaybeSent));
    assert_eq!(m.confirm(), Confirmation::NotFound);
    assert_eq!(m.confirm().outcome(), "not_found");

    // A payment that went through normally: no failure phase; found as well.
    let id = format!("confirm-{run}-ok");
    let m = card(&props, &id, "");
    assert_eq!(m.failure_phase(), None);
    assert_eq!(m.confirm().outcome(), "found");

    // By id from outside an object (the CLI's way).
    let c = inquire(
        Dialect::Php,
        ConfigSource::PhpProperties(props.clone()),
        id.as_bytes(),
        b"",
        &[(b"merchant_id", b"10000")],
    );
    assert_eq!(c.outcome(), "found");

    // The inquiry cannot be made (gateway down): unknown, with the module's reason.
    let down = tempfile::tempdir().unwrap();
    let dead = Sim::start(down.path(), &paygent_conformance::cases_dir()).unwrap();
    let dead_props = dead.php_properties(down.path(), 2, "");
    drop(dead);
    let c = inquire(
        Dialect::Php,
        ConfigSource::PhpProperties(dead_props),
        id.as_bytes(),
        b"",
        &[(b"merchant_id", b"10000")],
    );
    match c {
        Confirmation::Unknown { reason } => assert!(reason.starts_with(b"E02005"), "{reason:?}"),
        other => panic!("{other:?}"),
    }
    // Nothing to ask about.
    assert_eq!(
        inquire(
            Dialect::Php,
            ConfigSource::PhpProperties(props),
            b"",
            b"",
            &[]
        )
        .outcome(),
        "unknown"
    );
}

#[test]
fn delay_past_the_timeout_is_maybe_sent_and_found_later() {
    let work = tempfile::tempdir().unwrap();
    let sim = Sim::start(work.path(), &paygent_conformance::cases_dir()).unwrap();
    let props = sim.php_properties(work.path(), 2, "paygentB2Bmodule.retry_not_sent=2\n");
    let id = format!("confirm-{}-slow", std::process::id());
    // The simulator processes it after 3 s; the module's timeout is 2 s.
    let m = card(&props, &id, "delay:3000");
    assert_eq!(m.failure_phase(), Some(FailurePhase::MaybeSent));
    assert_eq!(
        sent(&sim, &id),
        1,
        "never retried, retry_not_sent notwithstanding"
    );
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(m.confirm().outcome(), "found");
}
