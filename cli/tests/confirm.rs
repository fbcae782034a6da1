//! `paygent confirm` end to end: the real binary against the simulator, with a PHP and a Perl
//! configuration file; exit codes 0 found, 1 not found, 2 unknown; `--json` parsed as JSON.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

use std::path::Path;
use std::process::Command;

use paygent_conformance::sim::Sim;
use paygent_core::config::ConfigSource;
use paygent_core::{Dialect, Module};

fn perl_config(dir: &Path, sim: &Sim) -> std::path::PathBuf {
    let (pki, host) = (sim.pki.display(), format!("https://127.0.0.1:{}", sim.port));
    let path = dir.join("paygent.properties");
    std::fs::write(
        &path,
        format!(
            "our $HTTPS_CERT_FILE = '{pki}/client.crt';\nour $HTTPS_KEY_FILE = '{pki}/client.key';\n\
             our $HTTPS_CA_FILE = '{pki}/ca.pem';\nour $default_id = 'test_connect_id';\n\
             our $default_password = 'test_connect_pw';\nour $merchant_id = '10000';\n\
             our %url = ('094' => '{host}/n/ref/paymentref');\n1;\n"
        ),
    )
    .unwrap();
    path
}

fn confirm(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_paygent"))
        .arg("confirm")
        .args(args)
        .env("LANG", "C")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn found_not_found_unknown_with_both_config_files() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(dir.path(), &paygent_conformance::cases_dir()).unwrap();
    let php = sim.php_properties(dir.path(), 5, "");
    let perl = perl_config(dir.path(), &sim);
    let id = format!("cli-confirm-{}", std::process::id());
    // Processed by the simulator, then its reply lost.
    assert_eq!(
        card(&php, &id, "processed:close").failure_phase(),
        Some(paygent_core::error::FailurePhase::MaybeSent)
    );

    for config in [&php, &perl] {
        let c = config.to_str().unwrap();
        let (code, out) = confirm(&[
            "--config",
            c,
            "--trading-id",
            &id,
            "--merchant-id",
            "10000",
            "--json",
        ]);
        assert_eq!(code, 0, "{out}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["outcome"], "found");
        assert_eq!(v["trading_id"], id.as_str());
        assert_eq!(v["payment_status"], "20");
        assert_eq!(v["payment_amount"], "2500");
        assert_eq!(v["payment_id"].as_str().unwrap().len(), 18);

        let (code, out) = confirm(&[
            "--config",
            c,
            "--trading-id",
            "never-sent",
            "--merchant-id",
            "10000",
            "--json",
        ]);
        assert_eq!(code, 1, "{out}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["outcome"], "not_found");
    }
    // Human output in Japanese, and unknown when the gateway cannot be reached.
    let (code, out) = confirm(&[
        "--config",
        php.to_str().unwrap(),
        "--trading-id",
        &id,
        "--merchant-id",
        "10000",
        "--lang",
        "ja",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("決済情報がゲートウェイにあります"), "{out}");
    drop(sim);
    let (code, out) = confirm(&[
        "--config",
        php.to_str().unwrap(),
        "--trading-id",
        &id,
        "--json",
    ]);
    assert_eq!(code, 2, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["outcome"], "unknown");
    assert!(v["reason"].as_str().unwrap().starts_with("E02005"));
    // No configuration at all: exit 2 with a remedy.
    let out = Command::new(env!("CARGO_BIN_EXE_paygent"))
        .args(["confirm", "--trading-id", "x"])
        .current_dir(dir.path().join("..").canonicalize().unwrap())
        .env_remove("PAYGENT_PROPERTIES")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// A card payment with `sim_fault` (`processed:close`: made, reply lost; `close`: never made,
/// reply lost), through the module as PHP sends it.
fn card(config: &Path, trading_id: &str, fault: &str) -> Module {
    let mut m = Module::new(
        Dialect::Php,
        ConfigSource::PhpProperties(config.to_path_buf()),
    );
    m.init().unwrap();
    for (k, v) in [
        ("merchant_id", "10000"),
        ("telegram_kind", "020"),
        ("trading_id", trading_id),
        ("payment_amount", "2500"),
        ("card_number", "4111111111111111"),
        ("card_valid_term", "1230"),
        ("sim_fault", fault),
    ] {
        m.req_put(k.as_bytes(), v.as_bytes());
    }
    let _ = m.post();
    m
}

fn jsonl(out: &str) -> Vec<serde_json::Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Issue 20 item 4: the module journals every maybe_sent telegram (not an inquiry), and
/// `confirm --pending` resolves them: found → processed; not found → pending until the settle
/// time, then not_processed; a kind 094 cannot show stays pending until closed by hand.
#[test]
fn pending_journal_is_resolved_by_inquiry() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(dir.path(), &paygent_conformance::cases_dir()).unwrap();
    let journal = dir.path().join("journal");
    std::fs::create_dir(&journal).unwrap();
    std::fs::set_permissions(&journal, std::fs::Permissions::from_mode(0o700)).unwrap();
    let php = sim.php_properties(
        dir.path(),
        5,
        &format!("paygentB2Bmodule.journal_dir={}\n", journal.display()),
    );
    let c = php.to_str().unwrap();
    let run = std::process::id();
    let (made, lost) = (format!("made-{run}"), format!("lost-{run}"));
    for (id, fault) in [(&made, "processed:close"), (&lost, "close")] {
        let m = card(&php, id, fault);
        assert_eq!(
            m.failure_phase(),
            Some(paygent_core::error::FailurePhase::MaybeSent)
        );
    }
    // an inquiry whose reply is lost changes nothing: not journaled
    let mut m = Module::new(Dialect::Php, ConfigSource::PhpProperties(php.clone()));
    m.init().unwrap();
    for (k, v) in [
        ("merchant_id", "10000"),
        ("telegram_kind", "094"),
        ("trading_id", made.as_str()),
        ("sim_fault", "close"),
    ] {
        m.req_put(k.as_bytes(), v.as_bytes());
    }
    assert!(m.post().is_err());
    // a stored card registration: journaled, but 094 cannot show it
    let mut m = Module::new(Dialect::Php, ConfigSource::PhpProperties(php.clone()));
    m.init().unwrap();
    for (k, v) in [
        ("merchant_id", "10000"),
        ("telegram_kind", "025"),
        ("customer_id", "cust-1"),
        ("sim_fault", "close"),
    ] {
        m.req_put(k.as_bytes(), v.as_bytes());
    }
    assert!(m.post().is_err());
    let text = std::fs::read_to_string(journal.join("paygent-journal.jsonl")).unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(!text.contains("4111111111111111") && !text.contains("test_connect_pw"));
    let mode = std::fs::metadata(journal.join("paygent-journal.jsonl"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    // Within the settle time: the lost one stays pending.
    let (code, out) = confirm(&["--config", c, "--pending", "--jsonl"]);
    assert_eq!(code, 1, "{out}");
    let rows = jsonl(&out);
    let by_id = |rows: &[serde_json::Value], id: &str| {
        rows.iter()
            .find(|r| r["trading_id"] == id)
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(rows.len(), 3, "{out}");
    let r = by_id(&rows, &made);
    assert_eq!(r["resolution"], "processed", "{out}");
    assert_eq!(r["gateway_payment_id"].as_str().unwrap().len(), 18);
    assert_eq!(r["payment_status"], "20");
    assert_eq!(by_id(&rows, &lost)["resolution"], "pending");
    assert_eq!(by_id(&rows, &lost)["inquiry"], "not_found");
    let stored = rows.iter().find(|r| r["telegram_kind"] == "025").unwrap();
    assert_eq!(stored["resolution"], "pending");
    let stored_id = stored["id"].as_str().unwrap().to_string();

    // After the settle time: not processed. The processed one is not asked again.
    let (code, out) = confirm(&["--config", c, "--pending", "--jsonl", "--settle", "0"]);
    assert_eq!(code, 1, "{out}");
    let rows = jsonl(&out);
    assert_eq!(rows.len(), 2, "{out}");
    assert_eq!(by_id(&rows, &lost)["resolution"], "not_processed");

    // The stored card, checked by hand, is closed by its id: nothing is left.
    let (code, out) = confirm(&["--config", c, "--resolve", &stored_id]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = confirm(&["--config", c, "--resolve", &stored_id]);
    assert_eq!(code, 2, "{out}");
    let (code, out) = confirm(&["--config", c, "--pending", "--jsonl"]);
    assert_eq!((code, out.as_str()), (0, ""));
    // Human output in Japanese.
    let (code, _) = confirm(&["--config", c, "--pending", "--lang", "ja"]);
    assert_eq!(code, 0);

    // journal_dir=off: nothing to resolve, a configuration error.
    let off = dir.path().join("off");
    std::fs::create_dir(&off).unwrap();
    let php_off = sim.php_properties(&off, 5, "paygentB2Bmodule.journal_dir=off\n");
    let (code, _) = confirm(&["--config", php_off.to_str().unwrap(), "--pending"]);
    assert_eq!(code, 2);
    // --jsonl needs --pending
    let (code, _) = confirm(&["--config", c, "--trading-id", "x", "--jsonl"]);
    assert_eq!(code, 2);
}

/// Issue 20 item 4, "and the notices store when there is one": with `--db`, a journaled
/// telegram whose payment a stored notice (091, `paygent notices sync`) shows processed is
/// resolved without a 094 — here with the gateway gone, so no 094 could answer. A payment the
/// store does not have is still asked about (094), and stays pending when that fails.
#[test]
fn pending_journal_is_resolved_by_the_stored_notices() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(dir.path(), &paygent_conformance::cases_dir()).unwrap();
    let journal = dir.path().join("journal");
    std::fs::create_dir(&journal).unwrap();
    std::fs::set_permissions(&journal, std::fs::Permissions::from_mode(0o700)).unwrap();
    let php = sim.php_properties(
        dir.path(),
        5,
        &format!(
            "paygentB2Bmodule.journal_dir={}\npaygentB2Bmodule.merchant_id=10000\n",
            journal.display()
        ),
    );
    let c = php.to_str().unwrap();
    let run = std::process::id();
    let (made, lost) = (format!("made-{run}"), format!("lost-{run}"));
    for (id, fault) in [(&made, "processed:close"), (&lost, "close")] {
        card(&php, id, fault);
    }
    // The merchant's notices batch stores the payment's notice.
    let db = format!("sqlite:{}", dir.path().join("notices.db").display());
    let notices = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_paygent"))
            .arg("notices")
            .args(args)
            .env("LANG", "C")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "notices {args:?}: {text}");
    };
    notices(&["init", "--db", &db]);
    notices(&["sync", "--config", c, "--db", &db]);
    drop(sim);

    // Without the store, nothing can be known: both stay pending.
    let (code, out) = confirm(&["--config", c, "--pending", "--jsonl"]);
    assert_eq!(code, 1, "{out}");
    let rows = jsonl(&out);
    assert_eq!(rows.len(), 2, "{out}");
    assert!(rows.iter().all(|r| r["resolution"] == "pending"), "{out}");

    // With it: the payment made is processed by its notice, the other still pending (094 failed).
    let (code, out) = confirm(&["--config", c, "--pending", "--jsonl", "--db", &db]);
    assert_eq!(code, 1, "{out}");
    let rows = jsonl(&out);
    let row = |id: &str| rows.iter().find(|r| r["trading_id"] == id).unwrap().clone();
    let r = row(&made);
    assert_eq!(r["resolution"], "processed", "{out}");
    assert_eq!(r["answered_by"], "notices", "{out}");
    assert_eq!(r["payment_status"], "20");
    assert_eq!(r["payment_amount"], "2500");
    assert_eq!(r["gateway_payment_id"].as_str().unwrap().len(), 18);
    let r = row(&lost);
    assert_eq!(r["resolution"], "pending", "{out}");
    assert_eq!(r["answered_by"], "094", "{out}");
    assert_eq!(r["inquiry"], "unknown", "{out}");

    // Resolved: only the lost one is left.
    let (code, out) = confirm(&["--config", c, "--pending", "--jsonl", "--db", &db]);
    assert_eq!(code, 1);
    assert_eq!(jsonl(&out).len(), 1, "{out}");

    // A --db that cannot be opened is exit 2; --db needs --pending.
    let missing = format!("sqlite:{}", dir.path().join("none/x.db").display());
    let (code, _) = confirm(&["--config", c, "--pending", "--db", &missing]);
    assert_eq!(code, 2);
    let (code, _) = confirm(&["--config", c, "--trading-id", "x", "--db", &db]);
    assert_ne!(code, 0);
}
