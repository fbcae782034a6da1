//! How the real `paygent` binary reads its configuration file (issue 19 item 2): a Perl
//! `paygent.properties` is read, never run — a file that would run a command is refused with
//! the line named and the command never runs — and a configuration or client key file that
//! another user could have written is refused (exit 2); `doctor` warns about a configuration or
//! key file other users can read.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// `paygent <args>` with English messages: (exit code, stdout, stderr).
fn paygent(args: &[&str], env: &[(&str, &Path)]) -> (i32, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_paygent"));
    c.args(args)
        .env("LANG", "C")
        .env_remove("PAYGENT_PROPERTIES");
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(path: &Path, text: &str, mode: u32) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_perl_file_that_would_run_a_command_is_refused_and_nothing_runs() {
    let dir = tempfile::tempdir().unwrap();
    let pwned = dir.path().join("pwned");
    let cfg = dir.path().join("paygent.properties");
    // The command on line 3, after lines a merchant file really has.
    write(
        &cfg,
        &format!(
            "# paygent.properties\nour $HTTPS_CERT_FILE = '/k/client.pem';\n\
             system(q{{touch {}}}); 1;\n",
            pwned.display()
        ),
        0o600,
    );
    let runs: [&[&str]; 3] = [
        &["doctor", "--config", s(&cfg), "--json"],
        &["doctor", "--config", s(&cfg)],
        &[
            "send",
            "--config",
            s(&cfg),
            "--dry-run",
            "merchant_id=10000",
            "telegram_kind=094",
            "payment_id=1",
        ],
    ];
    for args in runs {
        let (code, out, err) = paygent(args, &[]);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(
            err.contains("line 3") && err.contains("system"),
            "{args:?}: the refusal names the line and what was found: {err}"
        );
        assert!(!pwned.exists(), "{args:?}: the command ran");
    }
    // Found through $PAYGENT_PROPERTIES rather than --config: the same.
    let (code, _, err) = paygent(&["doctor"], &[("PAYGENT_PROPERTIES", &cfg)]);
    assert_eq!(code, 2, "{err}");
    assert!(!pwned.exists(), "$PAYGENT_PROPERTIES: the command ran");
    // Backticks, string concatenation, a `do FILE`: refused too, never run.
    for (text, found) in [
        (
            format!("our $HTTPS_CERT_FILE = `touch {}`;\n", pwned.display()),
            "backticks",
        ),
        (
            format!(
                "our $HTTPS_CERT_FILE = '/k/' . `touch {}`;\n",
                pwned.display()
            ),
            "concatenation",
        ),
        (format!("do '{}';\n", pwned.display()), "`do`"),
    ] {
        write(&cfg, &text, 0o600);
        let (code, _, err) = paygent(&["doctor", "--config", s(&cfg)], &[]);
        assert_eq!(code, 2, "{text}: {err}");
        assert!(
            err.contains("line 1") && err.contains(found),
            "{text}: {err}"
        );
        assert!(!pwned.exists(), "{text}: the command ran");
    }
}

#[test]
fn a_static_perl_file_is_read_as_the_module_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("paygent.properties");
    write(
        &cfg,
        "package Paygent::B2B;\nuse strict;\nuse warnings;\n\n\
         # the kit's files\nour $HTTPS_CERT_FILE = '/k/client.pem';\n\
         our $HTTPS_KEY_FILE = \"/k/client.key\";\nour $HTTPS_CA_FILE = '/k/ca.pem';\n\
         our $timeout_value = 35;\nour $telegram_kind_ref = ['027', '090'];\n\
         our %url = (\n    '094' => 'https://gw.example/n/ref/paymentref',\n);\n1;\n",
        0o600,
    );
    let (code, out, err) = paygent(
        &[
            "send",
            "--config",
            s(&cfg),
            "--dry-run",
            "merchant_id=10000",
            "telegram_kind=094",
            "payment_id=1",
        ],
        &[],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("https://gw.example/n/ref/paymentref"),
        "{out}{err}"
    );
}

/// chown to `nobody`; `false` (the test skips, loudly) only outside CI (`CI=true` or
/// `PAYGENT_REQUIRE_ALL=1`), where this user may not chown.
fn give_to_nobody(path: &Path) -> bool {
    match std::os::unix::fs::chown(path, Some(65534), Some(65534)) {
        Ok(()) => true,
        Err(e) => {
            let require_all = std::env::var("CI").is_ok_and(|v| v == "true")
                || std::env::var("PAYGENT_REQUIRE_ALL").is_ok_and(|v| v == "1");
            assert!(
                !require_all,
                "CI: chown {} to nobody failed ({e}): this test must run as root",
                path.display()
            );
            eprintln!(
                "SKIPPED (not root?): chown {} to nobody: {e} — the owner check is NOT tested",
                path.display()
            );
            false
        }
    }
}

fn php_config(dir: &Path, key: &Path, mode: u32) -> PathBuf {
    // A closed port: doctor's network checks fail fast; only the file checks matter here.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = dir.join("modenv_properties.php");
    write(
        &cfg,
        &format!(
            "<?php\npaygentB2Bmodule.client_file_path={}\n\
             paygentB2Bmodule.ca_file_path={}\npaygentB2Bmodule.timeout_value=5\n\
             paygentB2Bmodule.log_output_path=\npaygentB2Bmodule.select_max_cnt=2000\n\
             paygentB2Bmodule.url.02=https://127.0.0.1:{port}/n/card/request\n?>\n",
            key.display(),
            dir.join("ca.pem").display()
        ),
        mode,
    );
    cfg
}

fn doctor_json(cfg: &Path) -> (i32, Value, String) {
    let (code, out, err) = paygent(&["doctor", "--config", s(cfg), "--json"], &[]);
    let v = serde_json::from_str(&out).unwrap_or(Value::Null);
    (code, v, err)
}

/// The worst status of check `id` ("" when absent).
fn status(v: &Value, id: &str) -> String {
    let rank = |s: &str| {
        ["", "skip", "ok", "warn", "fail"]
            .iter()
            .position(|x| *x == s)
    };
    v["checks"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|c| c["id"] == id)
                .map(|c| c["status"].as_str().unwrap_or_default().to_string())
                .max_by_key(|s| rank(s))
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

#[test]
fn files_other_users_could_write_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("client.pem");
    write(&key, "not a real key\n", 0o600);
    write(&dir.path().join("ca.pem"), "not a real CA\n", 0o644);
    let cfg = php_config(dir.path(), &key, 0o600);
    let (code, v, err) = doctor_json(&cfg);
    assert_eq!(code, 1, "a usable file (the network checks fail): {v}{err}");
    assert_eq!(status(&v, "config.parse"), "ok", "{v}");

    // Writable by others, by the group: refused, with the remedy.
    for mode in [0o666, 0o620] {
        std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(mode)).unwrap();
        let (code, _, err) = paygent(&["doctor", "--config", s(&cfg)], &[]);
        assert_eq!(code, 2, "config mode {mode:o}: {err}");
        assert!(err.contains("chmod go-w"), "{err}");
        let (code, _, err) = paygent(
            &[
                "send",
                "--config",
                s(&cfg),
                "--dry-run",
                "telegram_kind=020",
            ],
            &[],
        );
        assert_eq!(code, 2, "send, config mode {mode:o}: {err}");
    }
    std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o600)).unwrap();

    // A client key file others may write: refused too.
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o666)).unwrap();
    let (code, _, err) = paygent(&["doctor", "--config", s(&cfg)], &[]);
    assert_eq!(code, 2, "key mode 0666: {err}");
    assert!(err.contains(s(&key)), "{err}");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();

    // A link: the file that is checked must be the file that is read.
    let link = dir.path().join("link.php");
    std::os::unix::fs::symlink(&cfg, &link).unwrap();
    let (code, _, err) = paygent(&["doctor", "--config", s(&link)], &[]);
    assert_eq!(code, 2, "a link: {err}");

    // A FIFO is not read (and does not hang).
    let fifo = dir.path().join("fifo.php");
    let c = std::ffi::CString::new(s(&fifo)).unwrap();
    // SAFETY: a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let (code, _, err) = paygent(&["doctor", "--config", s(&fifo)], &[]);
    assert_eq!(code, 2, "a FIFO: {err}");

    // Owned by another user (not root): refused, the config and the key alike.
    if !give_to_nobody(&cfg) {
        return;
    }
    let (code, _, err) = paygent(&["doctor", "--config", s(&cfg)], &[]);
    assert_eq!(code, 2, "config owned by nobody: {err}");
    assert!(err.contains("65534"), "{err}");
    std::os::unix::fs::chown(&cfg, Some(0), Some(0)).unwrap();
    assert!(give_to_nobody(&key));
    let (code, _, err) = paygent(&["doctor", "--config", s(&cfg)], &[]);
    assert_eq!(code, 2, "key owned by nobody: {err}");
    assert!(err.contains(s(&key)), "{err}");
}

#[test]
fn doctor_warns_about_files_others_can_read() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("client.pem");
    write(&key, "not a real key\n", 0o644);
    write(&dir.path().join("ca.pem"), "not a real CA\n", 0o644);
    let cfg = php_config(dir.path(), &key, 0o644);
    let (_, v, err) = doctor_json(&cfg);
    assert_eq!(status(&v, "config.permissions"), "warn", "{v}{err}");
    assert_eq!(status(&v, "client_cert.permissions"), "warn", "{v}");
    assert!(v.to_string().contains("chmod 600"), "a remedy: {v}");

    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o640)).unwrap();
    let (_, v, err) = doctor_json(&cfg);
    assert_eq!(status(&v, "config.permissions"), "ok", "{v}{err}");
    assert_eq!(status(&v, "client_cert.permissions"), "ok", "{v}");

    // A separate key file (client_key_file_path) is the one checked.
    let cert = dir.path().join("client.crt");
    write(&cert, "not a real certificate\n", 0o644);
    let text = std::fs::read_to_string(&cfg).unwrap().replace(
        &format!("client_file_path={}", key.display()),
        &format!(
            "client_file_path={}\npaygentB2Bmodule.client_key_file_path={}",
            cert.display(),
            key.display()
        ),
    );
    write(&cfg, &text, 0o600);
    let (_, v, err) = doctor_json(&cfg);
    assert_eq!(status(&v, "client_cert.permissions"), "ok", "{v}{err}");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o604)).unwrap();
    let (_, v, err) = doctor_json(&cfg);
    assert_eq!(status(&v, "client_cert.permissions"), "warn", "{v}{err}");
}
