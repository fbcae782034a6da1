//! `mysql://…` (MySQL and MariaDB): the `mysql` crate (TLS through native-tls, i.e. the system
//! OpenSSL as for PostgreSQL and the gateway, when the URL asks for it: `?require_ssl=true`). Text is utf8mb4. The sync lock is `GET_LOCK`, freed by the server
//! when the connection ends (a killed sync frees it).

use mysql::prelude::Queryable;
use mysql::{Conn, Opts, Row, TxOpts, Value};

use super::{
    Gap, ListFilter, Quarantined, SCHEMA_VERSION, Store, StoredNotice, check_version,
    items_from_text, lock_name,
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

/// Schema 2 on `paygent_notices`: values of any length (LONGTEXT; the table is rebuilt once), the
/// raw record and whether the text is exact. The columns are added only when missing, so a
/// migration cut short is finished by the next init.
const V2_MODIFY: &str = "MODIFY payment_id LONGTEXT NOT NULL, MODIFY trading_id LONGTEXT NOT NULL, \
     MODIFY payment_type LONGTEXT NOT NULL, MODIFY payment_status LONGTEXT NOT NULL, \
     MODIFY change_date LONGTEXT NOT NULL";

fn v2_quarantine() -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS paygent_notice_quarantine (
            id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
            merchant_id VARCHAR(64) NOT NULL,
            payment_notice_id LONGTEXT NULL,
            raw_record LONGBLOB NOT NULL,
            reason LONGTEXT NOT NULL,
            quarantined_at DATETIME(6) NOT NULL
        ) {TABLE_OPTIONS}"
    )
}

/// A batch whose statement text would pass this goes as prepared statements instead (binary
/// values, no hex doubling): well under the server's `max_allowed_packet` (16 MiB by default on
/// MariaDB) with a notice as large as the reply limit (4 MiB).
const HEX_BATCH_MAX: usize = 4 << 20;

const INSERT_NOTICE: &str = "INSERT INTO paygent_notices (payment_notice_id, merchant_id, \
     payment_id, trading_id, payment_type, payment_status, payment_amount, change_date, items, \
     raw_record, text_lossy, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \
     UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE payment_notice_id = payment_notice_id";
const INSERT_GAP: &str = "INSERT INTO paygent_notice_gaps (merchant_id, detected_at, \
     first_payment_notice_id_after) VALUES (?, UTC_TIMESTAMP(6), ?)";
const UPSERT_CURSOR: &str = "INSERT INTO paygent_notice_cursor (merchant_id, \
     last_payment_notice_id, updated_at) VALUES (?, ?, UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE \
     last_payment_notice_id = VALUES(last_payment_notice_id), updated_at = VALUES(updated_at)";

/// A binary string literal: `X'…'` (NULL for no bytes).
fn blob(b: &[u8]) -> String {
    if b.is_empty() {
        return "NULL".into();
    }
    let mut out = String::with_capacity(3 + 2 * b.len());
    out.push_str("X'");
    hex(&mut out, b);
    out.push('\'');
    out
}

fn hex(out: &mut String, b: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in b {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
}

/// A utf8mb4 string literal that needs no escaping: `_utf8mb4 X'…'`.
fn lit(s: &str) -> String {
    let mut out = String::with_capacity(12 + 2 * s.len());
    out.push_str("_utf8mb4 X'");
    hex(&mut out, s.as_bytes());
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
    Error::with_source(kind, e.to_string(), e)
}

fn ts(col: &str) -> String {
    format!("DATE_FORMAT({col}, '%Y-%m-%dT%H:%i:%s.%fZ')")
}

pub struct MysqlStore {
    conn: Conn,
}

impl MysqlStore {
    pub fn open(url: &str) -> Result<MysqlStore> {
        let fail = |e: crate::Source| Error::with_source(ErrorKind::Connect, e.to_string(), e);
        let opts = Opts::from_url(url).map_err(|e| fail(e.into()))?;
        let mut conn = connect(opts).map_err(|e| fail(e.into()))?;
        conn.query_drop("SET NAMES utf8mb4 COLLATE utf8mb4_bin")
            .map_err(|e| fail(e.into()))?;
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

    fn column_exists(&mut self, table: &str, column: &str) -> Result<bool> {
        let n: Option<i64> = self
            .conn
            .exec_first(
                "SELECT COUNT(*) FROM information_schema.columns \
                 WHERE table_schema = DATABASE() AND table_name = ? AND column_name = ?",
                (table, column),
            )
            .map_err(my_error)?;
        Ok(n.unwrap_or(0) > 0)
    }

    fn migrate_v2(&mut self) -> Result<()> {
        let mut alter = V2_MODIFY.to_string();
        if !self.column_exists("paygent_notices", "raw_record")? {
            alter.push_str(", ADD COLUMN raw_record LONGBLOB NULL");
        }
        if !self.column_exists("paygent_notices", "text_lossy")? {
            alter.push_str(", ADD COLUMN text_lossy TINYINT(1) NOT NULL DEFAULT 0");
        }
        self.conn
            .query_drop(format!("ALTER TABLE paygent_notices {alter}"))
            .map_err(my_error)?;
        self.conn.query_drop(v2_quarantine()).map_err(my_error)
    }

    /// [`Store::store_batch`] as prepared statements in one transaction: for a batch too large
    /// for one statement text.
    fn store_prepared(&mut self, merchant: &str, batch: &[(Notice, bool)]) -> Result<Vec<bool>> {
        let Some((last, _)) = batch.last() else {
            return Ok(Vec::new());
        };
        let mut tx = self
            .conn
            .start_transaction(TxOpts::default())
            .map_err(my_error)?;
        let mut new = Vec::with_capacity(batch.len());
        for (n, gap) in batch {
            let items = super::items_text(&n.items)?;
            let raw = (!n.raw_record.is_empty()).then_some(n.raw_record.as_slice());
            let params: Vec<Value> = vec![
                n.payment_notice_id.as_str().into(),
                merchant.into(),
                n.payment_id.as_str().into(),
                n.trading_id.as_str().into(),
                n.payment_type.as_str().into(),
                n.payment_status.as_str().into(),
                n.payment_amount.into(),
                n.change_date.as_str().into(),
                items.into(),
                raw.into(),
                i32::from(n.text_lossy).into(),
            ];
            tx.exec_drop(INSERT_NOTICE, params).map_err(my_error)?;
            new.push(tx.affected_rows() == 1);
            if *gap {
                tx.exec_drop(INSERT_GAP, (merchant, &n.payment_notice_id))
                    .map_err(my_error)?;
            }
        }
        tx.exec_drop(UPSERT_CURSOR, (merchant, &last.payment_notice_id))
            .map_err(my_error)?;
        crate::test_pause("before_commit");
        tx.commit().map_err(my_error)?;
        Ok(new)
    }

    fn init_locked(&mut self, version: u32) -> Result<(u32, u32)> {
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
        let version = version.min(SCHEMA_VERSION);
        if found < 1 && version >= 1 {
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
        if found < 2 && version >= 2 {
            self.migrate_v2()?;
        }
        if found < version {
            let mut tx = self
                .conn
                .start_transaction(TxOpts::default())
                .map_err(my_error)?;
            tx.query_drop("DELETE FROM paygent_notices_schema")
                .map_err(my_error)?;
            tx.exec_drop(
                "INSERT INTO paygent_notices_schema (version) VALUES (?)",
                (version,),
            )
            .map_err(my_error)?;
            tx.commit().map_err(my_error)?;
        }
        Ok((found, found.max(version)))
    }
}

fn text(row: &mut Row, i: usize) -> Option<String> {
    match row.take::<Value, _>(i)? {
        Value::NULL => None,
        Value::Bytes(b) => Some(String::from_utf8_lossy(&b).into_owned()),
        v => Some(v.as_sql(true).trim_matches('\'').to_string()),
    }
}

fn bytes(row: &mut Row, i: usize) -> Option<Vec<u8>> {
    match row.take::<Value, _>(i)? {
        Value::Bytes(b) => Some(b),
        _ => None,
    }
}

fn row_notice(mut r: Row) -> StoredNotice {
    let raw = bytes(&mut r, 12).unwrap_or_default();
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
            raw_record: raw,
            text_lossy: t(13).is_some_and(|v| v != "0"),
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

    fn init_to(&mut self, version: u32) -> Result<(u32, u32)> {
        // DDL is not transactional here: two inits at once are serialised by a named lock.
        let got: Option<i64> = self
            .conn
            .query_first("SELECT GET_LOCK('paygent_notices_init', 60)")
            .map_err(my_error)?;
        if got != Some(1) {
            return Err(Error::new(
                ErrorKind::Query,
                "GET_LOCK('paygent_notices_init') timed out",
            ));
        }
        let r = self.init_locked(version);
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
            let items = super::items_text(&n.items)?;
            let amount = n
                .payment_amount
                .map_or_else(|| "NULL".to_string(), |a| a.to_string());
            rows.push(format!(
                "({}, {}, {}, {}, {}, {}, {amount}, {}, {}, {}, {}, {NOW})",
                lit(&n.payment_notice_id),
                lit(merchant),
                lit(&n.payment_id),
                lit(&n.trading_id),
                lit(&n.payment_type),
                lit(&n.payment_status),
                lit(&n.change_date),
                lit(&items),
                blob(&n.raw_record),
                u8::from(n.text_lossy),
            ));
        }
        let mut sql = format!(
            "START TRANSACTION; \
             SELECT payment_notice_id FROM paygent_notices WHERE payment_notice_id IN ({}); \
             INSERT INTO paygent_notices (payment_notice_id, merchant_id, payment_id, trading_id, \
             payment_type, payment_status, payment_amount, change_date, items, raw_record, \
             text_lossy, received_at) \
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
        if sql.len() > HEX_BATCH_MAX {
            return self.store_prepared(merchant, batch);
        }
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
             payment_status, payment_amount, change_date, items, {}, {}, process_error, \
             raw_record, text_lossy FROM paygent_notices WHERE 1=1",
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

    fn quarantine(&mut self, merchant: &str, n: &Notice, gap: bool, reason: &str) -> Result<()> {
        let id = (!n.payment_notice_id.is_empty()).then_some(n.payment_notice_id.as_str());
        let mut tx = self
            .conn
            .start_transaction(TxOpts::default())
            .map_err(my_error)?;
        tx.exec_drop(
            format!(
                "INSERT INTO paygent_notice_quarantine (merchant_id, payment_notice_id, \
                 raw_record, reason, quarantined_at) VALUES (?, ?, ?, ?, {NOW})"
            ),
            (merchant, id, n.raw_record.as_slice(), reason),
        )
        .map_err(my_error)?;
        if let Some(id) = id {
            if gap {
                tx.exec_drop(INSERT_GAP, (merchant, id)).map_err(my_error)?;
            }
            tx.exec_drop(UPSERT_CURSOR, (merchant, id))
                .map_err(my_error)?;
        }
        tx.commit().map_err(my_error)
    }

    fn quarantined(&mut self, f: &ListFilter) -> Result<Vec<Quarantined>> {
        let mut sql = format!(
            "SELECT id, merchant_id, payment_notice_id, raw_record, reason, {} \
             FROM paygent_notice_quarantine WHERE 1=1",
            ts("quarantined_at")
        );
        let (cond, values) = f.quarantine_conditions(|_| "?".to_string(), "");
        sql.push_str(&cond);
        sql.push_str(" ORDER BY id");
        let params = if values.is_empty() {
            mysql::Params::Empty
        } else {
            mysql::Params::Positional(values.into_iter().map(Value::from).collect())
        };
        let rows: Vec<Row> = self.conn.exec(sql, params).map_err(my_error)?;
        Ok(rows
            .into_iter()
            .map(|mut r| Quarantined {
                id: text(&mut r, 0).and_then(|s| s.parse().ok()).unwrap_or(0),
                merchant_id: text(&mut r, 1).unwrap_or_default(),
                payment_notice_id: text(&mut r, 2),
                raw_record: bytes(&mut r, 3).unwrap_or_default(),
                reason: text(&mut r, 4).unwrap_or_default(),
                quarantined_at: text(&mut r, 5).unwrap_or_default(),
            })
            .collect())
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

/// `Conn::new`, trying every address a host name resolves to. The driver stops at the first
/// address that refuses (`localhost` → `::1` first, while Debian's MariaDB listens on 127.0.0.1
/// only). Without TLS the next addresses are tried by number; with TLS the name stays as given
/// (the certificate is checked against it), so only the driver's own attempt is made.
fn connect(opts: Opts) -> std::result::Result<Conn, mysql::Error> {
    use std::net::ToSocketAddrs;
    let first = match Conn::new(opts.clone()) {
        Ok(c) => return Ok(c),
        Err(e) => e,
    };
    let refused = matches!(
        first,
        mysql::Error::DriverError(mysql::DriverError::CouldNotConnect(_))
    );
    let host = opts.get_ip_or_hostname().into_owned();
    if !refused || opts.get_ssl_opts().is_some() || host.parse::<std::net::IpAddr>().is_ok() {
        return Err(first);
    }
    let Ok(addrs) = (host.as_str(), opts.get_tcp_port()).to_socket_addrs() else {
        return Err(first);
    };
    let mut last = first;
    for addr in addrs.skip(1) {
        let by_number =
            mysql::OptsBuilder::from_opts(opts.clone()).ip_or_hostname(Some(addr.ip().to_string()));
        match Conn::new(by_number) {
            Ok(c) => return Ok(c),
            Err(e) => last = e,
        }
    }
    Err(last)
}
