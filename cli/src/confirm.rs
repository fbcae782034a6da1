//! `paygent confirm`: after a `maybe_sent` failure, what did the gateway do with that telegram?
//! The 094 payment information inquiry of paygent-core (`confirm::inquire`), for one order or,
//! with `--pending`, for every telegram of the module's journal (`confirm::confirm_pending`);
//! this file only reads arguments and prints.

use std::path::PathBuf;
use std::time::Duration;

use paygent_core::confirm::{self, Confirmation, Verdict, inquire};
use paygent_core::journal::{self, Line, Location};

use crate::config;
use crate::i18n::Messages;

/// Exit codes: 0 found, 1 not found (yet), 2 unknown (the inquiry failed, or no configuration).
/// With `--pending`: 0 nothing left pending, 1 some records still pending, 2 configuration,
/// journal or usage error.
#[derive(clap::Args)]
pub struct Args {
    /// modenv_properties.php or paygent.properties (default: $PAYGENT_PROPERTIES,
    /// ./modenv_properties.php, ./paygent.properties).
    #[arg(long)]
    config: Option<PathBuf>,
    /// The trading_id the lost telegram carried.
    #[arg(long, required_unless_present_any = ["payment_id", "pending", "resolve"],
          conflicts_with_all = ["pending", "resolve"])]
    trading_id: Option<String>,
    /// The payment_id, when known.
    #[arg(long, conflicts_with_all = ["pending", "resolve"])]
    payment_id: Option<String>,
    /// merchant_id to send (when the configuration does not add it).
    #[arg(long, conflicts_with_all = ["pending", "resolve"])]
    merchant_id: Option<String>,
    /// One JSON object on stdout.
    #[arg(long, conflicts_with_all = ["pending", "resolve"])]
    json: bool,
    /// Resolve every maybe_sent telegram the modules journaled (run it from cron, as the user
    /// the modules run as).
    #[arg(long, conflicts_with = "resolve")]
    pending: bool,
    /// With --pending: one JSON object per journal record on stdout.
    #[arg(long, requires = "pending")]
    jsonl: bool,
    /// With --pending: seconds after its failure before a telegram the gateway does not have is
    /// taken as never processed ("not charged, safe to retry").
    #[arg(long, requires = "pending", default_value_t = journal::SETTLE_DEFAULT.as_secs(), value_name = "SECONDS")]
    settle: u64,
    /// Close one journal record by hand, after checking the payment on the merchant screen
    /// (for telegram kinds 094 cannot show).
    #[arg(long, value_name = "ID")]
    resolve: Option<String>,
    /// With --pending: the database `paygent notices sync` stores the payment notices in
    /// (sqlite:PATH, postgres://…, mysql://…): a telegram whose payment a stored notice shows
    /// processed is resolved without a 094.
    #[arg(long, requires = "pending", value_name = "URL")]
    db: Option<String>,
}

pub fn run(args: Args, msg: &Messages) -> u8 {
    if args.pending || args.resolve.is_some() {
        return run_journal(&args, msg);
    }
    let Some(found) = config::find_for_command(args.config.as_deref(), msg, args.json) else {
        return 2;
    };
    let merchant = args.merchant_id.unwrap_or_default();
    let common: Vec<(&[u8], &[u8])> = if merchant.is_empty() {
        Vec::new()
    } else {
        vec![(b"merchant_id", merchant.as_bytes())]
    };
    let c = inquire(
        found.dialect,
        found.source,
        args.trading_id.unwrap_or_default().as_bytes(),
        args.payment_id.unwrap_or_default().as_bytes(),
        &common,
    );
    let items: Vec<(String, String)> = c
        .items()
        .into_iter()
        .map(|(k, v)| (String::from_utf8_lossy(k).into_owned(), decode(v)))
        .collect();
    if args.json {
        let obj: serde_json::Map<String, serde_json::Value> =
            items.into_iter().map(|(k, v)| (k, v.into())).collect();
        println!("{}", crate::term::json(&serde_json::Value::Object(obj)));
    } else {
        println!("{}", msg.get(&format!("confirm.{}", c.outcome()), &[]));
        for (k, v) in items.iter().skip(1) {
            let (k, v) = (
                crate::term::visible(k, false),
                crate::term::visible(v, false),
            );
            println!("  {k:<15} {v}");
        }
        if c == Confirmation::NotFound {
            eprintln!("{}", msg.get("confirm.not_found_remedy", &[]));
        } else if matches!(c, Confirmation::Unknown { .. }) {
            eprintln!("{}", msg.get("confirm.unknown_remedy", &[]));
        }
    }
    match c {
        Confirmation::Found { .. } => 0,
        Confirmation::NotFound => 1,
        Confirmation::Unknown { .. } => 2,
    }
}

/// `--pending` and `--resolve`: the journal of the configuration's `journal_dir`.
fn run_journal(args: &Args, msg: &Messages) -> u8 {
    let Some(found) = config::find_for_command(args.config.as_deref(), msg, args.jsonl) else {
        return 2;
    };
    let config = match found.source.load() {
        Ok(c) => c,
        Err(e) => {
            eprintln!(
                "{}",
                String::from_utf8_lossy(&e.warning_text(found.dialect))
            );
            return 2;
        }
    };
    let dir = match journal::locate(&config) {
        Ok(Location::Dir(d)) => d,
        Ok(Location::Off) => {
            eprintln!("{}", msg.get("journal.off", &[]));
            return 2;
        }
        Ok(Location::Absent(path)) => {
            // Nothing was ever journaled by this user: nothing pending, but say whose journal.
            eprintln!("{}", msg.get("journal.absent", &[("path", &path)]));
            return 0;
        }
        Err(why) => {
            eprintln!("{}", msg.get("journal.refused", &[("why", &why)]));
            return 2;
        }
    };
    let now = journal::now_secs();
    if let Some(id) = &args.resolve {
        return match journal::resolve_by_hand(&dir, id, now) {
            Ok(e) => {
                let (kind, tid) = (decode(&e.telegram_kind), decode(&e.trading_id));
                println!(
                    "{}",
                    msg.get(
                        "journal.resolved_by_hand",
                        &[("id", id), ("kind", &kind), ("trading_id", &tid)]
                    )
                );
                0
            }
            Err(why) => {
                eprintln!("{why}");
                2
            }
        };
    }
    if !args.jsonl && is_root() && config.journal_dir == paygent_core::config::JOURNAL_AUTO {
        eprintln!("{}", msg.get("journal.root", &[]));
    }
    // The notices store, when there is one: asked before the gateway.
    let mut store = match &args.db {
        Some(url) => match crate::notices::open(url, msg, true) {
            Ok(s) => Some(s),
            Err(exit) => return exit.code(),
        },
        None => None,
    };
    let default_merchant = decode(&config.default_merchant_id);
    let mut store_failed = None;
    let mut known = |e: &journal::Entry| {
        let store = store.as_mut()?;
        if store_failed.is_some() {
            return None;
        }
        let merchant = match decode(&e.merchant_id) {
            m if m.is_empty() => default_merchant.clone(),
            m => m,
        };
        let found = paygent_notices::latest_notice(
            store.as_mut(),
            Some(&merchant),
            &decode(&e.trading_id),
            &decode(&e.payment_id),
        );
        match found {
            Ok(n) => n.map(|n| n.confirmation()),
            // Said once below; the gateway is asked instead.
            Err(err) => {
                store_failed = Some(err);
                None
            }
        }
    };
    let checked = match confirm::confirm_pending_with(
        found.dialect,
        &found.source,
        &dir,
        Duration::from_secs(args.settle),
        now,
        &mut known,
    ) {
        Ok(c) => c,
        Err(why) => {
            eprintln!("{}", msg.get("journal.refused", &[("why", &why)]));
            return 2;
        }
    };
    if let (Some(e), Some(url)) = (&store_failed, &args.db) {
        // The inquiry went on without the store; its error is told, and it fails the run.
        crate::notices::db_error(e, url, msg);
    }
    let mut counts = [0usize; 3];
    for c in &checked {
        counts[match c.verdict {
            Verdict::Processed => 0,
            Verdict::NotProcessed => 1,
            Verdict::Pending { .. } => 2,
        }] += 1;
        if args.jsonl {
            println!("{}", jsonl(c, now));
        } else {
            println!("{}", text(c, now, msg));
        }
    }
    if !args.jsonl {
        let (p, n, w) = (
            counts[0].to_string(),
            counts[1].to_string(),
            counts[2].to_string(),
        );
        let path = journal::path_of(&dir);
        eprintln!(
            "{}",
            msg.get(
                "journal.summary",
                &[
                    ("processed", &p),
                    ("not_processed", &n),
                    ("pending", &w),
                    ("path", &path)
                ]
            )
        );
    }
    if store_failed.is_some() {
        return 2;
    }
    u8::from(counts[2] > 0)
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// One line for the operator: verdict, the telegram, what to do.
fn text(c: &confirm::Checked, now: u64, msg: &Messages) -> String {
    let Line::Entry(e) = &c.line else {
        let reason = match &c.verdict {
            Verdict::Pending { reason } => reason.as_str(),
            _ => "",
        };
        return format!("pending        {reason}");
    };
    let mut out = format!("{:<14} {}", c.verdict.name(), decode(&e.telegram_kind));
    for (k, v) in [
        ("merchant_id", &e.merchant_id),
        ("trading_id", &e.trading_id),
        ("payment_id", &e.payment_id),
    ] {
        if !v.is_empty() {
            out.push_str(&format!(" {k}={}", decode(v)));
        }
    }
    out.push_str(&format!(
        " ({} min ago, journal id {})",
        now.saturating_sub(e.time) / 60,
        e.id
    ));
    let what = match (&c.verdict, &c.answer) {
        (
            Verdict::Processed,
            Some(Confirmation::Found {
                payment_id,
                payment_status,
                payment_amount,
                ..
            }),
        ) => msg.get(
            "journal.processed",
            &[
                ("payment_id", &decode(payment_id)),
                ("status", &decode(payment_status)),
                ("amount", &decode(payment_amount)),
            ],
        ),
        (Verdict::Processed, _) => msg.get("journal.read_only", &[]),
        (Verdict::NotProcessed, _) => msg.get("journal.not_processed", &[]),
        (Verdict::Pending { reason }, _) => msg.get("journal.pending", &[("reason", reason)]),
    };
    out.push_str("\n               ");
    out.push_str(&what);
    if c.from_notices {
        out.push(' ');
        out.push_str(&msg.get("journal.from_notices", &[]));
    }
    out
}

/// One JSON object for `--jsonl`.
fn jsonl(c: &confirm::Checked, now: u64) -> serde_json::Value {
    let mut o = serde_json::Map::new();
    match &c.line {
        Line::Entry(e) => {
            o.insert("id".into(), e.id.clone().into());
            o.insert("time".into(), e.time.into());
            o.insert("age_seconds".into(), now.saturating_sub(e.time).into());
            o.insert("telegram_kind".into(), decode(&e.telegram_kind).into());
            o.insert("merchant_id".into(), decode(&e.merchant_id).into());
            o.insert("trading_id".into(), decode(&e.trading_id).into());
            o.insert("payment_id".into(), decode(&e.payment_id).into());
            o.insert("failure".into(), decode(&e.failure).into());
        }
        Line::Unreadable(raw) => {
            o.insert(
                "line".into(),
                String::from_utf8_lossy(raw).into_owned().into(),
            );
        }
    }
    o.insert("resolution".into(), c.verdict.name().into());
    if let Verdict::Pending { reason } = &c.verdict {
        o.insert("reason".into(), reason.clone().into());
    }
    if let Some(a) = &c.answer {
        o.insert("inquiry".into(), a.outcome().into());
        // Where the answer came from: the stored payment notices (091) or a 094 inquiry.
        let by = if c.from_notices { "notices" } else { "094" };
        o.insert("answered_by".into(), by.into());
        for (k, v) in a.items().into_iter().skip(1) {
            let key = match k {
                b"payment_id" => "gateway_payment_id".to_string(),
                b"trading_id" => "gateway_trading_id".to_string(),
                other => String::from_utf8_lossy(other).into_owned(),
            };
            o.insert(key, decode(v).into());
        }
    }
    serde_json::Value::Object(o)
}

/// Reply bytes are Windows-31J: shown as UTF-8.
fn decode(v: &[u8]) -> String {
    encoding_rs::SHIFT_JIS.decode(v).0.into_owned()
}
