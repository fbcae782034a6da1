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
#[cfg(feature = "test-hooks")]
#[doc(hidden)]
pub mod testing;

pub use store::{
    Gap, ListFilter, Quarantined, Store, StoredNotice, latest_notice, open, redact, require_schema,
};

/// One 091 reply record: its items as text (decoded from Windows-31J) for the columns and the
/// JSON, and the bytes as received, kept whole.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub payment_notice_id: String,
    pub payment_id: String,
    pub trading_id: String,
    pub payment_type: String,
    pub payment_status: String,
    pub payment_amount: Option<i64>,
    pub change_date: String,
    /// Every reply item, in reply order, as a JSON object of text.
    pub items: serde_json::Map<String, serde_json::Value>,
    /// The record as received: each item `key=value` and CRLF, in reply order, the bytes the
    /// gateway sent (Windows-31J). Empty for a notice stored by schema 1 (before paygent kept
    /// them).
    pub raw_record: Vec<u8>,
    /// Some item's text is not exactly its bytes: bytes that are not Windows-31J (shown as
    /// U+FFFD) or a NUL (U+FFFD too: PostgreSQL text cannot hold it). `raw_record` is exact.
    pub text_lossy: bool,
}

/// Text of Windows-31J bytes as the text columns hold it, and whether it is exact: bytes that
/// are not Windows-31J and NUL become U+FFFD (the raw record keeps them).
pub fn text_of(bytes: &[u8]) -> (String, bool) {
    use paygent_core::charset::{Charset, convert_lossy, convert_strict};
    let (utf8, mut lossy) = match convert_strict(bytes, Charset::Cp932, Charset::Utf8) {
        Some(t) => (t, false),
        None => (convert_lossy(bytes, Charset::Cp932, Charset::Utf8), true),
    };
    let mut text = String::from_utf8(utf8).unwrap_or_else(|e| {
        lossy = true;
        String::from_utf8_lossy(e.as_bytes()).into_owned()
    });
    if text.contains('\0') {
        lossy = true;
        text = text.replace('\0', "\u{fffd}");
    }
    (text, lossy)
}

impl Notice {
    /// From the reply's items as text (UTF-8); the raw record is their Windows-31J form.
    pub fn from_items(items: serde_json::Map<String, serde_json::Value>) -> Notice {
        let mut raw = Vec::new();
        for (k, v) in &items {
            let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
            raw.extend_from_slice(&encoding_rs::SHIFT_JIS.encode(k).0);
            raw.push(b'=');
            raw.extend_from_slice(&encoding_rs::SHIFT_JIS.encode(&v).0);
            raw.extend_from_slice(b"\r\n");
        }
        Notice::with(items, raw, false)
    }

    /// From a reply record as received (Windows-31J bytes, as paygent-core's parser gives it):
    /// the raw record keeps the bytes, the text is decoded.
    pub fn from_record<'a>(record: impl IntoIterator<Item = (&'a [u8], &'a [u8])>) -> Notice {
        let mut items = serde_json::Map::new();
        let mut raw = Vec::new();
        let mut lossy = false;
        for (k, v) in record {
            let (key, key_lossy) = text_of(k);
            let (value, value_lossy) = text_of(v);
            lossy |= key_lossy || value_lossy;
            items.insert(key, serde_json::Value::from(value));
            raw.extend_from_slice(k);
            raw.push(b'=');
            raw.extend_from_slice(v);
            raw.extend_from_slice(b"\r\n");
        }
        Notice::with(items, raw, lossy)
    }

    /// From a raw record as [`Notice::raw_record`] holds it, read back by paygent-core's
    /// `key=value` parser (the reply's own format).
    pub fn from_raw_record(raw: &[u8]) -> Notice {
        let parsed = paygent_core::reply::payment::parse(raw, true);
        match parsed.reply.records.first() {
            Some(r) => {
                let mut n = Notice::from_record(r.iter());
                n.raw_record = raw.to_vec();
                n
            }
            None => Notice::with(serde_json::Map::new(), raw.to_vec(), true),
        }
    }

    fn with(
        items: serde_json::Map<String, serde_json::Value>,
        raw: Vec<u8>,
        lossy: bool,
    ) -> Notice {
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
            raw_record: raw,
            text_lossy: lossy,
        }
    }

    /// The raw record in base64, for JSON: present only when the text is not exact.
    pub fn raw_record_base64(&self) -> Option<String> {
        use base64::Engine;
        (self.text_lossy && !self.raw_record.is_empty())
            .then(|| base64::engine::general_purpose::STANDARD.encode(&self.raw_record))
    }
}

/// What went wrong in a store; the CLI turns the kind into a message with a remedy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The `--db` URL is none of `sqlite:PATH`, `postgres://…`, `mysql://…`, or names a
    /// database this build has no driver for (a cargo feature left out).
    BadUrl,
    /// Cannot connect / open the database.
    Connect,
    /// The database server's TLS certificate was not trusted (PostgreSQL on Debian offers a
    /// self-signed one): the remedy is the socket, `sslmode=disable` on loopback, or a
    /// certificate the system trusts, not a retry.
    Certificate,
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

/// A store error: its kind, the text shown (with the database's own message), and the
/// third-party error it came from ([`std::error::Error::source`]).
#[derive(Debug, thiserror::Error)]
#[error("{detail}")]
pub struct Error {
    kind: ErrorKind,
    detail: String,
    #[source]
    source: Option<Source>,
}

/// The error under an [`Error`]: the one place that lists the drivers' error types.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Source {
    /// SQLite (rusqlite).
    #[cfg(feature = "sqlite")]
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL (the `postgres` crate).
    #[cfg(feature = "postgres")]
    #[error(transparent)]
    Postgres(#[from] postgres::Error),
    /// OpenSSL, setting up PostgreSQL's TLS.
    #[cfg(feature = "postgres")]
    #[error(transparent)]
    Tls(#[from] openssl::error::ErrorStack),
    /// MySQL / MariaDB (the `mysql` crate).
    #[cfg(feature = "mysql")]
    #[error(transparent)]
    Mysql(#[from] mysql::Error),
    /// A MySQL URL the driver cannot read.
    #[cfg(feature = "mysql")]
    #[error(transparent)]
    MysqlUrl(#[from] mysql::UrlError),
    /// A system call (the SQLite lock file).
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A notice's items as JSON.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

impl Error {
    /// An error of our own making (no third-party error under it).
    pub fn new(kind: ErrorKind, detail: impl Into<String>) -> Error {
        Error {
            kind,
            detail: detail.into(),
            source: None,
        }
    }

    /// An error from a driver's (or the system's) error `source`, shown as `detail`.
    pub fn with_source(
        kind: ErrorKind,
        detail: impl Into<String>,
        source: impl Into<Source>,
    ) -> Error {
        Error {
            kind,
            detail: detail.into(),
            source: Some(source.into()),
        }
    }

    /// What kind of failure, for the message and its remedy.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The text shown: what failed, with the database's own message.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// The exit codes of `paygent notices` (docs/notices.md "Exit codes"): one enum, the numbers
/// documented there; the CLI exits with [`Exit::code`]. A usage error (64) is the CLI's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Exit {
    /// 0: caught up (`success_code=1`); for the other subcommands, done.
    Done = 0,
    /// 1: the gateway answered with an error (`result=1`) or a reply the loop cannot continue
    /// from; `mark-processed`: some id is not stored.
    Refused = 1,
    /// 2: module, transport, configuration or database error.
    Failed = 2,
    /// 3: another sync holds this merchant's lock.
    Locked = 3,
    /// 4: caught up, but a gap (`success_code=2`) was recorded in this run.
    Gap = 4,
    /// 5: caught up, but `--exec` failed for some notice.
    ExecFailed = 5,
    /// 6: stopped by `--max-calls` / `--max-seconds` before catching up.
    Limit = 6,
    /// 7: caught up, but the database refused some notice: it was quarantined.
    Quarantined = 7,
}

impl Exit {
    /// Every exit code, in the order the first of them that applies wins (docs/notices.md:
    /// "When several apply, the first of 3, 2, 1, 6, 4, 7, 5 wins").
    pub const PRECEDENCE: [Exit; 8] = [
        Exit::Locked,
        Exit::Failed,
        Exit::Refused,
        Exit::Limit,
        Exit::Gap,
        Exit::Quarantined,
        Exit::ExecFailed,
        Exit::Done,
    ];

    /// The process exit status.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// Of two codes that apply, the one that wins.
    pub fn worst(self, other: Exit) -> Exit {
        let rank = |e: Exit| Exit::PRECEDENCE.iter().position(|p| *p == e);
        if rank(other) < rank(self) {
            other
        } else {
            self
        }
    }
}

/// The numeric order of notice ids (they are digit strings; shorter is older): core's rule
/// ([`paygent_core::notice::id_after`]).
pub fn id_after(id: &str, cursor: &str) -> bool {
    paygent_core::notice::id_after(id.as_bytes(), cursor.as_bytes())
}

/// A test-only hook, built only with the `test-hooks` feature (never in a release build):
/// `PAYGENT_NOTICES_TEST_PAUSE=POINT:MS[,POINT:MS]` sleeps `MS` milliseconds at each `POINT`
/// named (`after_reply`, `before_commit`), so a test can kill the process there.
#[cfg(feature = "test-hooks")]
pub(crate) fn test_pause(point: &str) {
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

/// Without the `test-hooks` feature the hook is nothing at all.
#[cfg(not(feature = "test-hooks"))]
#[inline(always)]
pub(crate) fn test_pause(_point: &str) {}

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

    /// The enum's numbers are docs/notices.md's: its exit-code table lists exactly them, and
    /// its "the first of 3, 2, 1, …" order is [`Exit::PRECEDENCE`].
    #[test]
    fn exit_codes_are_the_documented_ones() {
        let doc =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/notices.md"))
                .unwrap_or_default();
        let section = doc
            .split("### Exit codes")
            .nth(1)
            .and_then(|s| s.split("\n## ").next())
            .unwrap_or_default();
        let documented: Vec<u8> = section
            .lines()
            .filter_map(|l| l.strip_prefix("| "))
            .filter_map(|l| l.split(' ').next()?.parse().ok())
            .collect();
        let ours: Vec<u8> = (0..=7u8)
            .filter(|c| Exit::PRECEDENCE.iter().any(|e| e.code() == *c))
            .collect();
        assert_eq!(documented, ours, "docs/notices.md exit-code table");
        let order: Vec<String> = Exit::PRECEDENCE[..7]
            .iter()
            .map(|e| e.code().to_string())
            .collect();
        let sentence = format!("the first of {} wins", order.join(", "));
        assert!(
            section.contains(&sentence),
            "docs/notices.md: no {sentence:?}"
        );
    }

    #[test]
    fn the_first_code_of_the_documented_order_wins() {
        assert_eq!(Exit::Gap.worst(Exit::ExecFailed), Exit::Gap);
        assert_eq!(Exit::ExecFailed.worst(Exit::Quarantined), Exit::Quarantined);
        assert_eq!(Exit::Done.worst(Exit::Limit), Exit::Limit);
        assert_eq!(Exit::Locked.worst(Exit::Failed), Exit::Locked);
        assert_eq!(Exit::Refused.worst(Exit::Failed).code(), 2);
    }
}
