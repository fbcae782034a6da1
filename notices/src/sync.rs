//! The 091 loop: ask with the stored cursor until `success_code=1`, storing each notice and
//! moving the cursor in one transaction. The telegram is built, sent and parsed by
//! [`paygent_core::Module`], with reply values as received (Windows-31J bytes: give it a module
//! without `caller_encoding`), so that each notice is kept byte for byte ([`Notice::raw_record`])
//! besides its text. This file reads `success_code` and checks `payment_notice_id` (the rules
//! the loop needs to go on); a notice the database refuses is quarantined, not retried for ever.

use std::time::{Duration, Instant};

use paygent_core::Module;
use serde_json::{Map, Value};

use crate::{ErrorKind, Notice, Store, id_after, test_pause};

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Stop after this many 091 telegrams.
    pub max_calls: Option<u64>,
    /// Stop after this long.
    pub max_duration: Option<Duration>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counts {
    /// 091 telegrams sent.
    pub calls: u64,
    /// Notices received (`success_code` 0 or 2).
    pub fetched: u64,
    /// Stored now for the first time.
    pub stored: u64,
    /// Received again but already stored (a crash after the commit, or another writer).
    pub duplicates: u64,
    /// `success_code=2` replies.
    pub gaps: u64,
    /// Refused by the database and kept in the quarantine instead ([`Store::quarantine`]).
    pub quarantined: u64,
}

/// What became of a notice received.
#[derive(Clone, Debug, PartialEq)]
pub enum Fate {
    /// Stored now for the first time.
    New,
    /// Already stored.
    Duplicate,
    /// The database refused it (the reason): kept in the quarantine, the cursor past it.
    Quarantined(String),
}

/// How a drain ended.
#[derive(Debug)]
pub enum Outcome {
    /// `success_code=1`: nothing more to fetch.
    CaughtUp,
    /// `--max-calls` / `--max-seconds` reached first.
    Limit,
    /// The gateway answered `result=1`.
    Gateway { code: String, detail: String },
    /// The module failed (configuration, certificate, connection): its E0xxxx error and text.
    Module {
        error: paygent_core::Error,
        text: String,
    },
    /// The store failed.
    Store(crate::Error),
    /// A reply the loop cannot go on from (no new `payment_notice_id`, unknown `success_code`).
    Protocol(String),
}

/// Reply bytes (Windows-31J) as text for a message.
fn text(b: &[u8]) -> String {
    crate::text_of(b).0
}

/// Notices wait for a commit in batches: at most this many…
const BATCH_MAX: usize = 256;
/// …of at most this many bytes of raw record (a 1 MB notice goes almost alone: statements stay
/// far below the servers' packet limits)…
const BATCH_BYTES: usize = 1 << 20;
/// …and none longer than this after it was received (a slow trickle still commits promptly).
const BATCH_AGE: Duration = Duration::from_millis(50);
/// The longest `payment_notice_id` the stores hold (and the cursor with it).
const ID_MAX: usize = 64;

/// The notices received and not yet handed to the store.
#[derive(Default)]
struct Pending {
    batch: Vec<(Notice, bool)>,
    bytes: usize,
    since: Option<Instant>,
}

impl Pending {
    /// Add a notice; the batch when it is due for a commit.
    fn push(&mut self, notice: Notice, gap: bool) -> Option<Vec<(Notice, bool)>> {
        self.since.get_or_insert_with(Instant::now);
        self.bytes += notice.raw_record.len();
        self.batch.push((notice, gap));
        let due = self.batch.len() >= BATCH_MAX
            || self.bytes >= BATCH_BYTES
            || self.since.is_some_and(|t| t.elapsed() >= BATCH_AGE);
        due.then(|| self.take())
    }

    fn take(&mut self) -> Vec<(Notice, bool)> {
        self.since = None;
        self.bytes = 0;
        std::mem::take(&mut self.batch)
    }
}

/// What the writer did with one batch.
enum Stored {
    Batch {
        batch: Vec<(Notice, bool)>,
        fates: Vec<Fate>,
    },
    Failed(crate::Error),
}

/// Commit a batch. When the database refuses a value ([`ErrorKind::Data`]), the batch is
/// committed again notice by notice (each with the cursor at it), and the notice it still
/// refuses goes to the quarantine with the reason, the cursor past it: one bad notice no longer
/// fails every run until the gateway purges it. Any other error (connection, full disk) stops.
fn commit(
    store: &mut (dyn Store + Send),
    merchant: &str,
    batch: &[(Notice, bool)],
) -> crate::Result<Vec<Fate>> {
    let fate = |new: bool| if new { Fate::New } else { Fate::Duplicate };
    match store.store_batch(merchant, batch) {
        Ok(new) => return Ok(new.into_iter().map(fate).collect()),
        Err(e) if e.kind == ErrorKind::Data => {}
        Err(e) => return Err(e),
    }
    let mut fates = Vec::with_capacity(batch.len());
    for one in batch {
        match store.store_batch(merchant, std::slice::from_ref(one)) {
            Ok(new) => fates.push(fate(new.first().copied().unwrap_or(false))),
            Err(e) if e.kind == ErrorKind::Data => {
                store.quarantine(merchant, &one.0, one.1, &e.detail)?;
                fates.push(Fate::Quarantined(e.detail));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(fates)
}

/// Count and tell the notices of a committed batch, in order.
fn told(
    batch: &[(Notice, bool)],
    fates: &[Fate],
    counts: &mut Counts,
    on_notice: &mut dyn FnMut(&Notice, &Fate, bool),
) {
    for ((notice, gap), fate) in batch.iter().zip(fates) {
        match fate {
            Fate::New => counts.stored += 1,
            Fate::Duplicate => counts.duplicates += 1,
            Fate::Quarantined(_) => counts.quarantined += 1,
        }
        on_notice(notice, fate, *gap);
    }
}

/// Drain 091 into `store` for `merchant` (sent as `merchant_id` unless empty: then the
/// configuration's `merchant_id` is). `on_notice(notice, fate, gap)` sees every notice stored
/// or quarantined, in order, once its transaction has committed.
///
/// Notices are committed in batches ([`BATCH_MAX`], [`BATCH_AGE`]), each batch with the cursor
/// at its last notice in one transaction ([`Store::store_batch`]): the cursor never passes a
/// notice that is not stored. 091 is a read-only inquiry, so a crash before a commit only means
/// that the batch is asked for again on the next run, from the last committed cursor. A writer
/// thread commits a batch while the next telegrams are on the wire (one hand-over per batch, so
/// an in-process SQLite gains from it too).
pub fn drain(
    m: &mut Module,
    store: &mut (dyn Store + Send),
    merchant: &str,
    opts: &Options,
    counts: &mut Counts,
    on_notice: &mut dyn FnMut(&Notice, &Fate, bool),
) -> Outcome {
    let cursor = match store.cursor(merchant) {
        Ok(c) => c,
        Err(e) => return Outcome::Store(e),
    };
    let mut pending = Pending::default();
    // Bounded: the telegrams never run far ahead of the database.
    let (to_writer, jobs) = std::sync::mpsc::sync_channel::<Vec<(Notice, bool)>>(2);
    let (results, from_writer) = std::sync::mpsc::channel::<Stored>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for batch in jobs {
                match commit(store, merchant, &batch) {
                    Ok(fates) => {
                        let _ = results.send(Stored::Batch { batch, fates });
                    }
                    Err(e) => {
                        let _ = results.send(Stored::Failed(e));
                        return;
                    }
                }
            }
        });
        let mut failed = None;
        let mut take = |r: Stored, counts: &mut Counts, failed: &mut Option<crate::Error>| match r {
            Stored::Batch { batch, fates } => told(&batch, &fates, counts, on_notice),
            Stored::Failed(e) => *failed = Some(e),
        };
        let writer_stopped = || crate::Error::new(crate::ErrorKind::Query, "the writer stopped");
        let mut outcome = poll(
            m,
            merchant,
            cursor,
            opts,
            counts,
            &mut |notice, gap, counts| {
                while let Ok(r) = from_writer.try_recv() {
                    take(r, counts, &mut failed);
                }
                if let Some(e) = failed.take() {
                    return Err(e);
                }
                match pending.push(notice, gap) {
                    Some(batch) => to_writer.send(batch).map_err(|_| writer_stopped()),
                    None => Ok(()),
                }
            },
        );
        let rest = pending.take();
        // After a store error the rest is not sent, and that error is what is told: "the
        // writer stopped" only stands in for an error the writer has yet to report (below).
        if !rest.is_empty()
            && !matches!(outcome, Outcome::Store(_))
            && to_writer.send(rest).is_err()
            && failed.is_none()
        {
            outcome = Outcome::Store(writer_stopped());
        }
        drop(to_writer);
        // Everything received is committed (or has failed) before the outcome is told.
        for r in from_writer {
            take(r, counts, &mut failed);
        }
        match (failed, outcome) {
            (Some(e), _) => Outcome::Store(e),
            (None, o) => o,
        }
    })
}

/// The telegram loop: `hand(notice, gap, counts)` takes each notice received.
fn poll(
    m: &mut Module,
    merchant: &str,
    mut cursor: Option<String>,
    opts: &Options,
    counts: &mut Counts,
    hand: &mut dyn FnMut(Notice, bool, &mut Counts) -> crate::Result<()>,
) -> Outcome {
    let start = Instant::now();
    m.req_put(b"telegram_kind", b"091");
    if !merchant.is_empty() {
        m.req_put(b"merchant_id", merchant.as_bytes());
    }
    loop {
        if opts.max_calls.is_some_and(|n| counts.calls >= n)
            || opts.max_duration.is_some_and(|d| start.elapsed() >= d)
        {
            return Outcome::Limit;
        }
        // No cursor yet: the gateway starts from its oldest kept notice.
        m.req_put(
            b"payment_notice_id",
            cursor.as_deref().unwrap_or("").as_bytes(),
        );
        counts.calls += 1;
        let posted = m.post();
        let status = m.result_status().map(<[u8]>::to_vec);
        match (&posted, status.as_deref()) {
            (_, Some(b"1")) => {
                return Outcome::Gateway {
                    code: text(m.response_code().unwrap_or_default()),
                    detail: text(m.response_detail().unwrap_or_default()),
                };
            }
            (Ok(()), Some(b"0")) => {}
            (Err(e), _) => {
                let t = match m.result_message() {
                    b"" => e.warning_text(m.dialect()),
                    t => t.to_vec(),
                };
                return Outcome::Module {
                    error: e.clone(),
                    text: text(&t),
                };
            }
            (Ok(()), other) => {
                return Outcome::Protocol(format!("result={}", text(other.unwrap_or_default())));
            }
        }
        let notice = match m.records().first() {
            Some(r) => Notice::from_record(r.iter()),
            None => Notice::from_items(Map::new()),
        };
        let success = notice
            .items
            .get("success_code")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let gap = match success.as_str() {
            "1" => return Outcome::CaughtUp,
            "0" => false,
            "2" => true,
            other => return Outcome::Protocol(format!("success_code={other:?}")),
        };
        let id = notice.payment_notice_id.clone();
        // The cursor must be able to move past it: digits, as many as the stores hold.
        if id.is_empty()
            || id.len() > ID_MAX
            || !id.bytes().all(|b| b.is_ascii_digit())
            || cursor.as_deref().is_some_and(|c| !id_after(&id, c))
        {
            return Outcome::Protocol(format!(
                "payment_notice_id {id:?} after {:?}",
                cursor.as_deref().unwrap_or("")
            ));
        }
        counts.fetched += 1;
        if gap {
            counts.gaps += 1;
        }
        test_pause("after_reply");
        if let Err(e) = hand(notice, gap, counts) {
            return Outcome::Store(e);
        }
        cursor = Some(id);
    }
}
