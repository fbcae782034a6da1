//! The 091 loop: ask with the stored cursor until `success_code=1`, storing each notice and
//! moving the cursor in one transaction. The telegram is built, sent and parsed by
//! [`paygent_core::Module`] (configured with `caller_encoding=UTF-8`, so reply values arrive as
//! UTF-8); this file only reads `success_code` and the notice items.

use std::time::{Duration, Instant};

use paygent_core::Module;
use serde_json::{Map, Value};

use crate::{Notice, Store, id_after, test_pause};

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

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Notices wait for a commit in batches: at most this many…
const BATCH_MAX: usize = 256;
/// …and none longer than this after it was received (a slow trickle still commits promptly).
const BATCH_AGE: Duration = Duration::from_millis(50);

/// The notices received and not yet handed to the store.
#[derive(Default)]
struct Pending {
    batch: Vec<(Notice, bool)>,
    since: Option<Instant>,
}

impl Pending {
    /// Add a notice; the batch when it is due for a commit.
    fn push(&mut self, notice: Notice, gap: bool) -> Option<Vec<(Notice, bool)>> {
        self.since.get_or_insert_with(Instant::now);
        self.batch.push((notice, gap));
        let due =
            self.batch.len() >= BATCH_MAX || self.since.is_some_and(|t| t.elapsed() >= BATCH_AGE);
        due.then(|| self.take())
    }

    fn take(&mut self) -> Vec<(Notice, bool)> {
        self.since = None;
        std::mem::take(&mut self.batch)
    }
}

/// What the writer did with one batch.
enum Stored {
    Batch {
        batch: Vec<(Notice, bool)>,
        new: Vec<bool>,
    },
    Failed(crate::Error),
}

/// Count and tell the notices of a committed batch, in order.
fn told(
    batch: &[(Notice, bool)],
    new: &[bool],
    counts: &mut Counts,
    on_notice: &mut dyn FnMut(&Notice, bool, bool),
) {
    for ((notice, gap), new) in batch.iter().zip(new) {
        if *new {
            counts.stored += 1;
        } else {
            counts.duplicates += 1;
        }
        on_notice(notice, *new, *gap);
    }
}

/// Drain 091 into `store` for `merchant` (sent as `merchant_id` unless empty: then the
/// configuration's `merchant_id` is). `on_notice(notice, new, gap)` sees every notice stored,
/// in order, once its transaction has committed.
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
    on_notice: &mut dyn FnMut(&Notice, bool, bool),
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
                match store.store_batch(merchant, &batch) {
                    Ok(new) => {
                        let _ = results.send(Stored::Batch { batch, new });
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
            Stored::Batch { batch, new } => told(&batch, &new, counts, on_notice),
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
        let items: Map<String, Value> = m
            .records()
            .first()
            .map(|r| {
                r.iter()
                    .map(|(k, v)| (text(k), Value::from(text(v))))
                    .collect()
            })
            .unwrap_or_default();
        let success = items
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
        let notice = Notice::from_items(items);
        let id = notice.payment_notice_id.clone();
        if id.is_empty()
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
