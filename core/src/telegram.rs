//! The protocol's fixed numbers: telegram length limits (protocol.md §4.6) and the kinds with a
//! reply format of their own. A leaf: the request checks, the error messages and the
//! configuration all read them from here.

/// `PaygentB2BModule__TELEGRAM_KEY_LENGTH` (decisions.md 7: the manual's 8190).
pub const TELEGRAM_KEY_LENGTH: usize = 8190;
/// `PaygentB2BModule__TELEGRAM_VALUE_LENGTH`
pub const TELEGRAM_VALUE_LENGTH: usize = 102_400;
/// `PaygentB2BModule__TELEGRAM_LENGTH`
pub const TELEGRAM_LENGTH: usize = 102_400;
/// `PaygentB2BModule__TELEGRAM_LENGTH_FILE`
pub const TELEGRAM_LENGTH_FILE: usize = 10_485_760;

/// `PaygentB2BModule__TELEGRAM_KIND_FILE_PAYMENT_RES`
pub const FILE_PAYMENT_RES_KIND: &[u8] = b"201";

/// A url key names a full kind or its first this many characters (`url.02` serves 020–029).
pub const KIND_PREFIX_LEN: usize = 2;

/// Parameter names the module itself reads or fills (protocol.md §4.1–§4.3).
pub const TELEGRAM_KIND_KEY: &str = "telegram_kind";
/// Filled from `default_id` when the script sets none (§4.2).
pub const CONNECT_ID_KEY: &str = "connect_id";
/// Filled from `default_password` when the script sets none (§4.2).
pub const CONNECT_PASSWORD_KEY: &str = "connect_password";
/// Filled from `select_max_cnt` for reference kinds (§4.3).
pub const LIMIT_COUNT_KEY: &str = "limit_count";
/// The file payment's file content (kind 200, §4.4).
pub const DATA_KEY: &str = "data";
/// `result` of a refused telegram.
pub const RESULT_STATUS_ERROR: &str = "1";
/// The response code of a reference reply cut at `limit_count`: its CSV is still written (§6.4.3).
pub const PARTIAL_DATA_CODE: &str = "9003";

/// What the 094 inquiry shows of a telegram kind's effect at the gateway: whether a `maybe_sent`
/// failure of that kind is journaled, and how `paygent confirm --pending` resolves it
/// (journal.rs, docs/error-codes.md "Failure phase").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// An inquiry (027, 090, 091, 093, 094, 095, 096, 201, 264): it changes nothing at the
    /// gateway, so a lost reply costs nothing; never journaled.
    ReadOnly,
    /// An application that makes a new payment (010, 020, 030, 040, 050, 060, 070): 094 by its
    /// `trading_id` finds the payment exactly when the gateway processed the telegram.
    NewPayment,
    /// A card operation that moves an existing payment from status `from` to `to` (021 auth
    /// cancel 20 → 32, 022 capture 20 → 40, 023 capture cancel 40 → 60, 024 after 3-D Secure
    /// 15 → 20): 094 by its `payment_id` shows which.
    StatusChange {
        /// The payment's status before the telegram takes effect.
        from: &'static [u8],
        /// The payment's status after it.
        to: &'static [u8],
    },
    /// Anything else (stored cards, amount corrections, file payments, the other payment
    /// methods' telegrams): journaled, but 094 cannot tell whether it took effect; checked on
    /// the gateway's merchant screen and closed by hand (`paygent confirm --resolve ID`).
    NotShown,
}

/// The [`Effect`] of a telegram kind (exact string, as the URL table compares kinds).
pub fn effect(kind: &[u8]) -> Effect {
    spec(kind).effect
}

const fn status_change(from: &'static [u8], to: &'static [u8]) -> Effect {
    Effect::StatusChange { from, to }
}

/// Which parser a kind's reply goes through (§6.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyFormat {
    /// `key=value` lines, CRLF-separated (§6.3): every kind not below.
    Payment,
    /// The 4-record-type CSV (§6.4): kinds in `telegram_kind.ref`.
    Reference,
    /// The file payment result (§6.5): kind `201`.
    FilePayment,
}

/// One row of the table of telegram kinds (protocol.md §8.4): what the module, the CLI and the
/// journal need to know of a kind. The run-time view under a configuration (where
/// `telegram_kind.ref` may add reference kinds) is `Config::telegram`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindSpec {
    /// The `telegram_kind` value, exact.
    pub kind: &'static str,
    /// What the telegram does, in the gateway's words.
    pub name: &'static str,
    /// Its reply format with the shipped configuration (`telegram_kind.ref=027,090`).
    pub reply: ReplyFormat,
    /// A file transfer or a reference download: may take a while (the CLI shows a spinner).
    pub long_running: bool,
    /// The `url.<key>` of the configuration it is sent to: the kind itself or its first
    /// [`KIND_PREFIX_LEN`] characters (§3.4; checked against the shipped URL table).
    pub url_key: &'static str,
    /// What the 094 inquiry can confirm of it after a `maybe_sent` failure.
    pub effect: Effect,
}

/// A kind the table does not name: a payment-format telegram 094 cannot confirm.
pub const UNKNOWN_KIND: KindSpec = KindSpec {
    kind: "",
    name: "(not in the table)",
    reply: ReplyFormat::Payment,
    long_running: false,
    url_key: "",
    effect: Effect::NotShown,
};

const fn k(
    kind: &'static str,
    name: &'static str,
    url_key: &'static str,
    effect: Effect,
) -> KindSpec {
    KindSpec {
        kind,
        name,
        reply: ReplyFormat::Payment,
        long_running: false,
        url_key,
        effect,
    }
}

const fn long(mut s: KindSpec, reply: ReplyFormat) -> KindSpec {
    s.reply = reply;
    s.long_running = true;
    s
}

use Effect::{NewPayment, NotShown, ReadOnly};

/// The table of telegram kinds (protocol.md §8.4): the kinds the module, the CLI, the journal or
/// the 094 confirmation treat apart. Any other kind is [`UNKNOWN_KIND`] with its URL key found by
/// the usual rule.
#[rustfmt::skip]
pub const KINDS: &[KindSpec] = &[
    k("010", "ATM payment application", "01", NewPayment),
    k("020", "card authorisation", "02", NewPayment),
    k("021", "card authorisation cancel", "02", status_change(b"20", b"32")),
    k("022", "card capture", "02", status_change(b"20", b"40")),
    k("023", "card capture cancel", "02", status_change(b"40", b"60")),
    k("024", "request after 3-D Secure 1.0", "02", status_change(b"15", b"20")),
    k("025", "stored card: register", "02", NotShown),
    k("026", "stored card: delete", "02", NotShown),
    long(k("027", "stored card: inquiry", "02", ReadOnly), ReplyFormat::Reference),
    k("028", "card amount-correction authorisation", "02", NotShown),
    k("029", "card amount-correction capture", "02", NotShown),
    k("030", "convenience store (number type)", "03", NewPayment),
    k("040", "convenience store (payment slip)", "04", NewPayment),
    k("050", "bank net", "05", NewPayment),
    k("060", "bank net ASP", "06", NewPayment),
    k("070", "virtual account", "07", NewPayment),
    long(k("090", "payment information inquiry (removed 2007)", "09", ReadOnly), ReplyFormat::Reference),
    k("091", "payment notice (difference) inquiry", "091", ReadOnly),
    k("093", "carrier continuous-billing difference inquiry", "093", ReadOnly),
    k("094", "payment information inquiry", "094", ReadOnly),
    k("095", "card number inquiry", "095", ReadOnly),
    k("096", "card continuous-billing inquiry", "096", ReadOnly),
    k("098", "token request", "098", NotShown),
    long(k("200", "file payment request", "20", NotShown), ReplyFormat::Payment),
    long(k(FILE_PAYMENT_RES_KIND_STR, "file payment result inquiry", "20", ReadOnly), ReplyFormat::FilePayment),
    k("263", "net account-transfer reception", "263", NotShown),
    k("264", "net account-transfer inquiry", "264", ReadOnly),
    k("265", "net account-transfer deletion", "265", NotShown),
];

/// [`FILE_PAYMENT_RES_KIND`] as text, for the table.
const FILE_PAYMENT_RES_KIND_STR: &str = "201";

/// The row of `kind` (exact string, as the URL table compares kinds), [`UNKNOWN_KIND`] when the
/// table does not name it.
pub fn spec(kind: &[u8]) -> KindSpec {
    KINDS
        .iter()
        .find(|s| s.kind.as_bytes() == kind)
        .copied()
        .unwrap_or(UNKNOWN_KIND)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_names_each_kind_once_with_a_url_key_of_its_own_or_its_prefix() {
        for (i, s) in KINDS.iter().enumerate() {
            assert!(
                KINDS[..i].iter().all(|o| o.kind != s.kind),
                "{} twice",
                s.kind
            );
            assert!(
                s.url_key == s.kind || s.url_key == &s.kind[..KIND_PREFIX_LEN],
                "{}: url key {}",
                s.kind,
                s.url_key
            );
        }
        assert_eq!(FILE_PAYMENT_RES_KIND, FILE_PAYMENT_RES_KIND_STR.as_bytes());
    }

    #[test]
    fn reply_formats_and_long_running_kinds() {
        let of = |k: &str| spec(k.as_bytes());
        assert_eq!(of("027").reply, ReplyFormat::Reference);
        assert_eq!(of("090").reply, ReplyFormat::Reference);
        assert_eq!(of("201").reply, ReplyFormat::FilePayment);
        assert_eq!(of("020").reply, ReplyFormat::Payment);
        assert_eq!(of("0201"), UNKNOWN_KIND);
        let long: Vec<&str> = KINDS
            .iter()
            .filter(|s| s.long_running)
            .map(|s| s.kind)
            .collect();
        assert_eq!(long, ["027", "090", "200", "201"]);
    }

    #[test]
    fn what_094_confirms() {
        for k in [
            "027", "090", "091", "093", "094", "095", "096", "201", "264",
        ] {
            assert_eq!(effect(k.as_bytes()), Effect::ReadOnly, "{k}");
        }
        for k in ["010", "020", "030", "040", "050", "060", "070"] {
            assert_eq!(effect(k.as_bytes()), Effect::NewPayment, "{k}");
        }
        assert_eq!(effect(b"022"), status_change(b"20", b"40"));
        for k in ["025", "200", "263", "999", "", "20"] {
            assert_eq!(effect(k.as_bytes()), Effect::NotShown, "{k}");
        }
    }
}
