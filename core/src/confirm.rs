//! Confirmation by inquiry (issue 12): after a `maybe_sent` failure, what did the gateway do
//! with that telegram? The 094 payment information inquiry, by the telegram's `trading_id`
//! and/or `payment_id`. `NotFound` does not prove the telegram was never processed: it may still
//! be in flight at the gateway; ask again later (docs/error-codes.md "Failure phase").

use crate::Module;
use std::time::Duration;

use crate::config::ConfigSource;
use crate::error::{Dialect, Error};
use crate::journal::{self, Entry, Line, Resolution};
use crate::php::is_blank;
pub use crate::telegram::{Effect, effect};
use crate::transport::CacheDir;

/// The gateway's answer about one payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Confirmation {
    /// The gateway has it: the payment's items from the 094 reply (raw bytes).
    Found {
        /// `payment_id`: the gateway's id of the payment.
        payment_id: Vec<u8>,
        /// `trading_id`: the merchant's id of the payment.
        trading_id: Vec<u8>,
        /// `payment_type`: the payment method code.
        payment_type: Vec<u8>,
        /// `payment_status`: the payment's status code at the gateway.
        payment_status: Vec<u8>,
        /// `payment_amount`: the amount the gateway holds.
        payment_amount: Vec<u8>,
    },
    /// The gateway answered that no such payment exists (response code 13001) — yet.
    NotFound,
    /// The inquiry itself failed (transport, configuration, another gateway error): nothing is
    /// known. `reason` is the module's message (`E0xxxx: …`) or the gateway's response code.
    Unknown {
        /// Why nothing is known, in the module's or the gateway's words.
        reason: Vec<u8>,
    },
}

/// The 094 response code for "no such payment" (protocol.md §8.5: inquiry 13001).
const NOT_FOUND: &[u8] = b"13001";

impl Confirmation {
    /// `found`, `not_found` or `unknown`: the value the bindings and the CLI show.
    pub fn outcome(&self) -> &'static str {
        match self {
            Self::Found { .. } => "found",
            Self::NotFound => "not_found",
            Self::Unknown { .. } => "unknown",
        }
    }

    /// The answer as (name, value) pairs, `outcome` first: what PHP `confirm()` returns as an
    /// array and Perl `confirm` as a hash.
    pub fn items(&self) -> Vec<(&'static [u8], &[u8])> {
        let mut out = vec![(&b"outcome"[..], self.outcome().as_bytes())];
        match self {
            Self::Found {
                payment_id,
                trading_id,
                payment_type,
                payment_status,
                payment_amount,
            } => out.extend([
                (&b"payment_id"[..], &payment_id[..]),
                (b"trading_id", trading_id),
                (b"payment_type", payment_type),
                (b"payment_status", payment_status),
                (b"payment_amount", payment_amount),
            ]),
            Self::NotFound => {}
            Self::Unknown { reason } => out.push((b"reason", reason)),
        }
        out
    }
}

/// Ask the gateway about `trading_id` / `payment_id` (either may be empty, not both) with the
/// configuration of `source`. `common` are further parameters every telegram of the merchant
/// carries (`merchant_id`, `connect_id`, `connect_password`, …).
pub fn inquire(
    dialect: Dialect,
    source: ConfigSource,
    trading_id: &[u8],
    payment_id: &[u8],
    common: &[(&[u8], &[u8])],
) -> Confirmation {
    let mut m = Module::new(dialect, source);
    if let Err(e) = m.init() {
        return unknown(&m, &e);
    }
    ask(m, common, trading_id, payment_id)
}

/// The 094 telegram on an initialised module, and what its reply means.
fn ask(
    mut m: Module,
    common: &[(&[u8], &[u8])],
    trading_id: &[u8],
    payment_id: &[u8],
) -> Confirmation {
    if is_blank(trading_id) && is_blank(payment_id) {
        return Confirmation::Unknown {
            reason: b"no trading_id or payment_id to ask about".to_vec(),
        };
    }
    for (k, v) in common {
        m.req_put(k, v);
    }
    m.req_put(b"telegram_kind", b"094");
    for (k, v) in [
        (&b"trading_id"[..], trading_id),
        (b"payment_id", payment_id),
    ] {
        if !is_blank(v) {
            m.req_put(k, v);
        }
    }
    if let Err(e) = m.post() {
        return unknown(&m, &e);
    }
    match m.result_status() {
        Some(b"0") => {
            let record = m.records().first();
            let item = |k: &[u8]| record.and_then(|r| r.get(k)).unwrap_or_default().to_vec();
            Confirmation::Found {
                payment_id: item(b"payment_id"),
                trading_id: item(b"trading_id"),
                payment_type: item(b"payment_type"),
                payment_status: item(b"payment_status"),
                payment_amount: item(b"payment_amount"),
            }
        }
        _ if m.response_code() == Some(NOT_FOUND) => Confirmation::NotFound,
        _ => Confirmation::Unknown {
            reason: m.result_message().to_vec(),
        },
    }
}

/// What became of a `maybe_sent` telegram, from a 094 answer about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The gateway processed it (the payment exists, or has the status the telegram sets).
    Processed,
    /// The gateway did not process it, and the settle time has passed: nothing was charged or
    /// changed; the telegram may be sent again.
    NotProcessed,
    /// Not known yet, or not knowable by 094: the order stays "pending confirmation".
    Pending {
        /// Why, in words for the operator.
        reason: String,
    },
}

impl Verdict {
    /// `processed`, `not_processed` or `pending`: the value the CLI shows.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Processed => "processed",
            Self::NotProcessed => "not_processed",
            Self::Pending { .. } => "pending",
        }
    }
}

/// The verdict on a telegram of `kind` whose 094 answer is `answer`, `age` after its failure.
/// "Not there" only proves "not processed" once `settle` has passed: until then the telegram may
/// still be in flight at the gateway.
pub fn verdict(
    kind: &[u8],
    answer: &Confirmation,
    age: std::time::Duration,
    settle: std::time::Duration,
) -> Verdict {
    let pending = |reason: String| Verdict::Pending { reason };
    let settled = age >= settle;
    let wait = || {
        pending(format!(
            "not at the gateway yet, and it may still be in flight: settle time {}s, {}s left",
            settle.as_secs(),
            settle.saturating_sub(age).as_secs()
        ))
    };
    if let Confirmation::Unknown { reason } = answer {
        return pending(format!(
            "the inquiry failed: {}",
            String::from_utf8_lossy(reason)
        ));
    }
    match (effect(kind), answer) {
        (Effect::ReadOnly, _) => Verdict::Processed,
        (Effect::NotShown, _) => pending(format!(
            "094 does not show the effect of telegram kind {}: check it on the merchant screen, \
             then close it with --resolve",
            String::from_utf8_lossy(kind)
        )),
        (Effect::NewPayment, Confirmation::Found { .. }) => Verdict::Processed,
        (Effect::NewPayment, _) if settled => Verdict::NotProcessed,
        (Effect::NewPayment, _) => wait(),
        (Effect::StatusChange { to, .. }, Confirmation::Found { payment_status, .. })
            if payment_status == to =>
        {
            Verdict::Processed
        }
        (Effect::StatusChange { from, .. }, Confirmation::Found { payment_status, .. })
            if payment_status == from =>
        {
            if settled {
                Verdict::NotProcessed
            } else {
                wait()
            }
        }
        (Effect::StatusChange { .. }, Confirmation::Found { payment_status, .. }) => {
            pending(format!(
                "payment_status is {}, neither before nor after this telegram: check it",
                String::from_utf8_lossy(payment_status)
            ))
        }
        (Effect::StatusChange { .. }, _) => {
            pending("the payment this telegram changes does not exist".to_string())
        }
    }
}

/// One pending line and what the inquiry made of it.
#[derive(Clone, Debug)]
pub struct Checked {
    /// The line (a record, or an unreadable line).
    pub line: Line,
    /// The answer: from the stored notices or the 094 inquiry (`None` when none was asked:
    /// unreadable line, kind 094 cannot show).
    pub answer: Option<Confirmation>,
    /// The answer came from the stored payment notices (091), not from a 094 inquiry.
    pub from_notices: bool,
    /// The verdict; a `Processed` / `NotProcessed` one is now recorded as resolved.
    pub verdict: Verdict,
}

/// What the caller knows of a journaled telegram's payment without asking the gateway: the
/// payment's latest stored notice (091) as a [`Confirmation::Found`], or `None`.
pub type Known<'a> = dyn FnMut(&Entry) -> Option<Confirmation> + 'a;

/// Resolve every pending record of the journal in `dir` through the 094 inquiry (with the
/// configuration of `source`, the record's `merchant_id`, the configuration's `default_id` and
/// `default_password`): a processed telegram and one not processed (not found `settle` after its
/// failure) are recorded as resolved; anything else stays pending. Then, above [`COMPACT_AT`],
/// the journal is compacted. `now` is seconds since the Unix epoch.
pub fn confirm_pending(
    dialect: Dialect,
    source: &ConfigSource,
    dir: &CacheDir,
    settle: Duration,
    now: u64,
) -> Result<Vec<Checked>, String> {
    confirm_pending_with(dialect, source, dir, settle, now, &mut |_| None)
}

/// [`confirm_pending`], asking `known` first (the notices store, when there is one): a
/// telegram whose payment a stored notice shows processed (the verdict of that notice is
/// [`Verdict::Processed`]) is resolved without a 094. Any other answer of the store proves
/// nothing (a notice may not be fetched yet): the 094 inquiry is asked as without it.
pub fn confirm_pending_with(
    dialect: Dialect,
    source: &ConfigSource,
    dir: &CacheDir,
    settle: Duration,
    now: u64,
    known: &mut Known<'_>,
) -> Result<Vec<Checked>, String> {
    let journal = journal::read(dir)?;
    let mut out = Vec::new();
    for line in journal.pending() {
        let (answer, from_notices, verdict) = match line {
            Line::Unreadable(_) => (
                None,
                false,
                Verdict::Pending {
                    reason: "a journal line this version cannot read: check it by hand".into(),
                },
            ),
            Line::Entry(e) => check(dialect, source, e, settle, now, known),
        };
        if let (Line::Entry(e), Verdict::Processed | Verdict::NotProcessed) = (line, &verdict) {
            let payment_id = match &answer {
                Some(Confirmation::Found { payment_id, .. }) => payment_id.clone(),
                _ => Vec::new(),
            };
            journal::resolve(
                dir,
                &Resolution {
                    id: e.id.clone(),
                    time: now,
                    outcome: verdict.name().to_string(),
                    payment_id,
                },
            )?;
        }
        out.push(Checked {
            line: line.clone(),
            answer,
            from_notices,
            verdict,
        });
    }
    if journal.size > journal::COMPACT_AT {
        journal::compact(dir)?;
    }
    Ok(out)
}

/// The answer about one journal record, whether it came from the stored notices, the verdict.
fn check(
    dialect: Dialect,
    source: &ConfigSource,
    e: &Entry,
    settle: Duration,
    now: u64,
    known: &mut Known<'_>,
) -> (Option<Confirmation>, bool, Verdict) {
    let pending = |reason: &str| Verdict::Pending {
        reason: reason.to_string(),
    };
    if e.cut {
        return (
            None,
            false,
            pending("an id too long to journal whole: check it by hand"),
        );
    }
    match effect(&e.telegram_kind) {
        Effect::ReadOnly => return (None, false, Verdict::Processed),
        Effect::NotShown => {
            let v = verdict(
                &e.telegram_kind,
                &Confirmation::NotFound,
                Duration::ZERO,
                settle,
            );
            return (None, false, v);
        }
        Effect::NewPayment | Effect::StatusChange { .. } => {}
    }
    let age = Duration::from_secs(now.saturating_sub(e.time));
    if let Some(stored) = known(e) {
        let v = verdict(&e.telegram_kind, &stored, age, settle);
        if v == Verdict::Processed {
            return (Some(stored), true, v);
        }
    }
    let common: Vec<(&[u8], &[u8])> = if e.merchant_id.is_empty() {
        Vec::new()
    } else {
        vec![(b"merchant_id", &e.merchant_id)]
    };
    let answer = inquire(
        dialect,
        source.clone(),
        &e.trading_id,
        &e.payment_id,
        &common,
    );
    let verdict = verdict(&e.telegram_kind, &answer, age, settle);
    (Some(answer), false, verdict)
}

fn unknown(m: &Module, e: &Error) -> Confirmation {
    let reason = match m.result_message() {
        b"" => e.warning_text(m.dialect()),
        msg => msg.to_vec(),
    };
    Confirmation::Unknown { reason }
}

impl Module {
    /// [`inquire`] about the last telegram of this object: its `trading_id` / `payment_id`, with
    /// this object's configuration, default id/password and timeout, and its `merchant_id`,
    /// `connect_id`, `connect_password` parameters. Changes nothing on this object.
    pub fn confirm(&self) -> Confirmation {
        let source = match self.shared_config() {
            Some(c) => ConfigSource::Ready(c),
            None => self.source().clone(),
        };
        let mut m = Module::new(self.dialect(), source);
        if let Err(e) = m.init() {
            return unknown(&m, &e);
        }
        m.copy_defaults_from(self);
        let p = self.params();
        let common: Vec<(&[u8], &[u8])> = [&b"merchant_id"[..], b"connect_id", b"connect_password"]
            .into_iter()
            .filter_map(|k| p.get(k).map(|v| (k, v)))
            .collect();
        let id = |k: &[u8]| p.get(k).unwrap_or_default();
        ask(m, &common, id(b"trading_id"), id(b"payment_id"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn found(status: &[u8]) -> Confirmation {
        Confirmation::Found {
            payment_id: b"1".to_vec(),
            trading_id: b"t".to_vec(),
            payment_type: b"02".to_vec(),
            payment_status: status.to_vec(),
            payment_amount: b"100".to_vec(),
        }
    }

    #[test]
    fn inquiries_are_read_only_and_payments_are_shown() {
        for k in [
            "027", "090", "091", "093", "094", "095", "096", "201", "264",
        ] {
            assert_eq!(effect(k.as_bytes()), Effect::ReadOnly, "{k}");
        }
        for k in ["010", "020", "030", "040", "050", "060", "070"] {
            assert_eq!(effect(k.as_bytes()), Effect::NewPayment, "{k}");
        }
        for k in ["025", "026", "028", "029", "200", "450", "20", "0200", ""] {
            assert_eq!(effect(k.as_bytes()), Effect::NotShown, "{k}");
        }
    }

    #[test]
    fn not_found_is_not_processed_only_after_the_settle_time() {
        let settle = Duration::from_secs(600);
        let early = Duration::from_secs(10);
        let late = Duration::from_secs(601);
        let v = |kind: &[u8], a: &Confirmation, age| verdict(kind, a, age, settle);
        assert_eq!(v(b"020", &found(b"20"), early), Verdict::Processed);
        assert_eq!(
            v(b"020", &Confirmation::NotFound, late),
            Verdict::NotProcessed
        );
        assert_eq!(v(b"020", &Confirmation::NotFound, early).name(), "pending");
        let unknown = Confirmation::Unknown {
            reason: b"E02005: x".to_vec(),
        };
        assert_eq!(v(b"020", &unknown, late).name(), "pending");
        // a capture: the status says which
        assert_eq!(v(b"022", &found(b"40"), early), Verdict::Processed);
        assert_eq!(v(b"022", &found(b"20"), early).name(), "pending");
        assert_eq!(v(b"022", &found(b"20"), late), Verdict::NotProcessed);
        assert_eq!(v(b"022", &found(b"60"), late).name(), "pending");
        assert_eq!(v(b"022", &Confirmation::NotFound, late).name(), "pending");
        // 094 cannot show it: never resolved by the inquiry
        assert_eq!(v(b"025", &found(b"20"), late).name(), "pending");
    }
}
