//! `mysql://…` (MySQL and MariaDB): the `mysql` crate, pure Rust (rustls when the URL asks for
//! TLS, `?require_ssl=true`). Text is utf8mb4. The sync lock is `GET_LOCK`, freed by the server
//! when the connection ends (a killed sync frees it).

use mysql::prelude::Queryable;
use mysql::{Conn, Opts, Row, TxOpts, Value};

use super::{
    Gap, ListFilter, SCHEMA_VERSION, Store, StoredNotice, check_version, items_from_text,
    lock_name, query_error, redact,
};
use crate::{Error, ErrorKind, Notice, Result};

const TABLE_OPTIONS: &str = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
const NOW: &str = "UTC_TIMESTAMP(6)";
/// GET_LOCK names are server-wide (not per database) and at most 64 characters: the merchant's
/// lock name and the database, hashed.
const LOCK: &str = "CONCAT('paygent_notices:', SHA1(CONCAT(?, ':', DATABASE())))";

fn v1() -> [String; 3] {
    [
        format!(
            "CREATE TABLE paygent_notices (
                payment_notice_id VARCHAR(64) NOT NULL PRIMARY KEY,
                merchant_id VARCHAR(64) NOT NULL,
                payment_id VARCHAR(64) NOT NULL,
                trading_id VARCHAR(255) NOT NULL,
                payment_type VARCHAR(16) NOT NULL,
                payment_status VARCHAR(16) NOT NULL,
                payment_amount BIGINT NULL,
                change_date VARCHAR(32) NOT NULL,
                items JSON NOT NULL,
                received_at DATETIME(6) NOT NULL,
                processed_at DATETIME(6) NULL,
                process_error TEXT NULL,
                KEY paygent_notices_processed_at (processed_at)
            ) {TABLE_OPTIONS}"
        ),
        format!(
            "CREATE TABLE paygent_notice_cursor (
                merchant_id VARCHAR(64) NOT NULL PRIMARY KEY,
                last_payment_notice_id VARCHAR(64) NOT NULL,
                updated_at DATETIME(6) NOT NULL
            ) {TABLE_OPTIONS}"
        ),
        format!(
            "CREATE TABLE paygent_notice_gaps (
                id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
                merchant_id VARCHAR(64) NOT NULL,
                detected_at DATETIME(6) NOT NULL,
                first_payment_notice_id_after VARCHAR(64) NOT NULL
            ) {TABLE_OPTIONS}"
        ),
    ]
}

/// A utf8mb4 string literal that needs no escaping: `_utf8mb4 X'…'`.
fn lit(s: &str) -> String {
    let mut out = String::with_capacity(12 + 2 * s.len());
    out.push_str("_utf8mb4 X'");
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
    out.push('\'');
    out
}

/// A MySQL error as ours: 1021 (disk full) and 1114 (table full) are a full disk; a value the
/// server refuses (too long, bad string or JSON, a constraint, a packet too large) is this
/// notice's data.
fn my_error(e: mysql::Error) -> Error {
    let kind = match &e {
        mysql::Error::MySqlError(m) => match m.code {
            1021 | 1114 => ErrorKind::Full,
            1048 | 1118 | 1153 | 1264 | 1265 | 1300 | 1366 | 1367 | 1406 | 3140 | 3819 | 4025 => {
                ErrorKind::Data
            }
            _ => ErrorKind::Query,
        },
        mysql::Error::DriverError(mysql::DriverError::PacketTooLarge) => ErrorKind::Data,
        _ => ErrorKind::Query,
    };
    Error::new(kind, e.to_string())
}

fn ts(col: &str) -> String {
    format!("DATE_FORMAT({col}, '%Y-%m-%dT%H:%i:%s.%fZ')")
}

pub struct MysqlStore {
    conn: Conn,
}

impl MysqlStore {
    pub fn open(url: &str) -> Result<MysqlStore> {
        let fail = |e: &dyn std::fmt::Display| {
            Error::new(ErrorKind::Connect, format!("{}: {e}", redact(url)))
        };
        let opts = Opts::from_url(url).map_err(|e| fail(&e))?;
        let mut conn = Conn::new(opts).map_err(|e| fail(&e))?;
        conn.query_drop("SET NAMES utf8mb4 COLLATE utf8mb4_bin")
            .map_err(|e| fail(&e))?;
        Ok(MysqlStore { conn })
    }

    fn table_exists(&mut self, name: &str) -> Result<bool> {
        let n: Option<i64> = self
            .conn
            .exec_first(
                "SELECT COUNT(*) FROM information_schema.tables \
                 WHERE table_schema = DATABASE() AND table_name = ?",
                (name,),
            )
            .map_err(my_error)?;
        Ok(n.unwrap_or(0) > 0)
    }

    fn version(&mut self) -> Result<u32> {
        let v: Option<i64> = self
            .conn
            .query_first("SELECT COALESCE(MAX(version), 0) FROM paygent_notices_schema")
            .map_err(my_error)?;
        Ok(v.unwrap_or(0).max(0) as u32)
    }

    fn init_locked(&mut self) -> Result<(u32, u32)> {
        self.conn
            .query_drop(format!(
                "CREATE TABLE IF NOT EXISTS paygent_notices_schema \
                 (version INT NOT NULL) {TABLE_OPTIONS}"
            ))
            .map_err(my_error)?;
        let found = self.version()?;
        check_version(found)?;
        // MySQL commits each CREATE TABLE by itself: a half-done migration is finished by the
        // next init (each table is created only when missing).
        if found < 1 {
            for (name, ddl) in [
                "paygent_notices",
                "paygent_notice_cursor",
                "paygent_notice_gaps",
            ]
            .into_iter()
            .zip(v1())
            {
                if !self.table_exists(name)? {
                    self.conn.query_drop(ddl).map_err(my_error)?;
                }
            }
        }
        if found < SCHEMA_VERSION {
            let mut tx = self
                .conn
                .start_transaction(TxOpts::default())
                .map_err(my_error)?;
            tx.query_drop("DELETE FROM paygent_notices_schema")
                .map_err(my_error)?;
            tx.exec_drop(
                "INSERT INTO paygent_notices_schema (version) VALUES (?)",
                (SCHEMA_VERSION,),
            )
            .map_err(my_error)?;
            tx.commit().map_err(my_error)?;
        }
        Ok((found, SCHEMA_VERSION))
    }
}

fn text(row: &mut Row, i: usize) -> Option<String> {
    match row.take::<Value, _>(i)? {
        Value::NULL => None,
        Value::Bytes(b) => Some(String::from_utf8_lossy(&b).into_owned()),
        v => Some(v.as_sql(true).trim_matches('\'').to_string()),
    }
}

fn row_notice(mut r: Row) -> StoredNotice {
    let mut t = |i| text(&mut r, i);
    StoredNotice {
        notice: Notice {
            payment_notice_id: t(0).unwrap_or_default(),
            payment_id: t(2).unwrap_or_default(),
            trading_id: t(3).unwrap_or_default(),
            payment_type: t(4).unwrap_or_default(),
            payment_status: t(5).unwrap_or_default(),
            payment_amount: t(6).and_then(|a| a.parse().ok()),
            change_date: t(7).unwrap_or_default(),
            items: items_from_text(&t(8).unwrap_or_default()),
        },
        merchant_id: t(1).unwrap_or_default(),
        received_at: t(9).unwrap_or_default(),
        processed_at: t(10),
        process_error: t(11),
    }
}

impl Store for MysqlStore {
    fn backend(&self) -> &'static str {
        "mysql"
    }

    fn init(&mut self) -> Result<(u32, u32)> {
        // DDL is not transactional here: two inits at once are serialised by a named lock.
        let got: Option<i64> = self
            .conn
            .query_first("SELECT GET_LOCK('paygent_notices_init', 60)")
            .map_err(my_error)?;
        if got != Some(1) {
            return Err(query_error("GET_LOCK('paygent_notices_init') timed out"));
        }
        let r = self.init_locked();
        let _ = self
            .conn
            .query_drop("SELECT RELEASE_LOCK('paygent_notices_init')");
        r
    }

    fn schema_version(&mut self) -> Result<u32> {
        if !self.table_exists("paygent_notices_schema")? {
            return Ok(0);
        }
        self.version()
    }

    fn try_lock(&mut self, merchant: &str) -> Result<bool> {
        let got: Option<Option<i64>> = self
            .conn
            .exec_first(
                format!("SELECT GET_LOCK({LOCK}, 0)"),
                (lock_name(merchant),),
            )
            .map_err(my_error)?;
        Ok(got.flatten() == Some(1))
    }

    fn unlock(&mut self, merchant: &str) -> Result<()> {
        self.conn
            .exec_drop(
                format!("SELECT RELEASE_LOCK({LOCK})"),
                (lock_name(merchant),),
            )
            .map_err(my_error)
    }

    fn cursor(&mut self, merchant: &str) -> Result<Option<String>> {
        self.conn
            .exec_first(
                "SELECT last_payment_notice_id FROM paygent_notice_cursor WHERE merchant_id = ?",
                (merchant,),
            )
            .map_err(my_error)
    }

    fn store_batch(&mut self, merchant: &str, batch: &[(Notice, bool)]) -> Result<Vec<bool>> {
        let Some((last, _)) = batch.last() else {
            return Ok(Vec::new());
        };
        // One round trip: the transaction as one multi-statement text (values as hex literals
        // of utf8mb4, nothing to escape). The ids already stored are read first, inside the
        // transaction; a duplicate id changes nothing.
        let ids: Vec<String> = batch
            .iter()
            .map(|(n, _)| lit(&n.payment_notice_id))
            .collect();
        let mut rows = Vec::with_capacity(batch.len());
        for (n, _) in batch {
            let items = serde_json::to_string(&n.items).map_err(query_error)?;
            let amount = n
                .payment_amount
                .map_or_else(|| "NULL".to_string(), |a| a.to_string());
            rows.push(format!(
                "({}, {}, {}, {}, {}, {}, {amount}, {}, {}, {NOW})",
                lit(&n.payment_notice_id),
                lit(merchant),
                lit(&n.payment_id),
                lit(&n.trading_id),
                lit(&n.payment_type),
                lit(&n.payment_status),
                lit(&n.change_date),
                lit(&items),
            ));
        }
        let mut sql = format!(
            "START TRANSACTION; \
             SELECT payment_notice_id FROM paygent_notices WHERE payment_notice_id IN ({}); \
             INSERT INTO paygent_notices (payment_notice_id, merchant_id, payment_id, trading_id, \
             payment_type, payment_status, payment_amount, change_date, items, received_at) \
             VALUES {} ON DUPLICATE KEY UPDATE payment_notice_id = payment_notice_id; ",
            ids.join(", "),
            rows.join(", ")
        );
        let gaps: Vec<String> = batch
            .iter()
            .filter(|(_, gap)| *gap)
            .map(|(n, _)| format!("({}, {NOW}, {})", lit(merchant), lit(&n.payment_notice_id)))
            .collect();
        if !gaps.is_empty() {
            sql.push_str(&format!(
                "INSERT INTO paygent_notice_gaps (merchant_id, detected_at, \
                 first_payment_notice_id_after) VALUES {}; ",
                gaps.join(", ")
            ));
        }
        sql.push_str(&format!(
            "INSERT INTO paygent_notice_cursor (merchant_id, last_payment_notice_id, updated_at) \
             VALUES ({}, {}, {NOW}) ON DUPLICATE KEY UPDATE \
             last_payment_notice_id = VALUES(last_payment_notice_id), \
             updated_at = VALUES(updated_at); COMMIT",
            lit(merchant),
            lit(&last.payment_notice_id)
        ));
        crate::test_pause("before_commit");
        let run = |conn: &mut Conn| -> mysql::Result<std::collections::HashSet<String>> {
            let mut result = conn.query_iter(&sql)?;
            let mut existing = std::collections::HashSet::new();
            while let Some(set) = result.iter() {
                for row in set {
                    if let Some(Some(id)) = row?.get::<Option<String>, _>(0) {
                        existing.insert(id);
                    }
                }
            }
            Ok(existing)
        };
        match run(&mut self.conn) {
            Ok(existing) => Ok(batch
                .iter()
                .map(|(n, _)| !existing.contains(&n.payment_notice_id))
                .collect()),
            Err(e) => {
                // A failed statement stops the batch inside the open transaction.
                let _ = self.conn.query_drop("ROLLBACK");
                Err(my_error(e))
            }
        }
    }

    fn list(&mut self, f: &ListFilter) -> Result<Vec<StoredNotice>> {
        let mut sql = format!(
            "SELECT payment_notice_id, merchant_id, payment_id, trading_id, payment_type, \
             payment_status, payment_amount, change_date, items, {}, {}, process_error \
             FROM paygent_notices WHERE 1=1",
            ts("received_at"),
            ts("processed_at")
        );
        let (cond, values) = f.conditions(|_| "?".to_string(), "");
        sql.push_str(&cond);
        sql.push_str(" ORDER BY LENGTH(payment_notice_id), payment_notice_id");
        let params = if values.is_empty() {
            mysql::Params::Empty
        } else {
            mysql::Params::Positional(values.into_iter().map(Value::from).collect())
        };
        let rows: Vec<Row> = self.conn.exec(sql, params).map_err(my_error)?;
        Ok(rows.into_iter().map(row_notice).collect())
    }

    fn gaps(&mut self) -> Result<Vec<Gap>> {
        let rows: Vec<Row> = self
            .conn
            .query(format!(
                "SELECT id, merchant_id, {}, first_payment_notice_id_after \
                 FROM paygent_notice_gaps ORDER BY id",
                ts("detected_at")
            ))
            .map_err(my_error)?;
        Ok(rows
            .into_iter()
            .map(|mut r| Gap {
                id: text(&mut r, 0).and_then(|s| s.parse().ok()).unwrap_or(0),
                merchant_id: text(&mut r, 1).unwrap_or_default(),
                detected_at: text(&mut r, 2).unwrap_or_default(),
                first_payment_notice_id_after: text(&mut r, 3).unwrap_or_default(),
            })
            .collect())
    }

    fn mark_processed(&mut self, id: &str) -> Result<bool> {
        // Matched rows, not changed rows: marking twice is still "found".
        let found: Option<i64> = self
            .conn
            .exec_first(
                "SELECT COUNT(*) FROM paygent_notices WHERE payment_notice_id = ?",
                (id,),
            )
            .map_err(my_error)?;
        self.conn
            .exec_drop(
                format!(
                    "UPDATE paygent_notices SET processed_at = COALESCE(processed_at, {NOW}), \
                     process_error = NULL WHERE payment_notice_id = ?"
                ),
                (id,),
            )
            .map_err(my_error)?;
        Ok(found.unwrap_or(0) > 0)
    }

    fn mark_failed(&mut self, id: &str, error: &str) -> Result<()> {
        self.conn
            .exec_drop(
                "UPDATE paygent_notices SET process_error = ? WHERE payment_notice_id = ?",
                (error, id),
            )
            .map_err(my_error)
    }
}
