//! `paygent-notices`: payment notices (差分照会, telegram 091) stored with a durable cursor.
//!
//! The merchant's batch asks 091 again and again, each time with the last `payment_notice_id`
//! it stored, until `success_code=1`. This crate drives that loop through
//! [`paygent_core::Module`] (no protocol logic here) and keeps every notice and the cursor in
//! one of three stores chosen by URL: `sqlite:PATH`, `postgres://…`, `mysql://…` (MySQL and
//! MariaDB). Storing a notice and advancing the cursor is ONE transaction, so a crash at any
//! point loses nothing: the next run asks again from the last committed cursor, and the
//! `payment_notice_id` primary key keeps a notice from being stored twice.

pub mod store;
pub mod sync;
#[doc(hidden)]
pub mod testing;

use std::fmt;

pub use store::{Gap, ListFilter, Store, StoredNotice, open, redact, require_schema};

/// One 091 reply, values decoded to UTF-8.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub payment_notice_id: String,
    pub payment_id: String,
    pub trading_id: String,
    pub payment_type: String,
    pub payment_status: String,
    pub payment_amount: Option<i64>,
    pub change_date: String,
    /// Every reply item, in reply order, as a JSON object.
    pub items: serde_json::Map<String, serde_json::Value>,
}

impl Notice {
    /// From the reply's items (UTF-8 text).
    pub fn from_items(items: serde_json::Map<String, serde_json::Value>) -> Notice {
        let get = |k: &str| {
            items
                .get(k)
                .and_then(serde_json::Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        Notice {
            payment_notice_id: get("payment_notice_id"),
            payment_id: get("payment_id"),
            trading_id: get("trading_id"),
            payment_type: get("payment_type"),
            payment_status: get("payment_status"),
            payment_amount: get("payment_amount").trim().parse().ok(),
            change_date: get("change_date"),
            items,
        }
    }
}

/// What went wrong in a store; the CLI turns the kind into a message with a remedy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The `--db` URL is none of `sqlite:PATH`, `postgres://…`, `mysql://…`.
    BadUrl,
    /// Cannot connect / open the database.
    Connect,
    /// The schema is missing (`paygent notices init` not run) or newer than this program.
    Schema,
    /// The database (or the disk under it) is full: SQLite `SQLITE_FULL`, PostgreSQL `53100`,
    /// MySQL 1021 / 1114. Nothing half-done is committed; the remedy is free space.
    Full,
    /// The database refused a value of this notice (a data exception, a constraint, a size
    /// limit): the sync quarantines that notice and goes on (docs/notices.md).
    Data,
    /// Any other database error (a query failed).
    Query,
}

#[derive(Debug, Clone)]
pub struct Error {
    pub kind: ErrorKind,
    pub detail: String,
}

impl Error {
    pub fn new(kind: ErrorKind, detail: impl Into<String>) -> Error {
        Error {
            kind,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// The numeric order of notice ids (they are digit strings; shorter is older). Used to reject a
/// reply whose id does not move the cursor forward.
pub fn id_after(id: &str, cursor: &str) -> bool {
    (id.len(), id) > (cursor.len(), cursor)
}

/// A test-only hook: `PAYGENT_NOTICES_TEST_PAUSE=POINT:MS[,POINT:MS]` sleeps `MS` milliseconds
/// at each `POINT` named (`after_reply`, `before_commit`), so a test can kill the process there.
/// Inert unless set.
pub fn test_pause(point: &str) {
    static SETTING: std::sync::OnceLock<Vec<(String, u64)>> = std::sync::OnceLock::new();
    let setting = SETTING.get_or_init(|| {
        let v = std::env::var("PAYGENT_NOTICES_TEST_PAUSE").unwrap_or_default();
        v.split(',')
            .filter_map(|part| {
                let (p, ms) = part.split_once(':')?;
                Some((p.trim().to_string(), ms.trim().parse().ok()?))
            })
            .collect()
    });
    if let Some((_, ms)) = setting.iter().find(|(p, _)| p == point) {
        std::thread::sleep(std::time::Duration::from_millis(*ms));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_compare_as_numbers() {
        assert!(id_after("10", "9"));
        assert!(id_after("2", "1"));
        assert!(!id_after("9", "10"));
        assert!(!id_after("5", "5"));
    }
}
