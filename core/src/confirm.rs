//! Confirmation by inquiry (issue 12): after a `maybe_sent` failure, what did the gateway do
//! with that telegram? The 094 payment information inquiry, by the telegram's `trading_id`
//! and/or `payment_id`. `NotFound` does not prove the telegram was never processed: it may still
//! be in flight at the gateway; ask again later (docs/error-codes.md "Failure phase").

use crate::Module;
use crate::config::ConfigSource;
use crate::error::{Dialect, Error};
use crate::php::is_blank;

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
