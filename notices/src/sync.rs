//! The 091 loop: ask with the stored cursor until `success_code=1`, storing each notice and
//! moving the cursor in one transaction. Each telegram is one drain step of
//! [`paygent_core::notice`] (which sends it, parses the reply and applies the 091 rules:
//! `success_code`, increasing `payment_notice_id`), with reply values as received (Windows-31J
//! bytes: give it a module without `caller_encoding`), so that each notice is kept byte for byte
//! ([`Notice::raw_record`]) besides its text. This file batches, stores and counts; a notice the
//! database refuses is quarantined, not retried for ever.

use std::time::{Duration, Instant};

use paygent_core::Module;
use paygent_core::notice::{self, StepError};

use crate::{ErrorKind, Notice, Store, test_pause};

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
        Err(e) if e.kind() == ErrorKind::Data => {}
        Err(e) => return Err(e),
    }
    let mut fates = Vec::with_capacity(batch.len());
    for one in batch {
        match store.store_batch(merchant, std::slice::from_ref(one)) {
            Ok(new) => fates.push(fate(new.first().copied().unwrap_or(false))),
            Err(e) if e.kind() == ErrorKind::Data => {
                store.quarantine(merchant, &one.0, one.1, e.detail())?;
                fates.push(Fate::Quarantined(e.to_string()));
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

/// The telegram loop: `hand(notice, gap, counts)` takes each notice received. Each telegram
/// is one [`paygent_core::notice::step`] (the 091 rules are core's); this loop only counts,
/// keeps the cursor and stops at the limits.
fn poll(
    m: &mut Module,
    merchant: &str,
    mut cursor: Option<String>,
    opts: &Options,
    counts: &mut Counts,
    hand: &mut dyn FnMut(Notice, bool, &mut Counts) -> crate::Result<()>,
) -> Outcome {
    let start = Instant::now();
    notice::prepare(m, merchant.as_bytes());
    loop {
        if opts.max_calls.is_some_and(|n| counts.calls >= n)
            || opts.max_duration.is_some_and(|d| start.elapsed() >= d)
        {
            return Outcome::Limit;
        }
        counts.calls += 1;
        let page = match notice::step(m, cursor.as_deref().map(str::as_bytes)) {
            Ok(p) => p,
            Err(StepError::Gateway { code, detail }) => {
                return Outcome::Gateway {
                    code: text(&code),
                    detail: text(&detail),
                };
            }
            Err(StepError::Module { error, text: t }) => {
                return Outcome::Module {
                    error,
                    text: text(&t),
                };
            }
            Err(StepError::Protocol(what)) => return Outcome::Protocol(what),
        };
        for n in page.notices {
            let notice = Notice::from_record(n.record.iter());
            counts.fetched += 1;
            if n.gap_before {
                counts.gaps += 1;
            }
            test_pause("after_reply");
            // Core checked the id: digits, after the cursor.
            let id = notice.payment_notice_id.clone();
            if let Err(e) = hand(notice, n.gap_before, counts) {
                return Outcome::Store(e);
            }
            cursor = Some(id);
        }
        if !page.more {
            return Outcome::CaughtUp;
        }
    }
}
