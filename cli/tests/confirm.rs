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

/// A card payment the simulator processes, then loses the reply of.
fn lost_payment(config: &Path, trading_id: &str) {
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
        ("sim_fault", "processed:close"),
    ] {
        m.req_put(k.as_bytes(), v.as_bytes());
    }
    assert!(m.post().is_err());
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
    lost_payment(&php, &id);

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
