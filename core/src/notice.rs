//! The payment diff inquiry (差分照会, telegram 091), beside [`crate::confirm`]'s 094: the rules
//! of its replies and one drain step. A merchant asks 091 with the last `payment_notice_id` it
//! kept (none at first); each reply carries at most one notice and a `success_code`
//! (protocol.md §8: 0 = a notice, 1 = nothing newer, 2 = a notice, but older ones were purged
//! before they were fetched). The merchant asks again at once, with the new id, until
//! `success_code=1`. Storing the notices, batching and locks are the caller's
//! (`paygent-notices`); this module knows only the telegram.

use crate::Module;
use crate::error::Error;
use crate::params::Record;
use crate::reply::Reply;
use crate::telegram::TELEGRAM_KIND_KEY;

/// The telegram kind of the payment diff inquiry.
pub const KIND: &[u8] = b"091";
/// The request item that carries the cursor, and the reply item that names each notice.
pub const NOTICE_ID_KEY: &[u8] = b"payment_notice_id";
/// The reply item that says whether more notices wait.
pub const SUCCESS_CODE_KEY: &[u8] = b"success_code";
/// The request item naming the merchant.
pub const MERCHANT_ID_KEY: &[u8] = b"merchant_id";
/// The longest `payment_notice_id` accepted (the stores' column holds as much): a longer one
/// is a reply the drain cannot go on from.
pub const ID_MAX: usize = 64;

/// `success_code` of a 091 reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuccessCode {
    /// `0`: a notice; ask again with its id.
    Notice,
    /// `1`: nothing newer than the cursor: caught up, ask again later (the next batch run).
    CaughtUp,
    /// `2`: a notice, but notices between the cursor and it were purged at the gateway before
    /// they were fetched (a gap); ask again with its id.
    NoticeAfterGap,
}

impl SuccessCode {
    /// The code of a reply's `success_code` value; `None` for any other value.
    pub fn of(value: &[u8]) -> Option<SuccessCode> {
        match value {
            b"0" => Some(Self::Notice),
            b"1" => Some(Self::CaughtUp),
            b"2" => Some(Self::NoticeAfterGap),
            _ => None,
        }
    }
}

/// Whether notice id `id` comes after `cursor`. Ids are digit strings compared as numbers (a
/// shorter one is older), without a numeric type's limit.
pub fn id_after(id: &[u8], cursor: &[u8]) -> bool {
    (id.len(), id) > (cursor.len(), cursor)
}

/// One notice of a 091 reply.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    /// Its `payment_notice_id`: digits, after the cursor it was asked with.
    pub payment_notice_id: Vec<u8>,
    /// The gateway answered `success_code=2` with it: older notices were purged unfetched.
    pub gap_before: bool,
    /// The reply record as received (Windows-31J bytes unless the module converts).
    pub record: Record,
}

/// What one 091 telegram brought.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    /// The notices, oldest first (a 091 reply carries at most one).
    pub notices: Vec<Notice>,
    /// Ask again at once, with the last notice's id as the cursor; `false`: caught up
    /// (`success_code=1`), ask again on the next run.
    pub more: bool,
}

impl Page {
    /// The cursor to ask with next: the last notice's id, or `cursor` when there was none.
    pub fn cursor_after<'a>(&'a self, cursor: Option<&'a [u8]>) -> Option<&'a [u8]> {
        self.notices
            .last()
            .map(|n| &n.payment_notice_id[..])
            .or(cursor)
    }
}

/// Why a drain step brought no page.
#[derive(Clone, Debug, PartialEq)]
pub enum StepError {
    /// The gateway answered `result=1`: its `response_code` and `response_detail`.
    Gateway {
        /// `response_code`.
        code: Vec<u8>,
        /// `response_detail`.
        detail: Vec<u8>,
    },
    /// The module failed (configuration, certificate, connection): its error and message.
    Module {
        /// The E0xxxx error.
        error: Error,
        /// The message the module gives for it (`result_message`, or the warning text).
        text: Vec<u8>,
    },
    /// A reply the drain cannot go on from: an unknown `result` or `success_code`, or a notice
    /// id that is not digits, too long, or not after the cursor (the cursor could not move).
    Protocol(String),
}

/// Set the 091 parameters that stay the same for a whole drain on `m`: the telegram kind, and
/// `merchant_id` unless empty (then the configuration's is sent).
pub fn prepare(m: &mut Module, merchant_id: &[u8]) {
    m.req_put(TELEGRAM_KIND_KEY.as_bytes(), KIND);
    if !merchant_id.is_empty() {
        m.req_put(MERCHANT_ID_KEY, merchant_id);
    }
}

/// One drain step on a module [`prepare`]d for 091: send one 091 from `cursor` (`None`: from
/// the gateway's oldest kept notice), parse the reply and check it against the rules.
pub fn step(m: &mut Module, cursor: Option<&[u8]>) -> Result<Page, StepError> {
    m.req_put(NOTICE_ID_KEY, cursor.unwrap_or_default());
    let posted = m.post();
    let status = m.result_status();
    // A gateway error is told as such even when the module also flagged it.
    if status == Some(b"1") {
        return Err(StepError::Gateway {
            code: m.response_code().unwrap_or_default().to_vec(),
            detail: m.response_detail().unwrap_or_default().to_vec(),
        });
    }
    if let Err(error) = posted {
        let text = match m.result_message() {
            b"" => error.warning_text(m.dialect()),
            t => t.to_vec(),
        };
        return Err(StepError::Module { error, text });
    }
    interpret(status.unwrap_or_default(), m.records(), cursor)
}

/// What a parsed 091 reply means, asked from `cursor`: the same rules as [`step`], for a reply
/// at hand (a test fixture, a logged reply).
pub fn read(reply: &Reply, cursor: Option<&[u8]>) -> Result<Page, StepError> {
    if reply.result_status == b"1" {
        return Err(StepError::Gateway {
            code: reply.response_code.clone(),
            detail: reply.response_detail.clone(),
        });
    }
    interpret(&reply.result_status, &reply.records, cursor)
}

fn interpret(
    result_status: &[u8],
    records: &[Record],
    cursor: Option<&[u8]>,
) -> Result<Page, StepError> {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    if result_status != b"0" {
        return Err(StepError::Protocol(format!(
            "result={}",
            text(result_status)
        )));
    }
    let record = records.first();
    let item = |k: &[u8]| record.and_then(|r| r.get(k)).unwrap_or_default();
    let success = item(SUCCESS_CODE_KEY);
    let gap_before = match SuccessCode::of(success) {
        Some(SuccessCode::CaughtUp) => {
            return Ok(Page {
                notices: Vec::new(),
                more: false,
            });
        }
        Some(SuccessCode::Notice) => false,
        Some(SuccessCode::NoticeAfterGap) => true,
        None => {
            return Err(StepError::Protocol(format!(
                "success_code={:?}",
                text(success)
            )));
        }
    };
    let id = item(NOTICE_ID_KEY).to_vec();
    // The cursor must be able to move past it: digits, as many as the stores hold, after it.
    if id.is_empty()
        || id.len() > ID_MAX
        || !id.iter().all(u8::is_ascii_digit)
        || cursor.is_some_and(|c| !id_after(&id, c))
    {
        return Err(StepError::Protocol(format!(
            "payment_notice_id {:?} after {:?}",
            text(&id),
            text(cursor.unwrap_or_default())
        )));
    }
    let Some(record) = record.cloned() else {
        return Err(StepError::Protocol("no notice record".into()));
    };
    Ok(Page {
        notices: vec![Notice {
            payment_notice_id: id,
            gap_before,
            record,
        }],
        more: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_compare_as_numbers() {
        assert!(id_after(b"10", b"9"));
        assert!(id_after(b"2", b"1"));
        assert!(!id_after(b"9", b"10"));
        assert!(!id_after(b"5", b"5"));
        assert!(id_after(
            b"100000000000000000000000",
            b"99999999999999999999999"
        ));
    }

    #[test]
    fn success_codes() {
        assert_eq!(SuccessCode::of(b"0"), Some(SuccessCode::Notice));
        assert_eq!(SuccessCode::of(b"1"), Some(SuccessCode::CaughtUp));
        assert_eq!(SuccessCode::of(b"2"), Some(SuccessCode::NoticeAfterGap));
        assert_eq!(SuccessCode::of(b"3"), None);
        assert_eq!(SuccessCode::of(b" 0"), None);
    }
}
