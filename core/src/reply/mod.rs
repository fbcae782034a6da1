//! The three reply formats (protocol.md §6): `key=value` lines (payment), the 4-record-type CSV
//! (reference), the file-payment CSV; and the result CSV file (§6.6).

pub mod csv;
pub mod file_payment;
pub mod payment;
pub mod reference;
pub mod result_csv;

use crate::config::{Config, CsvMode};
use crate::error::Error;
use crate::params::Record;

/// Which parser a kind's reply goes through (§6.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyFormat {
    Payment,
    Reference,
    FilePayment,
}

/// `PaygentB2BModule__TELEGRAM_KIND_FILE_PAYMENT_RES`
pub const FILE_PAYMENT_RES_KIND: &[u8] = b"201";

impl ReplyFormat {
    /// §6.2, exact string comparison (decisions.md 7).
    pub fn for_kind(kind: &[u8], config: &Config) -> Self {
        if kind == FILE_PAYMENT_RES_KIND {
            Self::FilePayment
        } else if config.is_ref_kind(kind) {
            Self::Reference
        } else {
            Self::Payment
        }
    }
}

/// A parsed reply. Fields absent from the reply are `""` (§1.4).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reply {
    pub result_status: Vec<u8>,
    pub response_code: Vec<u8>,
    pub response_detail: Vec<u8>,
    pub records: Vec<Record>,
}

/// Parse outcome: what was read, and the parse error if any. The getters show `reply` even when
/// `error` is set (e.g. E01901 keeps the header's status, §10 #60).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub reply: Reply,
    pub error: Option<Error>,
}

/// Parse `body` as `format`. `full` = build records (false = result-only, §6.2).
pub fn parse(format: ReplyFormat, body: &[u8], full: bool, csv_mode: CsvMode) -> Parsed {
    match format {
        ReplyFormat::Payment => payment::parse(body, full),
        ReplyFormat::Reference => reference::parse(body, full, csv_mode),
        ReplyFormat::FilePayment => file_payment::parse(body),
    }
}
