//! `sqlite:PATH`: rusqlite (bundled SQLite), WAL with `synchronous=NORMAL` — a commit survives a
//! killed process; a power loss may undo the last commits, notice and cursor together, so those
//! notices are simply fetched again. A new file gets 1 KiB pages: each notice's transaction
//! writes ~4 pages to the WAL, and smaller pages cut its cost by a quarter (bench/notices.sh);
//! checkpoints every 10,000 pages rather than 1,000 (each one syncs the file).
//!
//! The sync lock is per merchant, as PostgreSQL's advisory locks and MySQL's `GET_LOCK` are: an
//! open-file-description lock (Linux `F_OFD_SETLK`) on one byte of the database file, far
//! beyond SQLite's own lock bytes and any real file size, at an offset hashed from the
//! merchant's lock name. The kernel frees it when the process dies (a killed sync never leaves
//! it stuck, where a lock table row would), it conflicts between two stores of one process too,
//! and closing another descriptor of the file does not drop it. SQLite's own locks are classic
//! `fcntl` locks on other bytes, which a `close` of any descriptor of the file would drop: the
//! lock descriptor is closed only after the connection.

use std::fs::File;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{
    Gap, ListFilter, Quarantined, SCHEMA_VERSION, Store, StoredNotice, check_version,
    items_from_text,
};
use crate::{Error, ErrorKind, Notice, Result};

/// Now, as stored: ISO-8601 UTC with milliseconds (a macro so the SQL below is `concat!`ed once).
macro_rules! now {
    () => {
        "strftime('%Y-%m-%dT%H:%M:%fZ','now')"
    };
}
const NOW: &str = now!();

const INSERT_NOTICE: &str = concat!(
    "INSERT INTO paygent_notices (payment_notice_id, merchant_id, payment_id, trading_id, ",
    "payment_type, payment_status, payment_amount, change_date, items, raw_record, text_lossy, ",
    "received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ",
    now!(),
    ") ON CONFLICT (payment_notice_id) DO NOTHING"
);
const INSERT_QUARANTINE: &str = concat!(
    "INSERT INTO paygent_notice_quarantine (merchant_id, payment_notice_id, raw_record, reason, ",
    "quarantined_at) VALUES (?1, ?2, ?3, ?4, ",
    now!(),
    ")"
);
const INSERT_GAP: &str = concat!(
    "INSERT INTO paygent_notice_gaps (merchant_id, detected_at, first_payment_notice_id_after) ",
    "VALUES (?1, ",
    now!(),
    ", ?2)"
);
const UPSERT_CURSOR: &str = concat!(
    "INSERT INTO paygent_notice_cursor (merchant_id, last_payment_notice_id, updated_at) ",
    "VALUES (?1, ?2, ",
    now!(),
    ") ON CONFLICT (merchant_id) DO UPDATE SET ",
    "last_payment_notice_id = excluded.last_payment_notice_id, updated_at = excluded.updated_at"
);

const V1: &str = "
CREATE TABLE paygent_notices (
    payment_notice_id TEXT NOT NULL PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    payment_id TEXT NOT NULL,
    trading_id TEXT NOT NULL,
    payment_type TEXT NOT NULL,
    payment_status TEXT NOT NULL,
    payment_amount INTEGER,
    change_date TEXT NOT NULL,
    items TEXT NOT NULL,
    received_at TEXT NOT NULL,
    processed_at TEXT,
    process_error TEXT
);
CREATE INDEX paygent_notices_processed_at ON paygent_notices (processed_at);
CREATE TABLE paygent_notice_cursor (
    merchant_id TEXT NOT NULL PRIMARY KEY,
    last_payment_notice_id TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE paygent_notice_gaps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id TEXT NOT NULL,
    detected_at TEXT NOT NULL,
    first_payment_notice_id_after TEXT NOT NULL
);
";

/// Schema 2: the raw record of each notice and whether its text is exact; the quarantine.
/// (SQLite's TEXT has no length limit: schema 1's columns stay.)
const V2: &str = "
ALTER TABLE paygent_notices ADD COLUMN raw_record BLOB;
ALTER TABLE paygent_notices ADD COLUMN text_lossy INTEGER NOT NULL DEFAULT 0;
CREATE TABLE paygent_notice_quarantine (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id TEXT NOT NULL,
    payment_notice_id TEXT,
    raw_record BLOB NOT NULL,
    reason TEXT NOT NULL,
    quarantined_at TEXT NOT NULL
);
";

pub struct SqliteStore {
    // Field order matters: the connection closes before the lock descriptor (see the top).
    conn: Connection,
    lock: File,
}

/// A SQLite error as ours: `SQLITE_FULL` is a full disk, a value SQLite refuses (too big, a
/// constraint, a type) is this notice's data.
fn db_error(e: rusqlite::Error) -> Error {
    use rusqlite::ErrorCode;
    let kind = match e.sqlite_error_code() {
        Some(ErrorCode::DiskFull) => ErrorKind::Full,
        Some(ErrorCode::TooBig | ErrorCode::ConstraintViolation | ErrorCode::TypeMismatch) => {
            ErrorKind::Data
        }
        _ => ErrorKind::Query,
    };
    Error::with_source(kind, e.to_string(), e)
}

/// Opening failed: the database's own text (the CLI names the URL).
fn connect_error(e: impl Into<crate::Source> + std::fmt::Display) -> Error {
    Error::with_source(ErrorKind::Connect, e.to_string(), e)
}

fn lock_error(e: std::io::Error) -> Error {
    Error::with_source(ErrorKind::Query, format!("the sync lock (fcntl): {e}"), e)
}

impl SqliteStore {
    pub fn open(path: &str) -> Result<SqliteStore> {
        let conn = Connection::open(path).map_err(connect_error)?;
        conn.busy_timeout(Duration::from_secs(30))
            .map_err(connect_error)?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=10000;",
        )
        .map_err(connect_error)?;
        // Read and write: a write lock needs a descriptor open for writing.
        let lock = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(connect_error)?;
        Ok(SqliteStore { conn, lock })
    }

    /// Set (`F_WRLCK`) or clear (`F_UNLCK`) `merchant`'s lock byte without waiting.
    fn lock_byte(&self, merchant: &str, kind: libc::c_int) -> std::io::Result<()> {
        use std::os::fd::AsRawFd;
        // SAFETY: flock is a plain C struct for which all zeroes is a valid value.
        let mut fl: libc::flock = unsafe { std::mem::zeroed() };
        fl.l_type = kind as libc::c_short;
        fl.l_whence = libc::SEEK_SET as libc::c_short;
        fl.l_start = lock_offset(merchant);
        fl.l_len = 1;
        // l_pid must be 0 for an OFD lock (fcntl(2)): zeroed above.
        // SAFETY: a descriptor this struct owns and a valid flock struct.
        if unsafe { libc::fcntl(self.lock.as_raw_fd(), libc::F_OFD_SETLK, &fl) } == 0 {
            Ok(())
        } else {
            Err(std::io::Error::last_os_error())
        }
    }
}

/// The byte locked for `merchant`: 2^40 (1 TiB, past SQLite's lock bytes at 1 GiB and any
/// notice database) plus the FNV-1a hash of its lock name within 2^62, so that two merchants
/// share a byte with a chance of about 2^-61.
fn lock_offset(merchant: &str) -> libc::off_t {
    const BASE: u64 = 1 << 40;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in super::lock_name(merchant).bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let off = BASE + h % ((1 << 62) - BASE);
    libc::off_t::try_from(off).unwrap_or(libc::off_t::MAX)
}

const COLUMNS: &str = "payment_notice_id, merchant_id, payment_id, trading_id, payment_type, \
    payment_status, payment_amount, change_date, items, received_at, processed_at, process_error, \
    raw_record, text_lossy";

fn row_notice(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredNotice> {
    let items: String = r.get(8)?;
    Ok(StoredNotice {
        notice: Notice {
            payment_notice_id: r.get(0)?,
            payment_id: r.get(2)?,
            trading_id: r.get(3)?,
            payment_type: r.get(4)?,
            payment_status: r.get(5)?,
            payment_amount: r.get(6)?,
            change_date: r.get(7)?,
            items: items_from_text(&items),
            raw_record: r.get::<_, Option<Vec<u8>>>(12)?.unwrap_or_default(),
            text_lossy: r.get::<_, i64>(13)? != 0,
        },
        merchant_id: r.get(1)?,
        received_at: r.get(9)?,
        processed_at: r.get(10)?,
        process_error: r.get(11)?,
    })
}

impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn init_to(&mut self, version: u32) -> Result<(u32, u32)> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db_error)?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS paygent_notices_schema (version INTEGER NOT NULL)",
        )
        .map_err(db_error)?;
        let found: u32 = tx
            .query_row(
                "SELECT COALESCE(MAX(version), 0) FROM paygent_notices_schema",
                [],
                |r| r.get(0),
            )
            .map_err(db_error)?;
        check_version(found)?;
        let version = version.min(SCHEMA_VERSION);
        if found < 1 && version >= 1 {
            tx.execute_batch(V1).map_err(db_error)?;
        }
        if found < 2 && version >= 2 {
            tx.execute_batch(V2).map_err(db_error)?;
        }
        if found < version {
            tx.execute("DELETE FROM paygent_notices_schema", [])
                .map_err(db_error)?;
            tx.execute(
                "INSERT INTO paygent_notices_schema (version) VALUES (?1)",
                [version],
            )
            .map_err(db_error)?;
        }
        tx.commit().map_err(db_error)?;
        Ok((found, found.max(version)))
    }

    fn schema_version(&mut self) -> Result<u32> {
        let exists: bool = self
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'paygent_notices_schema')",
                [],
                |r| r.get(0),
            )
            .map_err(db_error)?;
        if !exists {
            return Ok(0);
        }
        self.conn
            .query_row(
                "SELECT COALESCE(MAX(version), 0) FROM paygent_notices_schema",
                [],
                |r| r.get(0),
            )
            .map_err(db_error)
    }

    fn try_lock(&mut self, merchant: &str) -> Result<bool> {
        match self.lock_byte(merchant, libc::F_WRLCK) {
            Ok(()) => Ok(true),
            Err(e) if matches!(e.raw_os_error(), Some(libc::EAGAIN | libc::EACCES)) => Ok(false),
            Err(e) => Err(lock_error(e)),
        }
    }

    fn unlock(&mut self, merchant: &str) -> Result<()> {
        self.lock_byte(merchant, libc::F_UNLCK).map_err(lock_error)
    }

    fn cursor(&mut self, merchant: &str) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT last_payment_notice_id FROM paygent_notice_cursor WHERE merchant_id = ?1",
                [merchant],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_error)
    }

    fn store_batch(&mut self, merchant: &str, batch: &[(Notice, bool)]) -> Result<Vec<bool>> {
        let Some((last, _)) = batch.last() else {
            return Ok(Vec::new());
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db_error)?;
        let mut new = Vec::with_capacity(batch.len());
        {
            let mut insert = tx.prepare_cached(INSERT_NOTICE).map_err(db_error)?;
            let mut gap_row = tx.prepare_cached(INSERT_GAP).map_err(db_error)?;
            for (n, gap) in batch {
                let items = super::items_text(&n.items)?;
                let inserted = insert
                    .execute(params![
                        n.payment_notice_id,
                        merchant,
                        n.payment_id,
                        n.trading_id,
                        n.payment_type,
                        n.payment_status,
                        n.payment_amount,
                        n.change_date,
                        items,
                        (!n.raw_record.is_empty()).then_some(&n.raw_record),
                        n.text_lossy
                    ])
                    .map_err(db_error)?;
                new.push(inserted == 1);
                if *gap {
                    gap_row
                        .execute(params![merchant, n.payment_notice_id])
                        .map_err(db_error)?;
                }
            }
        }
        tx.prepare_cached(UPSERT_CURSOR)
            .and_then(|mut s| s.execute(params![merchant, last.payment_notice_id]))
            .map_err(db_error)?;
        crate::test_pause("before_commit");
        tx.commit().map_err(db_error)?;
        Ok(new)
    }

    fn quarantine(&mut self, merchant: &str, n: &Notice, gap: bool, reason: &str) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db_error)?;
        let id = (!n.payment_notice_id.is_empty()).then_some(&n.payment_notice_id);
        tx.prepare_cached(INSERT_QUARANTINE)
            .and_then(|mut s| s.execute(params![merchant, id, n.raw_record, reason]))
            .map_err(db_error)?;
        if let Some(id) = id {
            if gap {
                tx.prepare_cached(INSERT_GAP)
                    .and_then(|mut s| s.execute(params![merchant, id]))
                    .map_err(db_error)?;
            }
            tx.prepare_cached(UPSERT_CURSOR)
                .and_then(|mut s| s.execute(params![merchant, id]))
                .map_err(db_error)?;
        }
        tx.commit().map_err(db_error)
    }

    fn quarantined(&mut self, f: &ListFilter) -> Result<Vec<Quarantined>> {
        let (cond, values) = f.quarantine_conditions(|n| format!("?{n}"), "");
        let sql = format!(
            "SELECT id, merchant_id, payment_notice_id, raw_record, reason, quarantined_at \
             FROM paygent_notice_quarantine WHERE 1=1{cond} ORDER BY id"
        );
        let mut s = self.conn.prepare(&sql).map_err(db_error)?;
        let rows = s
            .query_map(rusqlite::params_from_iter(values), |r| {
                Ok(Quarantined {
                    id: r.get(0)?,
                    merchant_id: r.get(1)?,
                    payment_notice_id: r.get(2)?,
                    raw_record: r.get(3)?,
                    reason: r.get(4)?,
                    quarantined_at: r.get(5)?,
                })
            })
            .map_err(db_error)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(db_error)
    }

    fn list(&mut self, f: &ListFilter) -> Result<Vec<StoredNotice>> {
        let (cond, values) = f.conditions(|n| format!("?{n}"), "");
        let sql = format!(
            "SELECT {COLUMNS} FROM paygent_notices WHERE 1=1{cond} \
             ORDER BY length(payment_notice_id), payment_notice_id"
        );
        let mut s = self.conn.prepare(&sql).map_err(db_error)?;
        let rows = s
            .query_map(rusqlite::params_from_iter(values), row_notice)
            .map_err(db_error)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(db_error)
    }

    fn gaps(&mut self) -> Result<Vec<Gap>> {
        let mut s = self
            .conn
            .prepare(
                "SELECT id, merchant_id, detected_at, first_payment_notice_id_after \
                 FROM paygent_notice_gaps ORDER BY id",
            )
            .map_err(db_error)?;
        let rows = s
            .query_map([], |r| {
                Ok(Gap {
                    id: r.get(0)?,
                    merchant_id: r.get(1)?,
                    detected_at: r.get(2)?,
                    first_payment_notice_id_after: r.get(3)?,
                })
            })
            .map_err(db_error)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(db_error)
    }

    fn mark_processed(&mut self, id: &str) -> Result<bool> {
        let n = self
            .conn
            .execute(
                &format!(
                    "UPDATE paygent_notices SET processed_at = COALESCE(processed_at, {NOW}), \
                     process_error = NULL WHERE payment_notice_id = ?1"
                ),
                [id],
            )
            .map_err(db_error)?;
        Ok(n == 1)
    }

    fn mark_failed(&mut self, id: &str, error: &str) -> Result<()> {
        self.conn
            .execute(
                "UPDATE paygent_notices SET process_error = ?2 WHERE payment_notice_id = ?1",
                [id, error],
            )
            .map_err(db_error)?;
        Ok(())
    }
}
