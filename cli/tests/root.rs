//! Running as root warns (issue 20 item 2): once, on stderr, for every command that reads the
//! configuration, naming the user to run as (the configuration file's owner when not root);
//! `doctor` has it as a warning check (`process.user`). Run as another user: no warning.
//! Needs root; outside CI (`CI=true` or `PAYGENT_REQUIRE_ALL=1`) it skips loudly otherwise.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use serde_json::Value;

mod common;

fn require_all() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
        || std::env::var("PAYGENT_REQUIRE_ALL").is_ok_and(|v| v == "1")
}

/// `paygent ARGS` as (uid, a directory it can enter) (None: this user): (exit code, stdout,
/// stderr).
fn paygent(args: &[&str], user: Option<(u32, &Path)>) -> (i32, String, String) {
    let mut c = common::paygent_as(user);
    c.args(args)
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("PAYGENT_PROPERTIES");
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn config(dir: &Path) -> String {
    let cfg = dir.join("modenv_properties.php");
    std::fs::write(
        &cfg,
        "<?php\npaygentB2Bmodule.not_use_client_cert=true\npaygentB2Bmodule.not_use_ca_cert=true\n\
         paygentB2Bmodule.timeout_value=2\npaygentB2Bmodule.log_output_path=\n\
         paygentB2Bmodule.select_max_cnt=2000\n\
         paygentB2Bmodule.url.094=https://no-such-host.invalid/n/ref/paymentref\n?>\n",
    )
    .unwrap();
    std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o644)).unwrap();
    cfg.display().to_string()
}

#[test]
fn root_is_warned_once_with_the_user_to_run_as() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        assert!(!require_all(), "CI: this test must run as root");
        eprintln!("SKIPPED (not root): the root warning is NOT tested");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // Others may enter the directory: the same file is read as `nobody` below.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let cfg = config(dir.path());
    let send = [
        "send",
        "--config",
        &cfg,
        "--dry-run",
        "telegram_kind=094",
        "payment_id=1",
    ];
    let (code, _, err) = paygent(&send, None);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err.matches("running as root").count(), 1, "once: {err}");
    assert!(err.contains("runuser -u "), "{err}");
    let (_, _, err) = paygent(&["confirm", "--config", &cfg, "--trading-id", "x"], None);
    assert_eq!(err.matches("running as root").count(), 1, "confirm: {err}");
    // The configuration file's owner, when not root, is the user to run as.
    std::os::unix::fs::chown(Path::new(&cfg), Some(65534), Some(65534)).unwrap();
    let (_, _, err) = paygent(&send, None);
    let nobody = err
        .lines()
        .find(|l| l.contains("running as root"))
        .unwrap_or_default()
        .to_string();
    assert!(
        nobody.contains("runuser -u nobody --") || nobody.contains("runuser -u 65534 --"),
        "{err}"
    );
    std::os::unix::fs::chown(Path::new(&cfg), Some(0), Some(0)).unwrap();
    // doctor: a warning check, in JSON and in the text report.
    let (_, out, err) = paygent(&["doctor", "--config", &cfg, "--json"], None);
    let v: Value = serde_json::from_str(&out).unwrap();
    let user = check(&v, "process.user");
    assert_eq!(user["status"], "warn", "{user}");
    assert_eq!(user["uid"], 0);
    assert!(!user["remedy"].as_str().unwrap().is_empty(), "{user}");
    assert_eq!(err.matches("running as root").count(), 1, "{err}");
    let (_, out, _) = paygent(&["doctor", "--config", &cfg], None);
    assert!(
        out.lines()
            .any(|l| l.starts_with('!') && l.contains("process.user")),
        "{out}"
    );
    // Commands that read no configuration and create nothing: no warning.
    let (_, _, err) = paygent(&["completions", "bash"], None);
    assert!(!err.contains("root"), "{err}");

    // Another user: no warning, and doctor's check is ok.
    let (code, _, err) = paygent(&send, Some((65534, dir.path())));
    assert_eq!(code, 0, "as nobody: {err}");
    assert!(!err.contains("running as root"), "{err}");
    let (_, out, _) = paygent(
        &["doctor", "--config", &cfg, "--json"],
        Some((65534, dir.path())),
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    let user = check(&v, "process.user");
    assert_eq!(user["status"], "ok", "{user}");
}

/// The check `id` of a `doctor --json` report.
fn check<'v>(report: &'v Value, id: &str) -> &'v Value {
    report["checks"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no check {id}: {report}"))
}
