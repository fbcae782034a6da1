//! Remedies name the real cause (issue 20 item 2), with the real binary: `timeout_value=0` is
//! E02001, a configuration value — not "a required telegram parameter is missing" — both in
//! `send` and in `doctor`, which no longer calls such a file OK.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn paygent(args: &[&str], lang: &str) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_paygent"))
        .args(args)
        .env("LANG", lang)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("PAYGENT_PROPERTIES")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn config(dir: &Path, timeout: &str, select: &str) -> String {
    let cfg = dir.join(format!("t{timeout}-s{select}.php"));
    std::fs::write(
        &cfg,
        format!(
            "<?php\npaygentB2Bmodule.not_use_client_cert=true\npaygentB2Bmodule.not_use_ca_cert=true\n\
             paygentB2Bmodule.timeout_value={timeout}\npaygentB2Bmodule.log_output_path=\n\
             paygentB2Bmodule.select_max_cnt={select}\n\
             paygentB2Bmodule.url.094=https://no-such-host.invalid/n/ref/paymentref\n?>\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o600)).unwrap();
    cfg.display().to_string()
}

#[test]
fn timeout_value_0_is_named_as_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    for (timeout, select) in [("0", "2000"), ("35", "0")] {
        let cfg = config(dir.path(), timeout, select);
        let send = [
            "send",
            "--config",
            &cfg,
            "--dry-run",
            "merchant_id=10000",
            "telegram_kind=094",
            "payment_id=1",
        ];
        let (code, _, err) = paygent(&send, "C");
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("E02001"), "{err}");
        assert!(
            err.contains("timeout_value") && err.contains("select_max_cnt"),
            "the remedy names the setting: {err}"
        );
        assert!(!err.contains("telegram parameter is missing"), "{err}");
        let (_, _, err) = paygent(&send, "ja_JP.UTF-8");
        assert!(err.contains("電文パラメータの問題ではありません"), "{err}");

        // doctor: a failure naming the setting, not "read and valid" alone.
        let (code, out, _) = paygent(&["doctor", "--config", &cfg, "--json"], "C");
        assert_eq!(code, 1, "{out}");
        let v: Value = serde_json::from_str(&out).unwrap();
        let check = v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "config.telegram")
            .unwrap_or_else(|| panic!("no config.telegram: {v}"));
        assert_eq!(check["status"], "fail", "{check}");
        assert_eq!(check["code"], "E02001");
        assert_eq!(check["timeout_value"], timeout);
        assert!(
            check["remedy"].as_str().unwrap().contains("timeout_value"),
            "{check}"
        );
    }
    let ok = config(dir.path(), "35", "2000");
    let (_, out, _) = paygent(&["doctor", "--config", &ok, "--json"], "C");
    let v: Value = serde_json::from_str(&out).unwrap();
    let check = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "config.telegram")
        .unwrap();
    assert_eq!(check["status"], "ok", "{check}");
}
