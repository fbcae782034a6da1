//! `paygent doctor`'s journal checks (issue 20 item 4): `journal_dir` names a usable directory,
//! and a refused (mode), missing or unwritable one by its cause, as a warning with a remedy;
//! `journal.pending` counts the maybe_sent records not yet resolved (a planted record) and
//! names `paygent confirm --pending`, and is ok again once the record is resolved. The
//! unwritable case runs doctor as `nobody` when the test runs as root (root may write anything).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use paygent_core::journal::{self, Entry};
use paygent_core::transport::CacheDir;
use serde_json::Value;

mod common;

const NOBODY: u32 = 65534;

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A configuration with `journal_dir=DIR` whose one URL is a closed port (the TLS checks fail
/// at once; only the journal checks are looked at).
fn config(dir: &Path, name: &str, journal_dir: &Path) -> std::path::PathBuf {
    let cfg = dir.join(format!("{name}.php"));
    std::fs::write(
        &cfg,
        format!(
            "<?php\npaygentB2Bmodule.not_use_client_cert=true\npaygentB2Bmodule.not_use_ca_cert=true\n\
             paygentB2Bmodule.timeout_value=2\npaygentB2Bmodule.log_output_path=\n\
             paygentB2Bmodule.select_max_cnt=2000\npaygentB2Bmodule.journal_dir={}\n\
             paygentB2Bmodule.url.094=https://127.0.0.1:1/n/ref/paymentref\n?>\n",
            journal_dir.display()
        ),
    )
    .unwrap();
    chmod(&cfg, 0o644);
    cfg
}

/// `paygent doctor --json` (as (uid, a directory it can enter) when given): the journal checks
/// by id.
fn doctor(config: &Path, lang: &str, user: Option<(u32, &Path)>) -> (Value, Value) {
    let mut c = common::paygent_as(user);
    c.arg("doctor")
        .arg("--config")
        .arg(config)
        .arg("--json")
        .env("LANG", lang)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    let out = c.output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {} {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let find = |id: &str| {
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .cloned()
            .unwrap_or(Value::Null)
    };
    (find("journal_dir"), find("journal.pending"))
}

#[test]
fn the_journal_directory_and_its_pending_records_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    // Others may enter: the unwritable case runs doctor as nobody when this runs as root.
    chmod(dir.path(), 0o755);

    // Usable, nothing pending.
    let good = dir.path().join("journal");
    std::fs::create_dir(&good).unwrap();
    chmod(&good, 0o700);
    let cfg = config(dir.path(), "good", &good);
    let (d, p) = doctor(&cfg, "C", None);
    assert_eq!(d["status"], "ok", "{d}");
    assert_eq!(d["dir"], good.display().to_string());
    assert_eq!(
        (p["status"].as_str(), p["pending"].as_u64()),
        (Some("ok"), Some(0)),
        "{p}"
    );

    // A planted maybe_sent record: a warning with its count and `paygent confirm --pending`.
    let opened = CacheDir::open(good.as_os_str().as_bytes()).unwrap();
    let entry = Entry::new(
        b"020",
        b"10000",
        b"ORDER-PLANTED",
        b"",
        b"E02005: 56: Connection reset by peer",
    );
    journal::record(&opened, &entry).unwrap();
    let (d, p) = doctor(&cfg, "C", None);
    assert_eq!(d["status"], "ok", "{d}");
    assert_eq!(p["status"], "warn", "{p}");
    assert_eq!(p["pending"], 1, "{p}");
    assert_eq!(p["oldest_time"], entry.time, "{p}");
    assert!(
        p["message"].as_str().unwrap().contains("1 maybe_sent"),
        "{p}"
    );
    assert!(
        p["remedy"]
            .as_str()
            .unwrap()
            .contains("paygent confirm --pending"),
        "{p}"
    );
    let (_, p_ja) = doctor(&cfg, "ja_JP.UTF-8", None);
    assert!(
        p_ja["message_local"].as_str().unwrap().contains("1 件"),
        "{p_ja}"
    );
    assert!(
        p_ja["remedy_local"]
            .as_str()
            .unwrap()
            .contains("paygent confirm --pending"),
        "{p_ja}"
    );
    // Resolved (by hand, as `paygent confirm --resolve` does): nothing pending again.
    journal::resolve_by_hand(&opened, &entry.id, journal::now_secs()).unwrap();
    let (_, p) = doctor(&cfg, "C", None);
    assert_eq!(
        (p["status"].as_str(), p["pending"].as_u64()),
        (Some("ok"), Some(0)),
        "{p}"
    );

    // A directory other users may read: refused by the directory rule, its mode named.
    chmod(&good, 0o750);
    let (d, _) = doctor(&cfg, "C", None);
    assert_eq!(d["status"], "warn", "{d}");
    assert!(d["message"].as_str().unwrap().contains("mode 0750"), "{d}");
    assert!(d["remedy"].as_str().unwrap().contains("0700"), "{d}");
    chmod(&good, 0o700);

    // Missing: named.
    let missing = dir.path().join("no-such-journal");
    let (d, p) = doctor(&config(dir.path(), "missing", &missing), "C", None);
    assert_eq!(d["status"], "warn", "{d}");
    assert!(d["message"].as_str().unwrap().contains("missing"), "{d}");
    assert!(p.is_null(), "no pending count without a journal: {p}");

    // Not writable by the user doctor runs as (private to it, mode 0500).
    let read_only = dir.path().join("read-only");
    std::fs::create_dir(&read_only).unwrap();
    // SAFETY: geteuid has no preconditions.
    let as_root = unsafe { libc::geteuid() } == 0;
    if as_root {
        std::os::unix::fs::chown(&read_only, Some(NOBODY), Some(NOBODY)).unwrap();
    }
    chmod(&read_only, 0o500);
    let cfg = config(dir.path(), "read-only", &read_only);
    let (d, _) = doctor(&cfg, "C", as_root.then_some((NOBODY, dir.path())));
    assert_eq!(d["status"], "warn", "{d}");
    assert!(
        d["message"].as_str().unwrap().contains("not writable"),
        "{d}"
    );
    assert!(d["remedy"].as_str().unwrap().contains("chown"), "{d}");
    let (d, _) = doctor(&cfg, "ja_JP.UTF-8", as_root.then_some((NOBODY, dir.path())));
    assert!(
        d["message_local"]
            .as_str()
            .unwrap()
            .contains("書き込めません"),
        "{d}"
    );
}
