//! `paygent notices`: the payment notices (差分照会, telegram 091) kept in a database with a
//! durable cursor. The loop and the stores are paygent-notices'; the telegram is paygent-core's
//! `Module`. This file reads arguments, takes the lock, runs `--exec`, prints and picks the
//! exit code.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use paygent_notices::sync::{self, Counts, Fate, Outcome};
use paygent_notices::{ErrorKind, Exit, ListFilter, Notice, Quarantined, Store, StoredNotice};
use serde_json::{Value, json};

use crate::config;
use crate::i18n::Messages;
use crate::term::visible;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// Create the notice tables, or migrate them to this version (re-running is a no-op).
    Init(InitArgs),
    /// Fetch every new notice (091) into the database; optionally hand each to a command.
    Sync(SyncArgs),
    /// Print stored notices, oldest first.
    List(ListArgs),
    /// Print the gaps recorded (success_code=2: notices purged before they were fetched).
    Gaps(GapsArgs),
    /// Set processed_at on notices handled outside `sync --exec`.
    MarkProcessed(MarkArgs),
}

/// The database: `--db` or `$PAYGENT_NOTICES_DB` (keeps a password out of the crontab).
#[derive(clap::Args)]
struct Db {
    /// sqlite:PATH, postgres://USER:PASS@HOST/DB or mysql://USER:PASS@HOST/DB (MySQL, MariaDB).
    #[arg(long, env = "PAYGENT_NOTICES_DB", hide_env_values = true)]
    db: String,
}

#[derive(clap::Args)]
struct InitArgs {
    #[command(flatten)]
    db: Db,
}

#[derive(clap::Args)]
struct SyncArgs {
    /// modenv_properties.php or paygent.properties (default: $PAYGENT_PROPERTIES,
    /// ./modenv_properties.php, ./paygent.properties).
    #[arg(long)]
    config: Option<PathBuf>,
    #[command(flatten)]
    db: Db,
    /// merchant_id to send and to key the cursor by (default: the configuration's merchant_id).
    #[arg(long)]
    merchant_id: Option<String>,
    /// Run CMD (with sh -c) once per stored, unprocessed notice, oldest first: the notice as JSON
    /// on stdin, PAYGENT_NOTICE_ID, PAYGENT_PAYMENT_ID, PAYGENT_TRADING_ID and
    /// PAYGENT_PAYMENT_STATUS in the environment. Exit 0 marks it processed; anything else
    /// records process_error and leaves it for the next run.
    #[arg(long, value_name = "CMD")]
    exec: Option<String>,
    /// Kill an --exec command still running after S seconds (recorded as its process_error):
    /// a hung handler must not hold the lock forever.
    #[arg(long, value_name = "S", default_value_t = 300.0)]
    exec_timeout: f64,
    /// Print each newly stored notice as one JSON line on stdout.
    #[arg(long)]
    jsonl: bool,
    /// Stop after N 091 telegrams.
    #[arg(long, value_name = "N")]
    max_calls: Option<u64>,
    /// Stop fetching after S seconds.
    #[arg(long, value_name = "S")]
    max_seconds: Option<f64>,
    /// When another sync holds the lock, wait up to S seconds for it (default: exit 3 at once).
    #[arg(long, value_name = "S", default_value_t = 0.0)]
    wait: f64,
}

#[derive(clap::Args)]
struct ListArgs {
    #[command(flatten)]
    db: Db,
    /// Only notices not processed yet.
    #[arg(long)]
    unprocessed: bool,
    /// Only notices received at or after DATE (YYYY-MM-DD or an ISO timestamp, UTC).
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Only this merchant's notices.
    #[arg(long)]
    merchant_id: Option<String>,
    /// A JSON array on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct GapsArgs {
    #[command(flatten)]
    db: Db,
    /// A JSON array on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct MarkArgs {
    #[command(flatten)]
    db: Db,
    /// payment_notice_id values.
    #[arg(required = true, value_name = "ID")]
    ids: Vec<String>,
}

/// The exit status: paygent-notices' [`Exit`] codes (docs/notices.md "Exit codes").
pub fn run(args: Args, msg: &Messages) -> u8 {
    let exit = match args.command {
        Cmd::Init(a) => init(a, msg),
        Cmd::Sync(a) => sync_run(a, msg),
        Cmd::List(a) => list(a, msg),
        Cmd::Gaps(a) => gaps(a, msg),
        Cmd::MarkProcessed(a) => mark(a, msg),
    };
    exit.code()
}

/// A store error: what, and what to do (exit 2).
pub(crate) fn db_error(e: &paygent_notices::Error, url: &str, msg: &Messages) -> Exit {
    let key = match e.kind() {
        ErrorKind::BadUrl => "notices.db.bad_url",
        ErrorKind::Connect => "notices.db.connect",
        ErrorKind::Certificate => "notices.db.certificate",
        ErrorKind::Schema => "notices.db.schema",
        ErrorKind::Full => "notices.db.full",
        ErrorKind::Query | ErrorKind::Data => "notices.db.query",
    };
    let url = paygent_notices::redact(url);
    eprintln!(
        "{}",
        msg.get(
            key,
            &[
                ("url", url.as_str()),
                ("detail", &visible(e.detail(), false))
            ]
        )
    );
    Exit::Failed
}

/// The store of a `--db` URL (with its tables when `need_schema`); on failure the message is
/// printed and the exit code returned.
pub(crate) fn open(url: &str, msg: &Messages, need_schema: bool) -> Result<Box<dyn Store>, Exit> {
    let mut store = paygent_notices::open(url).map_err(|e| db_error(&e, url, msg))?;
    if need_schema {
        paygent_notices::require_schema(store.as_mut()).map_err(|e| db_error(&e, url, msg))?;
    }
    Ok(store)
}

fn init(a: InitArgs, msg: &Messages) -> Exit {
    let mut store = match open(&a.db.db, msg, false) {
        Ok(s) => s,
        Err(code) => return code,
    };
    match store.init() {
        Ok((from, to)) => {
            let (from, to) = (from.to_string(), to.to_string());
            let key = if from == to {
                "notices.init.current"
            } else {
                "notices.init.done"
            };
            println!(
                "{}",
                msg.get(
                    key,
                    &[
                        ("from", from.as_str()),
                        ("to", to.as_str()),
                        ("backend", store.backend())
                    ]
                )
            );
            Exit::Done
        }
        Err(e) => db_error(&e, &a.db.db, msg),
    }
}

/// A seconds option as a duration: negative or NaN is 0, at most a day.
fn seconds(s: f64) -> Duration {
    Duration::try_from_secs_f64(s.clamp(0.0, 86_400.0)).unwrap_or_default()
}

/// JSON of a notice just received (before it is read back from the database).
fn fresh_json(n: &Notice, merchant: &str, fate: &Fate, gap: bool) -> Value {
    let reason = match fate {
        Fate::Quarantined(why) => Some(why.as_str()),
        Fate::New | Fate::Duplicate => None,
    };
    json!({
        "payment_notice_id": n.payment_notice_id,
        "merchant_id": merchant,
        "payment_id": n.payment_id,
        "trading_id": n.trading_id,
        "payment_type": n.payment_type,
        "payment_status": n.payment_status,
        "payment_amount": n.payment_amount,
        "change_date": n.change_date,
        "items": Value::Object(n.items.clone()),
        "gap_before": gap,
        "text_lossy": n.text_lossy,
        "raw_record_base64": n.raw_record_base64(),
        "quarantined": reason.is_some(),
        "quarantine_reason": reason,
    })
}

fn sync_run(a: SyncArgs, msg: &Messages) -> Exit {
    let started = Instant::now();
    let Some(found) = config::find_for_command(a.config.as_deref(), msg, a.jsonl) else {
        return Exit::Failed;
    };
    // Reply values as received: each notice is kept byte for byte, its text decoded here.
    let mut m = found.raw_module();
    if let Err(e) = m.init() {
        crate::send::module_error(&m, &e, msg);
        return Exit::Failed;
    }
    let merchant = a.merchant_id.clone().unwrap_or_else(|| {
        m.config()
            .map(|c| String::from_utf8_lossy(&c.default_merchant_id).into_owned())
            .unwrap_or_default()
    });
    if merchant.trim().is_empty() {
        eprintln!("{}", msg.get("notices.no_merchant", &[]));
        return Exit::Failed;
    }
    let mut store = match open(&a.db.db, msg, true) {
        Ok(s) => s,
        Err(code) => return code,
    };

    // One poller per merchant and database; the lock ends with the connection at the latest.
    let deadline = Instant::now() + seconds(a.wait);
    loop {
        match store.try_lock(&merchant) {
            Ok(true) => break,
            Ok(false) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(100))
            }
            Ok(false) => {
                eprintln!("{}", msg.get("notices.locked", &[("merchant", &merchant)]));
                return Exit::Locked;
            }
            Err(e) => return db_error(&e, &a.db.db, msg),
        }
    }

    let opts = sync::Options {
        max_calls: a.max_calls,
        max_duration: a.max_seconds.map(seconds),
    };
    let mut counts = Counts::default();
    let spinner = std::io::stderr().is_terminal().then(|| {
        let pb = indicatif::ProgressBar::new_spinner();
        pb.enable_steady_tick(Duration::from_millis(120));
        pb
    });
    let mut out = std::io::stdout().lock();
    let mut gap_ids = Vec::new();
    let mut quarantined = Vec::new();
    let mut seen = 0u64;
    let outcome = sync::drain(
        &mut m,
        store.as_mut(),
        &merchant,
        &opts,
        &mut counts,
        &mut |n, fate, gap| {
            if gap {
                gap_ids.push(n.payment_notice_id.clone());
            }
            if let Fate::Quarantined(why) = fate {
                quarantined.push((n.payment_notice_id.clone(), why.clone()));
            }
            if *fate != Fate::Duplicate && a.jsonl {
                let line = fresh_json(n, &merchant, fate, gap);
                let _ = writeln!(out, "{}", crate::term::json(&line));
            }
            seen += 1;
            if let Some(pb) = spinner.as_ref().filter(|_| seen % 50 == 1) {
                pb.set_message(msg.get(
                    "notices.progress",
                    &[("n", &seen.to_string()), ("id", &n.payment_notice_id)],
                ));
            }
        },
    );
    let _ = out.flush();
    drop(out);
    if let Some(pb) = spinner {
        pb.finish_and_clear();
    }
    for id in &gap_ids {
        eprintln!("{}", msg.get("notices.gap", &[("id", id)]));
    }
    for (id, why) in &quarantined {
        eprintln!(
            "{}",
            msg.get(
                "notices.quarantined",
                &[("id", id), ("detail", &visible(why, false))]
            )
        );
    }
    let mut code = match &outcome {
        Outcome::CaughtUp => Exit::Done,
        Outcome::Limit => {
            eprintln!("{}", msg.get("notices.limit", &[]));
            Exit::Limit
        }
        Outcome::Gateway { code, detail } => {
            eprintln!(
                "{}",
                msg.get(
                    "notices.gateway_error",
                    &[
                        ("code", &visible(code, false)),
                        ("detail", &visible(detail, false))
                    ]
                )
            );
            Exit::Refused
        }
        Outcome::Protocol(what) => {
            let what = visible(what, false);
            eprintln!("{}", msg.get("notices.protocol", &[("detail", &what)]));
            Exit::Refused
        }
        Outcome::Module { error, text } => {
            crate::send::print_module_error(text, error, msg);
            Exit::Failed
        }
        Outcome::Store(e) => db_error(e, &a.db.db, msg),
    };

    // Hand over what is stored, also after a failed fetch: a notice stored is a notice to apply.
    let (mut processed, mut failed) = (0u64, 0u64);
    if let (Some(cmd), false) = (&a.exec, matches!(outcome, Outcome::Store(_))) {
        let handed = run_exec(cmd, seconds(a.exec_timeout), store.as_mut(), &merchant, msg);
        (processed, failed) = (handed.processed, handed.failed);
        if let Some(e) = handed.error {
            code = db_error(&e, &a.db.db, msg);
        }
    }
    let _ = store.unlock(&merchant);
    // Caught up with something to look at: the documented order decides which is told.
    if code == Exit::Done {
        for (applies, exit) in [
            (counts.gaps > 0, Exit::Gap),
            (counts.quarantined > 0, Exit::Quarantined),
            (failed > 0, Exit::ExecFailed),
        ] {
            if applies {
                code = code.worst(exit);
            }
        }
    }
    let summary = msg.get(
        "notices.summary",
        &[
            ("fetched", &counts.fetched.to_string()),
            ("stored", &counts.stored.to_string()),
            ("duplicates", &counts.duplicates.to_string()),
            ("gaps", &counts.gaps.to_string()),
            ("quarantined", &counts.quarantined.to_string()),
            ("processed", &processed.to_string()),
            ("failed", &failed.to_string()),
            (
                "seconds",
                &format!("{:.2}", started.elapsed().as_secs_f64()),
            ),
            ("exit", &code.code().to_string()),
        ],
    );
    // Written, not println!: a closed stdout must not turn a finished sync into a panic.
    let _ = if a.jsonl {
        writeln!(std::io::stderr(), "{summary}")
    } else {
        writeln!(std::io::stdout(), "{summary}")
    };
    code
}

/// What `--exec` did: the notices whose `processed_at` / `process_error` was committed, and the
/// database error that stopped it, if any (the counts stand: those marks are committed).
struct Handed {
    processed: u64,
    failed: u64,
    error: Option<paygent_notices::Error>,
}

/// `--exec`: each unprocessed notice, oldest first.
fn run_exec(
    cmd: &str,
    timeout: Duration,
    store: &mut dyn Store,
    merchant: &str,
    msg: &Messages,
) -> Handed {
    let mut handed = Handed {
        processed: 0,
        failed: 0,
        error: None,
    };
    // This merchant's only: several merchants may share the database.
    let pending = match store.list(&ListFilter {
        unprocessed: true,
        since: None,
        merchant_id: Some(merchant.to_string()),
        ..ListFilter::default()
    }) {
        Ok(p) => p,
        Err(e) => {
            handed.error = Some(e);
            return handed;
        }
    };
    for n in pending {
        let id = &n.notice.payment_notice_id;
        let marked = match exec_one(cmd, timeout, &n) {
            Ok(()) => store.mark_processed(id).map(|_| handed.processed += 1),
            Err(why) => {
                eprintln!(
                    "{}",
                    msg.get("notices.exec_failed", &[("id", id), ("detail", &why)])
                );
                store.mark_failed(id, &why).map(|()| handed.failed += 1)
            }
        };
        if let Err(e) = marked {
            handed.error = Some(e);
            break;
        }
    }
    handed
}

fn exec_one(cmd: &str, timeout: Duration, n: &StoredNotice) -> Result<(), String> {
    use std::os::fd::AsFd;
    use std::os::unix::process::CommandExt;
    // The command's stdout goes to our stderr: our stdout is for --jsonl and the summary.
    let stdout = std::io::stderr()
        .as_fd()
        .try_clone_to_owned()
        .map(Stdio::from)
        .unwrap_or_else(|_| Stdio::null());
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .env("PAYGENT_NOTICE_ID", &n.notice.payment_notice_id)
        .env("PAYGENT_PAYMENT_ID", &n.notice.payment_id)
        .env("PAYGENT_TRADING_ID", &n.notice.trading_id)
        .env("PAYGENT_PAYMENT_STATUS", &n.notice.payment_status)
        .stdin(Stdio::piped())
        .stdout(stdout)
        // Its own process group: a timeout kills the command's children too.
        .process_group(0)
        .spawn()
        .map_err(|e| format!("sh -c: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A command that does not read its input is fine (EPIPE ignored).
        let _ = writeln!(stdin, "{}", n.to_json());
    }
    let started = Instant::now();
    let mut pause = Duration::from_micros(200);
    let status = loop {
        if let Some(st) = child.try_wait().map_err(|e| format!("wait: {e}"))? {
            break st;
        }
        if started.elapsed() >= timeout {
            if let Ok(pgid) = libc::pid_t::try_from(child.id()) {
                // SAFETY: a signal to the process group this command leads.
                unsafe { libc::kill(-pgid, libc::SIGKILL) };
            }
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("timed out after {} s", timeout.as_secs_f64()));
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    };
    if status.success() {
        return Ok(());
    }
    use std::os::unix::process::ExitStatusExt;
    Err(match (status.code(), status.signal()) {
        (Some(c), _) => format!("exit status {c}"),
        (None, Some(s)) => format!("killed by signal {s}"),
        _ => status.to_string(),
    })
}

fn list(a: ListArgs, msg: &Messages) -> Exit {
    let mut store = match open(&a.db.db, msg, true) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let filter = ListFilter {
        unprocessed: a.unprocessed,
        since: a.since.clone(),
        merchant_id: a.merchant_id.clone(),
        ..ListFilter::default()
    };
    // Quarantined notices too, in id order among the others — except with --unprocessed, which
    // lists what --exec would hand over (a quarantined notice needs a person).
    let rows = store.list(&filter).and_then(|rows| {
        let held = if a.unprocessed {
            Vec::new()
        } else {
            store.quarantined(&filter)?
        };
        Ok(merged(rows, held))
    });
    let rows = match rows {
        Ok(r) => r,
        Err(e) => return db_error(&e, &a.db.db, msg),
    };
    let mut out = std::io::stdout().lock();
    if a.json {
        let v: Vec<Value> = rows
            .iter()
            .map(|r| match r {
                Listed::Stored(n) => n.to_json(),
                Listed::Quarantined(q) => q.to_json(),
            })
            .collect();
        let _ = writeln!(out, "{}", crate::term::json(&Value::from(v)));
        return Exit::Done;
    }
    // One line per notice: no control character of a value reaches the terminal, no newline
    // splits the line.
    let v = |s: &str| visible(s, false).into_owned();
    for r in &rows {
        let line = match r {
            Listed::Stored(r) => {
                let n = &r.notice;
                format!(
                    "{:>10} {:<20} {:<24} {:>3} {:>3} {:>10} {} {}{}",
                    v(&n.payment_notice_id),
                    v(&n.payment_id),
                    v(&n.trading_id),
                    v(&n.payment_type),
                    v(&n.payment_status),
                    n.payment_amount.map(|a| a.to_string()).unwrap_or_default(),
                    r.received_at,
                    r.processed_at.as_deref().unwrap_or("-"),
                    r.process_error
                        .as_deref()
                        .map(|e| format!(" ({})", v(e)))
                        .unwrap_or_default()
                )
            }
            Listed::Quarantined(q) => {
                let n = q.notice();
                format!(
                    "{:>10} {:<20} {:<24} {:>3} {:>3} {:>10} {} QUARANTINED ({})",
                    v(q.payment_notice_id.as_deref().unwrap_or("-")),
                    v(&n.payment_id),
                    v(&n.trading_id),
                    v(&n.payment_type),
                    v(&n.payment_status),
                    n.payment_amount.map(|a| a.to_string()).unwrap_or_default(),
                    q.quarantined_at,
                    v(&q.reason)
                )
            }
        };
        // A closed stdout (`| head`) ends the listing quietly.
        if writeln!(out, "{line}").is_err() {
            break;
        }
    }
    Exit::Done
}

/// A row of `notices list`.
enum Listed {
    Stored(Box<StoredNotice>),
    Quarantined(Quarantined),
}

/// Stored and quarantined notices in `payment_notice_id` order (as numbers); a quarantined one
/// without an id last.
fn merged(rows: Vec<StoredNotice>, held: Vec<Quarantined>) -> Vec<Listed> {
    let key = |id: Option<&str>| id.map_or((usize::MAX, String::new()), |i| (i.len(), i.into()));
    let mut all: Vec<((usize, String), Listed)> = rows
        .into_iter()
        .map(|r| {
            (
                key(Some(&r.notice.payment_notice_id)),
                Listed::Stored(Box::new(r)),
            )
        })
        .chain(
            held.into_iter()
                .map(|q| (key(q.payment_notice_id.as_deref()), Listed::Quarantined(q))),
        )
        .collect();
    // Stable: the stores' own order among equal keys.
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all.into_iter().map(|(_, r)| r).collect()
}

fn gaps(a: GapsArgs, msg: &Messages) -> Exit {
    let mut store = match open(&a.db.db, msg, true) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let rows = store
        .gaps()
        .and_then(|g| Ok((g, store.quarantined(&ListFilter::default())?)));
    let (gaps, held) = match rows {
        Ok(r) => r,
        Err(e) => return db_error(&e, &a.db.db, msg),
    };
    let mut out = std::io::stdout().lock();
    if a.json {
        // Gaps then quarantined notices, each with its "kind".
        let v: Vec<Value> = gaps
            .iter()
            .map(|g| with_kind(g.to_json(), "gap"))
            .chain(held.iter().map(|q| with_kind(q.to_json(), "quarantine")))
            .collect();
        let _ = writeln!(out, "{}", crate::term::json(&Value::from(v)));
        return Exit::Done;
    }
    for g in &gaps {
        let _ = writeln!(
            out,
            "{}",
            msg.get(
                "notices.gap_row",
                &[
                    ("detected", &g.detected_at),
                    ("merchant", &visible(&g.merchant_id, false)),
                    ("id", &g.first_payment_notice_id_after)
                ]
            )
        );
    }
    for q in &held {
        let _ = writeln!(
            out,
            "{}",
            msg.get(
                "notices.quarantine_row",
                &[
                    ("at", &q.quarantined_at),
                    ("merchant", &visible(&q.merchant_id, false)),
                    (
                        "id",
                        &visible(q.payment_notice_id.as_deref().unwrap_or("-"), false)
                    ),
                    ("detail", &visible(&q.reason, false)),
                ]
            )
        );
    }
    Exit::Done
}

fn with_kind(mut v: Value, kind: &str) -> Value {
    if let Value::Object(o) = &mut v {
        o.insert("kind".into(), kind.into());
    }
    v
}

fn mark(a: MarkArgs, msg: &Messages) -> Exit {
    let mut store = match open(&a.db.db, msg, true) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut code = Exit::Done;
    for id in &a.ids {
        match store.mark_processed(id) {
            Ok(true) => {}
            Ok(false) => {
                eprintln!("{}", msg.get("notices.no_such_notice", &[("id", id)]));
                code = Exit::Refused;
            }
            Err(e) => return db_error(&e, &a.db.db, msg),
        }
    }
    code
}
