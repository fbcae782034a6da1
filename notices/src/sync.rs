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

/// What the writer did with one notice.
enum Stored {
    Notice {
        notice: Box<Notice>,
        new: bool,
        gap: bool,
    },
    Failed(crate::Error),
}

/// Drain 091 into `store` for `merchant` (sent as `merchant_id` unless empty: then the
/// configuration's `merchant_id` is). `on_notice(notice, new, gap)` sees every notice stored,
/// in order, once its transaction has committed.
///
/// With a database server ([`Store::overlaps`]), the next 091 goes out while the previous notice
/// is being committed by a writer thread (in order, one transaction each): the cursor of the next telegram is the id in the reply, and 091
/// is a read-only inquiry, so asking ahead is harmless — a crash before a commit only means
/// that notice is asked for again on the next run, from the last committed cursor.
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
    if !store.overlaps() {
        // In-process store (SQLite): a thread hand-over would cost more than it hides.
        return poll(
            m,
            merchant,
            cursor,
            opts,
            counts,
            &mut |notice, gap, counts| {
                let new = store.store(merchant, &notice, gap)?;
                if new {
                    counts.stored += 1;
                } else {
                    counts.duplicates += 1;
                }
                on_notice(&notice, new, gap);
                Ok(())
            },
        );
    }
    // Bounded: the telegrams never run far ahead of the database.
    let (to_writer, jobs) = std::sync::mpsc::sync_channel::<(Notice, bool)>(64);
    let (results, from_writer) = std::sync::mpsc::channel::<Stored>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for (notice, gap) in jobs {
                match store.store(merchant, &notice, gap) {
                    Ok(new) => {
                        let _ = results.send(Stored::Notice {
                            notice: Box::new(notice),
                            new,
                            gap,
                        });
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
            Stored::Notice { notice, new, gap } => {
                if new {
                    counts.stored += 1;
                } else {
                    counts.duplicates += 1;
                }
                on_notice(&notice, new, gap);
            }
            Stored::Failed(e) => *failed = Some(e),
        };
        let outcome = poll(
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
                to_writer
                    .send((notice, gap))
                    .map_err(|_| crate::Error::new(crate::ErrorKind::Query, "the writer stopped"))
            },
        );
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
