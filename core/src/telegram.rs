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
    match kind {
        b"027" | b"090" | b"091" | b"093" | b"094" | b"095" | b"096" | b"201" | b"264" => {
            Effect::ReadOnly
        }
        b"010" | b"020" | b"030" | b"040" | b"050" | b"060" | b"070" => Effect::NewPayment,
        b"021" => status_change(b"20", b"32"),
        b"022" => status_change(b"20", b"40"),
        b"023" => status_change(b"40", b"60"),
        b"024" => status_change(b"15", b"20"),
        _ => Effect::NotShown,
    }
}

const fn status_change(from: &'static [u8], to: &'static [u8]) -> Effect {
    Effect::StatusChange { from, to }
}
