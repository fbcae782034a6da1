//! `paygent notices` end to end: the real binary against paygent-sim (mutual TLS), on SQLite
//! always and on PostgreSQL / MariaDB when tests/notices/run.sh provides them
//! (`PAYGENT_TEST_PG_URL`, `PAYGENT_TEST_MYSQL_URL`; each test gets fresh databases).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use paygent_conformance::sim::Sim;
use paygent_notices::testing::store_urls;
use serde_json::Value;

struct Gateway {
    sim: Sim,
    config: PathBuf,
}

fn gateway(dir: &Path, extra: &[&str]) -> Gateway {
    std::fs::create_dir_all(dir).unwrap();
    let sim = Sim::start_with(dir, &paygent_conformance::cases_dir(), extra).unwrap();
    let config = sim.php_properties(dir, 30, "paygentB2Bmodule.merchant_id=10000\n");
    Gateway { sim, config }
}

fn paygent(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_paygent"));
    c.arg("notices")
        .args(args)
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .env_remove("PAYGENT_NOTICES_TEST_PAUSE");
    c
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = paygent(args).output().unwrap();
    result(out)
}

fn result(out: Output) -> (i32, String, String) {
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn init(db: &str) {
    let (code, out, err) = run(&["init", "--db", db]);
    assert_eq!(code, 0, "init {db}: {out}{err}");
}

fn sync_args<'a>(g: &'a Gateway, db: &'a str) -> Vec<&'a str> {
    vec!["sync", "--config", g.config.to_str().unwrap(), "--db", db]
}

/// `key=N` of the summary line.
fn field(summary: &str, key: &str) -> u64 {
    summary
        .split_whitespace()
        .find_map(|w| w.strip_prefix(&format!("{key}=")))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {key}= in {summary:?}"))
}

fn stored(db: &str, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["list", "--db", db, "--json"];
    args.extend_from_slice(extra);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    match serde_json::from_str(&out).unwrap() {
        Value::Array(v) => v,
        v => panic!("not an array: {v}"),
    }
}

fn ids(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["payment_notice_id"].as_str().unwrap().to_string())
        .collect()
}

fn sim_notices(sim: &Sim) -> Vec<Value> {
    let (status, body) = sim.control("/sim/notices", "").unwrap();
    assert_eq!(status, 200);
    let v: Value = serde_json::from_slice(&body).unwrap();
    v["notices"].as_array().unwrap().clone()
}

/// The payment_notice_id each 091 request carried, in order ("" = none).
fn requested_091(sim: &Sim) -> Vec<String> {
    sim.requests_for("/n/ref/paynotice")
        .iter()
        .map(|r| {
            let body = r["body"].as_str().unwrap_or("");
            body.split('&')
                .find_map(|p| p.strip_prefix("payment_notice_id="))
                .unwrap_or("")
                .to_string()
        })
        .collect()
}

#[test]
fn ten_thousand_notices_drained_then_nothing_new() {
    let dir = tempfile::tempdir().unwrap();
    let g = gateway(&dir.path().join("sim"), &["--seed-notices", "10000"]);
    let expected = sim_notices(&g.sim);
    assert_eq!(expected.len(), 10_000);
    for (backend, db) in store_urls(dir.path(), "drain") {
        init(&db);
        let started = Instant::now();
        let (code, out, err) = run(&sync_args(&g, &db));
        assert_eq!(code, 0, "{backend}: {out}{err}");
        eprintln!(
            "{backend}: 10000 notices in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        assert_eq!(field(&out, "fetched"), 10_000, "{backend}: {out}");
        assert_eq!(field(&out, "stored"), 10_000);
        assert_eq!(field(&out, "duplicates"), 0);
        assert_eq!(field(&out, "gaps"), 0);

        let rows = stored(&db, &[]);
        assert_eq!(rows.len(), expected.len(), "{backend}");
        let mut japanese = 0;
        for (r, e) in rows.iter().zip(&expected) {
            for k in [
                "payment_notice_id",
                "payment_id",
                "trading_id",
                "payment_type",
                "payment_status",
                "change_date",
            ] {
                assert_eq!(r[k], e[k], "{backend}: {k} of {}", e["payment_notice_id"]);
            }
            let amount: i64 = e["payment_amount"].as_str().unwrap().parse().unwrap();
            assert_eq!(r["payment_amount"], Value::from(amount), "{backend}");
            assert_eq!(r["merchant_id"], "10000");
            // Shift_JIS on the wire, UTF-8 in the database, the same text.
            assert_eq!(r["items"].get("customer_name"), e.get("customer_name"));
            if e.get("customer_name").is_some() {
                japanese += 1;
            }
        }
        assert!(japanese > 3000, "{backend}: {japanese} Japanese names");
        assert!(
            rows.iter()
                .any(|r| r["items"]["customer_name"] == "髙橋 花子"),
            "{backend}"
        );

        // A second run finds nothing new.
        let (code, out, err) = run(&sync_args(&g, &db));
        assert_eq!(code, 0, "{backend}: {out}{err}");
        assert_eq!(field(&out, "fetched"), 0, "{backend}");
        assert_eq!(stored(&db, &[]).len(), 10_000);
    }
}

#[test]
fn a_purge_is_recorded_as_a_gap_and_the_rest_drained() {
    let dir = tempfile::tempdir().unwrap();
    for (backend, db) in store_urls(dir.path(), "gap") {
        let g = gateway(
            &dir.path().join(format!("sim-{backend}")),
            &["--seed-notices", "10"],
        );
        init(&db);
        let mut args = sync_args(&g, &db);
        args.extend(["--max-calls", "3"]);
        let (code, out, err) = run(&args);
        assert_eq!(code, 6, "{backend}: stopped by --max-calls: {out}{err}");
        assert_eq!(ids(&stored(&db, &[])), ["1", "2", "3"]);

        // Notices 4–6 are purged before this merchant fetched them: success_code=2.
        let (status, _) = g.sim.control("/sim/purge", "before=7").unwrap();
        assert_eq!(status, 200);
        let (code, out, err) = run(&sync_args(&g, &db));
        assert_eq!(code, 4, "{backend}: caught up with a gap: {out}{err}");
        assert_eq!(field(&out, "gaps"), 1);
        assert_eq!(field(&out, "stored"), 4);
        assert!(err.contains("payment_notice_id=7"), "{err}");
        assert_eq!(ids(&stored(&db, &[])), ["1", "2", "3", "7", "8", "9", "10"]);

        let (code, out, _) = run(&["gaps", "--db", &db, "--json"]);
        assert_eq!(code, 0);
        let gaps: Value = serde_json::from_str(&out).unwrap();
        let gaps = gaps.as_array().unwrap();
        assert_eq!(gaps.len(), 1, "{backend}: {out}");
        assert_eq!(gaps[0]["first_payment_notice_id_after"], "7");
        assert_eq!(gaps[0]["merchant_id"], "10000");

        // The next run has no gap of its own: exit 0.
        let (code, out, err) = run(&sync_args(&g, &db));
        assert_eq!(code, 0, "{backend}: {out}{err}");
        assert_eq!(field(&out, "gaps"), 0);
    }
}

#[test]
fn two_syncs_at_once_one_polls_the_other_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    for (backend, db) in store_urls(dir.path(), "lock") {
        let g = gateway(
            &dir.path().join(format!("sim-{backend}")),
            &["--seed-notices", "1500"],
        );
        init(&db);
        let args = sync_args(&g, &db);
        let start = || {
            paygent(&args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (mut a, mut b) = (start(), start());
        // Which one ends first: the one that does not get the lock exits at once.
        let first_done = loop {
            if a.try_wait().unwrap().is_some() {
                break 'a';
            }
            if b.try_wait().unwrap().is_some() {
                break 'b';
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let (ra, rb) = (
            result(a.wait_with_output().unwrap()),
            result(b.wait_with_output().unwrap()),
        );
        let mut codes = [ra.0, rb.0];
        codes.sort_unstable();
        assert_eq!(codes, [0, 3], "{backend}: {ra:?} {rb:?}");
        let (loser, loser_name) = if ra.0 == 3 { (&ra, 'a') } else { (&rb, 'b') };
        assert!(loser.2.contains("holds the lock"), "{}", loser.2);
        assert_eq!(
            first_done, loser_name,
            "{backend}: the loser did not wait for the winner"
        );

        // One 091 stream: 1500 notices + the success_code=1 answer, each id asked once, in order.
        let asked = requested_091(&g.sim);
        assert_eq!(asked.len(), 1501, "{backend}");
        assert_eq!(asked[0], "");
        for (i, id) in asked.iter().enumerate().skip(1) {
            assert_eq!(id, &i.to_string(), "{backend}: request {i}");
        }
        assert_eq!(stored(&db, &[]).len(), 1500);

        // --wait: a second sync started while one runs waits for it, then finds nothing new.
        let (status, _) = g.sim.control("/sim/seed", "n=1500").unwrap();
        assert_eq!(status, 200);
        let first = start();
        let deadline = Instant::now() + Duration::from_secs(60);
        while requested_091(&g.sim).len() < 1510 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut wait_args = args.clone();
        wait_args.extend(["--wait", "120"]);
        let (code, out, err) = run(&wait_args);
        let first = result(first.wait_with_output().unwrap());
        assert_eq!(first.0, 0, "{backend}: {first:?}");
        assert_eq!(field(&first.1, "stored"), 1500);
        assert_eq!(code, 0, "{backend}: {out}{err}");
        assert_eq!(
            field(&out, "fetched"),
            0,
            "{backend}: it waited for the first"
        );
        assert_eq!(stored(&db, &[]).len(), 3000);
    }
}

/// The sync lock is per merchant on every store, SQLite included: while merchant 10000's sync
/// runs (slowed by the pause hook), merchant 20000's sync on the same database runs to the end,
/// and a second one for 10000 exits 3.
#[test]
fn two_merchants_sync_at_once_on_one_database_one_merchant_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let g = gateway(&dir.path().join("sim"), &["--seed-notices", "20"]);
    for (backend, db) in store_urls(dir.path(), "merchants") {
        init(&db);
        let args = sync_args(&g, &db);
        // 20 notices, 150 ms after each reply: merchant 10000 holds its lock for 3 s or more.
        let mut slow: Child = paygent(&args)
            .env("PAYGENT_NOTICES_TEST_PAUSE", "after_reply:150")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Until it holds the lock: its first 091 has gone out.
        let asked_before = requested_091(&g.sim).len();
        let deadline = Instant::now() + Duration::from_secs(30);
        while requested_091(&g.sim).len() == asked_before {
            assert!(
                Instant::now() < deadline,
                "{backend}: the slow sync never asked"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        let mut other = args.clone();
        other.extend(["--merchant-id", "20000"]);
        let (code, out, err) = run(&other);
        assert_eq!(
            code, 0,
            "{backend}: merchant 20000 waits for no one: {out}{err}"
        );
        assert_eq!(field(&out, "fetched"), 20, "{backend}: {out}");
        let (code, out, err) = run(&args);
        assert_eq!(code, 3, "{backend}: merchant 10000 twice: {out}{err}");
        assert!(err.contains("holds the lock"), "{err}");
        assert!(
            slow.try_wait().unwrap().is_none(),
            "{backend}: the slow sync ended before the others ran: the test proves nothing"
        );
        let slow = result(slow.wait_with_output().unwrap());
        assert_eq!(slow.0, 0, "{backend}: {slow:?}");
        assert_eq!(field(&slow.1, "fetched"), 20, "{backend}: {slow:?}");
    }
}

/// A tiny deterministic generator for kill delays (no rand crate for one test).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

#[test]
fn killed_twenty_times_then_a_clean_run_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let g = gateway(&dir.path().join("sim"), &["--seed-notices", "400"]);
    let expected: Vec<String> = sim_notices(&g.sim)
        .iter()
        .map(|n| n["payment_notice_id"].as_str().unwrap().to_string())
        .collect();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("kill delays seeded with {seed}");
    let mut rng = Lcg(seed);
    for (backend, db) in store_urls(dir.path(), "crash") {
        init(&db);
        let mut args = sync_args(&g, &db);
        // The killed connection's lock may linger a moment on the server: wait for it.
        args.extend(["--wait", "20"]);
        for i in 0..20 {
            // Slowed at both points, right after a reply and inside the open transaction of a
            // batch, so that the random kills land at either.
            let mut child: Child = paygent(&args)
                .env(
                    "PAYGENT_NOTICES_TEST_PAUSE",
                    "after_reply:15,before_commit:40",
                )
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(Duration::from_millis(100 + rng.next(250)));
            child.kill().unwrap(); // SIGKILL
            let status = child.wait().unwrap();
            assert_eq!(
                status.code(),
                None,
                "{backend}: run {i} was killed, not finished"
            );
        }
        let before = stored(&db, &[]).len();
        assert!(
            before > 0 && before < expected.len(),
            "{backend}: the kills interrupted the drain ({before} stored)"
        );
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{backend}: {out}{err}");
        let got = ids(&stored(&db, &[]));
        assert_eq!(got, expected, "{backend}: every notice once, in order");
        let unique: BTreeSet<_> = got.iter().collect();
        assert_eq!(unique.len(), expected.len());
        eprintln!(
            "{backend}: {before} stored across 20 kills, {} by the clean run ({} duplicates)",
            field(&out, "stored"),
            field(&out, "duplicates")
        );
    }
}

#[test]
fn exec_failures_are_retried_and_each_notice_processed_once() {
    let dir = tempfile::tempdir().unwrap();
    for (backend, db) in store_urls(dir.path(), "exec") {
        // A simulator per store: the test adds a notice to it below.
        let g = gateway(
            &dir.path().join(format!("sim-{backend}")),
            &["--seed-notices", "6"],
        );
        init(&db);
        let fail = dir.path().join(format!("fail-{backend}"));
        let done = dir.path().join(format!("done-{backend}"));
        std::fs::write(&fail, "2\n5\n").unwrap();
        // Fails for the ids listed in $fail; on success, logs id and status, and checks that
        // the JSON on stdin is the notice of the environment.
        let cmd = format!(
            "grep -qx \"$PAYGENT_NOTICE_ID\" {fail} && exit 3; \
             grep -q \"\\\"payment_notice_id\\\":\\\"$PAYGENT_NOTICE_ID\\\"\" || exit 9; \
             echo \"$PAYGENT_NOTICE_ID $PAYGENT_PAYMENT_STATUS $PAYGENT_TRADING_ID\" >> {done}",
            fail = fail.display(),
            done = done.display()
        );
        let mut args = sync_args(&g, &db);
        args.extend(["--exec", &cmd, "--jsonl"]);

        let (code, out, err) = run(&args);
        assert_eq!(code, 5, "{backend}: {out}{err}");
        let lines: Vec<Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(ids(&lines), ["1", "2", "3", "4", "5", "6"], "--jsonl");
        assert!(err.contains("processed=4 failed=2"), "{err}");
        let pending = stored(&db, &["--unprocessed"]);
        assert_eq!(ids(&pending), ["2", "5"]);
        assert_eq!(pending[0]["process_error"], "exit status 3");

        // Retried: 2 now succeeds, 5 still fails.
        std::fs::write(&fail, "5\n").unwrap();
        let (code, out, err) = run(&args);
        assert_eq!(code, 5, "{backend}: {out}{err}");
        assert!(out.is_empty(), "nothing new for --jsonl: {out}");
        assert!(err.contains("processed=1 failed=1"), "{err}");

        std::fs::write(&fail, "").unwrap();
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{backend}: {out}{err}");
        assert!(err.contains("processed=1 failed=0"), "{err}");
        let (code, _, err) = run(&args);
        assert_eq!(code, 0);
        assert!(err.contains("processed=0 failed=0"), "{err}");

        let log = std::fs::read_to_string(&done).unwrap();
        let mut handled: Vec<&str> = log.lines().map(|l| l.split(' ').next().unwrap()).collect();
        assert_eq!(
            handled,
            ["1", "3", "4", "6", "2", "5"],
            "{backend}: oldest first, once"
        );
        handled.sort_unstable();
        assert!(log.lines().all(|l| l.split(' ').count() == 3), "{log}");
        assert!(stored(&db, &["--unprocessed"]).is_empty());
        assert!(
            stored(&db, &[])
                .iter()
                .all(|r| r["process_error"].is_null())
        );

        // A handler that hangs is killed after --exec-timeout and retried later.
        let (status, _) = g.sim.control("/sim/seed", "n=1").unwrap();
        assert_eq!(status, 200);
        let mut hang = sync_args(&g, &db);
        hang.extend(["--exec", "sleep 30", "--exec-timeout", "0.5"]);
        let started = Instant::now();
        let (code, out, err) = run(&hang);
        assert_eq!(code, 5, "{backend}: {out}{err}");
        assert!(started.elapsed() < Duration::from_secs(20));
        let pending = stored(&db, &["--unprocessed"]);
        assert_eq!(pending.len(), 1, "{backend}");
        assert_eq!(pending[0]["process_error"], "timed out after 0.5 s");

        // mark-processed: unknown ids are reported (exit 1), known ones are fine.
        let id = pending[0]["payment_notice_id"]
            .as_str()
            .unwrap()
            .to_string();
        let (code, _, err) = run(&["mark-processed", "--db", &db, &id, "999"]);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("999"));
        assert!(stored(&db, &["--unprocessed"]).is_empty(), "{backend}");
    }
}

#[test]
fn errors_have_their_exit_codes_and_remedies() {
    let dir = tempfile::tempdir().unwrap();
    let g = gateway(&dir.path().join("sim"), &["--seed-notices", "2"]);
    let db = format!("sqlite:{}", dir.path().join("e.db").display());
    // Not initialised: exit 2 with the remedy.
    let (code, _, err) = run(&sync_args(&g, &db));
    assert_eq!(code, 2);
    assert!(err.contains("paygent notices init"), "{err}");
    let (code, _, err) = run(&["list", "--db", "oracle://x"]);
    assert_eq!(code, 2);
    assert!(err.contains("sqlite:"), "{err}");
    // A password in a URL never reaches the output.
    let (code, _, err) = run(&["list", "--db", "postgres://u:s3cret@127.0.0.1:1/x"]);
    assert_eq!(code, 2);
    assert!(!err.contains("s3cret") && err.contains("***"), "{err}");
    // The URL once: the message names it, the database's own text follows.
    assert_eq!(err.matches("127.0.0.1:1/x").count(), 1, "{err}");
    // Japanese messages.
    let out = paygent(&["list", "--db", "oracle://x"])
        .env("LANG", "ja_JP.UTF-8")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("不正"));
    // A gateway error reply (no merchant_id accepted): exit 1.
    init(&db);
    let mut args = sync_args(&g, &db);
    args.extend(["--merchant-id", " "]);
    let (code, _, err) = run(&args);
    assert_eq!(code, 2, "blank merchant: {err}");
    // A gateway error reply (091 sent to the 094 path: P004): exit 1.
    let text = std::fs::read_to_string(&g.config).unwrap();
    let bad = dir.path().join("bad_modenv_properties.php");
    std::fs::write(&bad, text.replace("/n/ref/paynotice", "/n/ref/paymentref")).unwrap();
    let (code, out, err) = run(&["sync", "--config", bad.to_str().unwrap(), "--db", &db]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("P004"), "{err}");
    // --help documents the exit codes.
    let (_, out, _) = run(&["sync", "--help"]);
    assert!(out.contains("3 another sync holds the lock") && out.contains("4 caught up"));
    assert!(
        out.contains("7 caught up, but the database refused some notice"),
        "{out}"
    );
}

/// A shell running in its own mount namespace (`unshare`), where it may mount a tmpfs: as
/// root directly, otherwise in a user namespace. `None` when this host allows neither: under
/// CI=true that fails the test (a skipped real part is a failure), elsewhere it is said loudly.
fn mount_namespace_shell(probe_dir: &Path) -> Option<Command> {
    let root = running_as_root();
    let args: &[&str] = if root {
        &["--mount"]
    } else {
        &["--user", "--map-root-user", "--mount"]
    };
    let probe = Command::new("unshare")
        .args(args)
        .args([
            "sh",
            "-c",
            "mount -t tmpfs -o size=64k tmpfs \"$0\"",
            probe_dir.to_str().unwrap(),
        ])
        .output();
    match probe {
        Ok(o) if o.status.success() => {
            let mut c = Command::new("unshare");
            c.args(args).arg("sh").arg("-c");
            Some(c)
        }
        other => {
            let why = match other {
                Ok(o) => String::from_utf8_lossy(&o.stderr).into_owned(),
                Err(e) => e.to_string(),
            };
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true: cannot mount a tmpfs in a mount namespace (unshare): {why}"
            );
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED the full-disk test: no tmpfs in a mount namespace here ({why})"
            );
            None
        }
    }
}

/// Whether this process runs as root (`id -u`, no libc call in a test).
fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

#[test]
fn a_full_disk_is_said_as_such_with_its_remedy() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    let Some(_) = mount_namespace_shell(&mnt) else {
        return;
    };
    let g = gateway(&dir.path().join("sim"), &["--seed-notices", "20000"]);
    let bin = env!("CARGO_BIN_EXE_paygent");
    // Several sizes: the disk fills at different points of the drain (a batch's commit while
    // the next telegrams are on the wire, or the last batch after the loop).
    for size in ["160k", "512k", "1m"] {
        let db = format!("sqlite:{}/n.db", mnt.display());
        let list = dir.path().join(format!("list-{size}.json"));
        let script = format!(
            "mount -t tmpfs -o size={size} tmpfs {mnt} || exit 99; \
             {bin} notices init --db {db} >/dev/null || exit 98; \
             {bin} notices sync --config {config} --db {db}; code=$?; \
             {bin} notices list --db {db} --json > {list}; exit $code",
            mnt = mnt.display(),
            config = g.config.display(),
            list = list.display(),
        );
        let out = mount_namespace_shell(&mnt)
            .unwrap()
            .arg(&script)
            .env("LANG", "C")
            .env_remove("LC_ALL")
            .output()
            .unwrap();
        let (code, out, err) = result(out);
        assert_eq!(code, 2, "{size}: {out}{err}");
        assert!(
            err.contains("is full (no space left)") && err.contains("Free space"),
            "{size}: {err}"
        );
        assert!(!err.contains("the writer stopped"), "{size}: {err}");
        // What the summary counts as stored is what is in the database, and the cursor did not
        // pass it (the next sync would continue from there).
        let rows: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(&list).unwrap()).unwrap();
        assert_eq!(rows.len() as u64, field(&out, "stored"), "{size}: {out}");
        assert!(rows.len() < 20_000, "{size}: the disk did fill");
    }
    // Japanese too.
    let script = format!(
        "mount -t tmpfs -o size=160k tmpfs {mnt} && {bin} notices init --db sqlite:{mnt}/n.db \
         >/dev/null && {bin} notices sync --config {config} --db sqlite:{mnt}/n.db",
        mnt = mnt.display(),
        config = g.config.display(),
    );
    let out = mount_namespace_shell(&mnt)
        .unwrap()
        .arg(&script)
        .env("LANG", "ja_JP.UTF-8")
        .env_remove("LC_ALL")
        .output()
        .unwrap();
    let (code, _, err) = result(out);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("ディスクフル"), "{err}");
}

/// A shell command that ends every other connection to the database of `url` (the sync's),
/// as a database restart or a network cut would: `psql` / `mariadb`, the servers' own clients.
fn kill_other_connections(backend: &str, url: &str) -> String {
    let rest = url.split_once("://").unwrap().1;
    let (auth_host, db) = rest.split_once('/').unwrap();
    let (user, host) = auth_host.split_once('@').unwrap();
    let (host, port) = host.split_once(':').unwrap();
    match backend {
        "postgres" => format!(
            "psql -q -X -d '{url}' -c \"SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()\" >/dev/null"
        ),
        _ => {
            let client = format!("mariadb --no-defaults -h {host} -P {port} -u {user} {db}");
            format!(
                "for id in $({client} -N -e \"SELECT id FROM information_schema.processlist \
                 WHERE db = DATABASE() AND id <> CONNECTION_ID()\"); do \
                 {client} -e \"KILL $id\"; done"
            )
        }
    }
}

#[test]
fn a_database_lost_during_exec_still_counts_what_was_marked() {
    let dir = tempfile::tempdir().unwrap();
    for (backend, db) in store_urls(dir.path(), "execlost") {
        if backend == "sqlite" {
            continue; // no server connection to lose
        }
        let g = gateway(
            &dir.path().join(format!("sim-{backend}")),
            &["--seed-notices", "8"],
        );
        init(&db);
        // Notices 1–4 are handled and marked; while handling 5 the database connection of the
        // sync is killed, so the mark of 5 fails and the run stops there.
        let cmd = format!(
            "[ \"$PAYGENT_NOTICE_ID\" = 5 ] && {{ {}; }}; exit 0",
            kill_other_connections(backend, &db)
        );
        let mut args = sync_args(&g, &db);
        args.extend(["--exec", &cmd]);
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{backend}: {out}{err}");
        assert_eq!(field(&out, "stored"), 8, "{backend}: {out}");
        let pending = ids(&stored(&db, &["--unprocessed"]));
        assert_eq!(pending, ["5", "6", "7", "8"], "{backend}");
        assert_eq!(
            field(&out, "processed"),
            4,
            "{backend}: the marks committed before the loss: {out}{err}"
        );
        assert_eq!(field(&out, "failed"), 0, "{backend}: {out}");
    }
}

/// Bytes percent-encoded for a form value.
fn form_bytes(b: &[u8]) -> String {
    b.iter().map(|b| format!("%{b:02X}")).collect()
}

fn seed(g: &Gateway, form: &str) {
    let (status, body) = g.sim.control("/sim/seed", form).unwrap();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
}

/// The value of `key` in a raw record (`key=value` CRLF lines).
fn raw_value<'a>(raw: &'a [u8], key: &str) -> &'a [u8] {
    let prefix = [key.as_bytes(), b"="].concat();
    raw.split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .find_map(|l| l.strip_prefix(prefix.as_slice()))
        .unwrap_or_else(|| panic!("no {key} in the raw record"))
}

fn no_raw_controls(text: &str) -> bool {
    !text.chars().any(|c| c.is_control() && c != '\n')
}

#[test]
fn hostile_values_are_stored_byte_for_byte_and_the_sync_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let nul: &[u8] = b"ord\0er";
    let mega = vec![b'A'; 1 << 20];
    // あ, then bytes that are not Windows-31J (0x81 0x20, 0xFF), U+0080.
    let sjis_bad: &[u8] = b"\x82\xa0\x81\x20\xff\x80";
    let title: &[u8] = b"t\x1b]0;owned\x07";
    for (backend, db) in store_urls(dir.path(), "hostile") {
        let g = gateway(
            &dir.path().join(format!("sim-{backend}")),
            &["--seed-notices", "2"],
        );
        seed(&g, &format!("n=1&trading_id={}", form_bytes(nul))); // 3
        seed(&g, &format!("n=1&trading_id={}", form_bytes(&mega))); // 4
        seed(&g, &format!("n=1&customer_name={}", form_bytes(sjis_bad))); // 5
        seed(&g, &format!("n=1&trading_id={}", form_bytes(title))); // 6
        seed(&g, "n=2"); // 7, 8
        init(&db);
        let mut args = sync_args(&g, &db);
        args.push("--jsonl");
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{backend}: {err}");
        assert_eq!(field(&err, "stored"), 8, "{backend}: {err}");
        assert_eq!(field(&err, "quarantined"), 0, "{backend}: {err}");
        assert!(
            no_raw_controls(&out),
            "{backend}: --jsonl escapes DEL and C1 too"
        );
        let lines: Vec<Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(ids(&lines), ["1", "2", "3", "4", "5", "6", "7", "8"]);
        assert_eq!(lines[2]["text_lossy"], true, "{backend}");
        assert!(lines[2]["raw_record_base64"].is_string(), "{backend}");
        assert_eq!(lines[3]["text_lossy"], false);
        assert!(lines[3]["raw_record_base64"].is_null());
        assert_eq!(lines[3]["trading_id"].as_str().unwrap().len(), 1 << 20);
        assert_eq!(lines[4]["text_lossy"], true);

        // Read back from the database: the bytes the gateway sent, each of them.
        let mut store = paygent_notices::open(&db).unwrap();
        let rows = store.list(&paygent_notices::ListFilter::default()).unwrap();
        assert_eq!(rows.len(), 8, "{backend}");
        assert_eq!(raw_value(&rows[2].notice.raw_record, "trading_id"), nul);
        assert_eq!(raw_value(&rows[3].notice.raw_record, "trading_id"), mega);
        assert_eq!(
            raw_value(&rows[4].notice.raw_record, "customer_name"),
            sjis_bad
        );
        assert_eq!(raw_value(&rows[5].notice.raw_record, "trading_id"), title);
        assert_eq!(rows[5].notice.trading_id, "t\u{1b}]0;owned\u{7}");
        assert_eq!(
            raw_value(&rows[7].notice.raw_record, "trading_id"),
            b"seed-8",
            "{backend}: the notices after them too"
        );

        // `list` shows the title sequence as an escape, not to the terminal.
        let (code, out, _) = run(&["list", "--db", &db]);
        assert_eq!(code, 0);
        assert!(no_raw_controls(&out), "{backend}: {out:?}");
        assert!(out.contains("t\\x1b]0;owned\\x07"), "{backend}: {out}");
        let (code, out, _) = run(&["list", "--db", &db, "--json"]);
        assert_eq!(code, 0);
        assert!(no_raw_controls(&out), "{backend}");

        // Nothing left behind: the next run finds nothing.
        let (code, out, err) = run(&sync_args(&g, &db));
        assert_eq!(code, 0, "{backend}: {out}{err}");
        assert_eq!(field(&out, "fetched"), 0);
    }
}

#[test]
fn a_notice_the_database_refuses_is_quarantined_and_the_sync_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    for (backend, db) in store_urls(dir.path(), "refused") {
        let g = gateway(
            &dir.path().join(format!("sim-{backend}")),
            &["--seed-notices", "3"],
        );
        seed(&g, "n=1&trading_id=poison&customer_name=%00%FF"); // 4
        seed(&g, "n=3"); // 5–7
        init(&db);
        // A constraint of the merchant's own that notice 4 breaks.
        paygent_notices::testing::execute(
            &db,
            paygent_notices::testing::refuse_poison_sql(backend),
        )
        .unwrap();
        let handled = dir.path().join(format!("handled-{backend}"));
        let cmd = format!("echo $PAYGENT_NOTICE_ID >> {}", handled.display());
        let mut args = sync_args(&g, &db);
        args.extend(["--jsonl", "--exec", &cmd]);
        let (code, out, err) = run(&args);
        assert_eq!(code, 7, "{backend}: caught up, one quarantined: {out}{err}");
        assert_eq!(field(&err, "stored"), 6, "{backend}: {err}");
        assert_eq!(field(&err, "quarantined"), 1, "{backend}: {err}");
        assert!(
            err.contains("QUARANTINED") && err.contains("payment_notice_id=4"),
            "{backend}: {err}"
        );
        let lines: Vec<Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(
            ids(&lines),
            ["1", "2", "3", "4", "5", "6", "7"],
            "{backend}"
        );
        assert_eq!(lines[3]["quarantined"], true);
        assert!(lines[3]["quarantine_reason"].is_string());
        assert_eq!(lines[4]["quarantined"], false);
        // --exec never got it; it got every other one.
        let got = std::fs::read_to_string(&handled).unwrap();
        assert_eq!(
            got.lines().collect::<Vec<_>>(),
            ["1", "2", "3", "5", "6", "7"],
            "{backend}"
        );

        // Kept byte for byte, with the reason.
        let mut store = paygent_notices::open(&db).unwrap();
        let held = store
            .quarantined(&paygent_notices::ListFilter::default())
            .unwrap();
        assert_eq!(held.len(), 1, "{backend}");
        assert_eq!(held[0].payment_notice_id.as_deref(), Some("4"));
        assert_eq!(raw_value(&held[0].raw_record, "trading_id"), b"poison");
        assert_eq!(raw_value(&held[0].raw_record, "customer_name"), b"\0\xff");
        assert!(!held[0].reason.is_empty());

        // `list` and `gaps` show it; `list --unprocessed` (what --exec gets) does not.
        let all = stored(&db, &[]);
        assert_eq!(ids(&all), ["1", "2", "3", "4", "5", "6", "7"], "{backend}");
        assert_eq!(all[3]["quarantined"], true);
        assert_eq!(all[3]["trading_id"], "poison");
        assert!(all[3]["raw_record_base64"].is_string());
        assert!(all.iter().filter(|r| r["quarantined"] == false).count() == 6);
        assert!(stored(&db, &["--unprocessed"]).is_empty());
        let (code, out, _) = run(&["list", "--db", &db]);
        assert_eq!(code, 0);
        assert_eq!(
            out.lines().filter(|l| l.contains("QUARANTINED")).count(),
            1,
            "{backend}: {out}"
        );
        let (code, out, _) = run(&["gaps", "--db", &db, "--json"]);
        assert_eq!(code, 0);
        let gaps: Vec<Value> = serde_json::from_str(&out).unwrap();
        assert_eq!(gaps.len(), 1, "{backend}: {out}");
        assert_eq!(gaps[0]["kind"], "quarantine");
        assert_eq!(gaps[0]["payment_notice_id"], "4");
        let (_, out, _) = run(&["gaps", "--db", &db]);
        assert!(out.contains("payment_notice_id=4 QUARANTINED"), "{out}");

        // The cursor is past it: the next run fetches nothing and exits 0.
        let (code, out, err) = run(&sync_args(&g, &db));
        assert_eq!(code, 0, "{backend}: {out}{err}");
        assert_eq!(field(&out, "fetched"), 0);
    }
}
