//! Where notices live: one trait, three databases chosen by URL. The tables are the same in all
//! three (docs/notices.md); each backend only spells its SQL.

// Built without any driver, the helpers the stores share are unused.
#![cfg_attr(
    not(any(feature = "sqlite", feature = "postgres", feature = "mysql")),
    allow(dead_code, reason = "no store built")
)]

#[cfg(feature = "mysql")]
mod mysql;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

use serde_json::{Map, Value};

use crate::{Error, ErrorKind, Notice, Result};

/// The schema version this program creates and understands (`paygent_notices_schema`):
/// 1 the first tables; 2 values of any length, the raw record (`raw_record`, `text_lossy`) and
/// the quarantine table (docs/notices.md).
pub const SCHEMA_VERSION: u32 = 2;

/// A notice as stored, with its processing state.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredNotice {
    pub notice: Notice,
    pub merchant_id: String,
    pub received_at: String,
    pub processed_at: Option<String>,
    pub process_error: Option<String>,
}

impl StoredNotice {
    /// The payment as this notice shows it, in the words of the 094 inquiry's answer
    /// ([`paygent_core::confirm::Confirmation::Found`]): what `paygent confirm --pending --db`
    /// weighs before asking the gateway.
    pub fn confirmation(&self) -> paygent_core::confirm::Confirmation {
        let n = &self.notice;
        let item = |k: &str| {
            let text = n.items.get(k).and_then(Value::as_str).unwrap_or("");
            encoding_rs::SHIFT_JIS.encode(text).0.into_owned()
        };
        paygent_core::confirm::Confirmation::Found {
            payment_id: item("payment_id"),
            trading_id: item("trading_id"),
            payment_type: item("payment_type"),
            payment_status: item("payment_status"),
            payment_amount: item("payment_amount"),
        }
    }

    /// The JSON object `--json`, `--jsonl` and `--exec` hand out.
    pub fn to_json(&self) -> Value {
        let n = &self.notice;
        let mut o = Map::new();
        o.insert(
            "payment_notice_id".into(),
            n.payment_notice_id.clone().into(),
        );
        o.insert("merchant_id".into(), self.merchant_id.clone().into());
        o.insert("payment_id".into(), n.payment_id.clone().into());
        o.insert("trading_id".into(), n.trading_id.clone().into());
        o.insert("payment_type".into(), n.payment_type.clone().into());
        o.insert("payment_status".into(), n.payment_status.clone().into());
        o.insert("payment_amount".into(), n.payment_amount.into());
        o.insert("change_date".into(), n.change_date.clone().into());
        o.insert("items".into(), Value::Object(n.items.clone()));
        o.insert("received_at".into(), self.received_at.clone().into());
        o.insert("processed_at".into(), self.processed_at.clone().into());
        o.insert("process_error".into(), self.process_error.clone().into());
        o.insert("text_lossy".into(), n.text_lossy.into());
        o.insert("raw_record_base64".into(), n.raw_record_base64().into());
        o.insert("quarantined".into(), false.into());
        Value::Object(o)
    }
}

/// A notice the database refused (a value it cannot hold, a constraint): kept here with its raw
/// record and the reason, the cursor moved past it, so one bad notice does not stop the sync.
#[derive(Clone, Debug, PartialEq)]
pub struct Quarantined {
    pub id: i64,
    pub merchant_id: String,
    /// `None` when the record had none.
    pub payment_notice_id: Option<String>,
    /// The record as received ([`Notice::raw_record`]).
    pub raw_record: Vec<u8>,
    /// The database's error.
    pub reason: String,
    pub quarantined_at: String,
}

impl Quarantined {
    /// The notice read back from its raw record.
    pub fn notice(&self) -> Notice {
        Notice::from_raw_record(&self.raw_record)
    }

    /// The JSON `list --json` and `gaps --json` show: the notice's fields as far as they can be
    /// read, `"quarantined": true`, the reason and the raw record in base64.
    pub fn to_json(&self) -> Value {
        use base64::Engine;
        let n = self.notice();
        serde_json::json!({
            "payment_notice_id": self.payment_notice_id,
            "merchant_id": self.merchant_id,
            "payment_id": n.payment_id,
            "trading_id": n.trading_id,
            "payment_type": n.payment_type,
            "payment_status": n.payment_status,
            "payment_amount": n.payment_amount,
            "change_date": n.change_date,
            "items": Value::Object(n.items),
            "quarantined": true,
            "quarantine_reason": self.reason,
            "quarantined_at": self.quarantined_at,
            "text_lossy": n.text_lossy,
            "raw_record_base64":
                base64::engine::general_purpose::STANDARD.encode(&self.raw_record),
        })
    }
}

/// A `success_code=2` seen by a sync: notices before `first_payment_notice_id_after` were
/// purged at the gateway before they were fetched.
#[derive(Clone, Debug, PartialEq)]
pub struct Gap {
    pub id: i64,
    pub merchant_id: String,
    pub detected_at: String,
    pub first_payment_notice_id_after: String,
}

impl Gap {
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "id": self.id,
            "merchant_id": self.merchant_id,
            "detected_at": self.detected_at,
            "first_payment_notice_id_after": self.first_payment_notice_id_after,
        })
    }
}

/// `paygent notices list` filters. Rows come oldest first (`payment_notice_id` order).
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub unprocessed: bool,
    /// `received_at >= since` (a date `YYYY-MM-DD` or an ISO timestamp, UTC).
    pub since: Option<String>,
    /// Only this merchant's notices.
    pub merchant_id: Option<String>,
    /// Only notices of the payment with this `trading_id` (stored notices only: the
    /// quarantine's rows are read from their raw records and not filtered by it).
    pub trading_id: Option<String>,
    /// Only notices of the payment with this `payment_id` (stored notices only, as above).
    pub payment_id: Option<String>,
}

/// A database holding the notice tables.
pub trait Store: Send {
    /// `sqlite`, `postgres`, `mysql`.
    fn backend(&self) -> &'static str;
    /// Create or migrate the tables; returns the version found before (0: none) and now.
    fn init(&mut self) -> Result<(u32, u32)> {
        self.init_to(SCHEMA_VERSION)
    }
    /// [`Store::init`] up to `version` only: the tests make an older schema with it to test the
    /// migration from it.
    #[doc(hidden)]
    fn init_to(&mut self, version: u32) -> Result<(u32, u32)>;
    /// The schema version found (0: `paygent notices init` never ran).
    fn schema_version(&mut self) -> Result<u32>;
    /// Take the sync lock of `merchant` without waiting: `false` when another session holds it.
    /// Released by [`Store::unlock`] or when the connection ends (a killed sync frees it).
    fn try_lock(&mut self, merchant: &str) -> Result<bool>;
    fn unlock(&mut self, merchant: &str) -> Result<()>;
    /// The last stored `payment_notice_id` of `merchant`.
    fn cursor(&mut self, merchant: &str) -> Result<Option<String>>;
    /// In ONE transaction: store each notice of `batch` (in order) unless its id is there
    /// already, record a gap for each one flagged, and move the cursor to the last id. Per
    /// notice, `true` when it is new. A crash before the commit leaves none of the batch and the
    /// cursor where it was: the next sync asks 091 again from there (a read-only inquiry).
    fn store_batch(&mut self, merchant: &str, batch: &[(Notice, bool)]) -> Result<Vec<bool>>;
    /// [`Store::store_batch`] of one notice.
    fn store(&mut self, merchant: &str, notice: &Notice, gap: bool) -> Result<bool> {
        let new = self.store_batch(merchant, &[(notice.clone(), gap)])?;
        Ok(new.first().copied().unwrap_or(false))
    }
    /// In ONE transaction: keep `notice` (its raw record) in the quarantine with `reason`,
    /// record a gap when flagged, and move the cursor to its id — the notice the database
    /// refused no longer stops the sync.
    fn quarantine(
        &mut self,
        merchant: &str,
        notice: &Notice,
        gap: bool,
        reason: &str,
    ) -> Result<()>;
    fn list(&mut self, filter: &ListFilter) -> Result<Vec<StoredNotice>>;
    /// The quarantined notices, oldest first (`merchant_id` and `since` of the filter apply,
    /// `since` to `quarantined_at`).
    fn quarantined(&mut self, filter: &ListFilter) -> Result<Vec<Quarantined>>;
    fn gaps(&mut self) -> Result<Vec<Gap>>;
    /// Set `processed_at` (and clear `process_error`); `false` when there is no such notice.
    fn mark_processed(&mut self, id: &str) -> Result<bool>;
    /// Record why handling failed; `processed_at` stays NULL.
    fn mark_failed(&mut self, id: &str, error: &str) -> Result<()>;
}

/// Open the store a `--db` URL names: `sqlite:PATH`, `postgres://…` / `postgresql://…`,
/// `mysql://…` / `mariadb://…`.
pub fn open(url: &str) -> Result<Box<dyn Store>> {
    if let Some(path) = url.strip_prefix("sqlite:") {
        let path = path.strip_prefix("//").unwrap_or(path);
        if path.is_empty() {
            return Err(Error::new(ErrorKind::BadUrl, "sqlite: needs a file path"));
        }
        #[cfg(feature = "sqlite")]
        return Ok(Box::new(sqlite::SqliteStore::open(path)?));
        #[cfg(not(feature = "sqlite"))]
        return Err(not_built("sqlite"));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        #[cfg(feature = "postgres")]
        return Ok(Box::new(postgres::PgStore::open(url)?));
        #[cfg(not(feature = "postgres"))]
        return Err(not_built("postgres"));
    }
    let mysql_url = match url.strip_prefix("mariadb://") {
        Some(rest) => Some(format!("mysql://{rest}")),
        None => url.starts_with("mysql://").then(|| url.to_string()),
    };
    if let Some(_url) = mysql_url {
        #[cfg(feature = "mysql")]
        return Ok(Box::new(mysql::MysqlStore::open(&_url)?));
        #[cfg(not(feature = "mysql"))]
        return Err(not_built("mysql"));
    }
    Err(Error::new(
        ErrorKind::BadUrl,
        format!(
            "{}: not a sqlite:, postgres:// or mysql:// URL",
            redact(url)
        ),
    ))
}

/// A URL whose database driver this build left out (a cargo feature of paygent-notices).
#[cfg_attr(
    all(feature = "sqlite", feature = "postgres", feature = "mysql"),
    allow(dead_code, reason = "used only when some driver feature is off")
)]
fn not_built(driver: &str) -> Error {
    Error::new(
        ErrorKind::BadUrl,
        format!("this paygent was built without the {driver} driver (cargo feature `{driver}`)"),
    )
}

/// The latest stored notice (highest `payment_notice_id`) of the payment with `payment_id`
/// (when given) or else `trading_id`, of `merchant` when given; `None` when none is stored.
pub fn latest_notice(
    store: &mut dyn Store,
    merchant: Option<&str>,
    trading_id: &str,
    payment_id: &str,
) -> Result<Option<StoredNotice>> {
    let (trading_id, payment_id) = match (trading_id, payment_id) {
        (_, p) if !p.is_empty() => (None, Some(p.to_string())),
        (t, _) if !t.is_empty() => (Some(t.to_string()), None),
        _ => return Ok(None),
    };
    let rows = store.list(&ListFilter {
        merchant_id: merchant.filter(|m| !m.is_empty()).map(str::to_string),
        trading_id,
        payment_id,
        ..ListFilter::default()
    })?;
    Ok(rows.into_iter().last())
}

/// Fail unless `paygent notices init` made the tables this program knows.
pub fn require_schema(store: &mut dyn Store) -> Result<()> {
    match store.schema_version()? {
        0 => Err(not_initialised()),
        v if v < SCHEMA_VERSION => Err(Error::new(
            ErrorKind::Schema,
            format!(
                "the notice tables are at schema version {v}, this paygent needs \
                 {SCHEMA_VERSION}: run `paygent notices init --db URL` to migrate them (the \
                 stored notices are kept)"
            ),
        )),
        v => check_version(v),
    }
}

/// A URL without its password, for messages.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (auth, host) = match rest.rsplit_once('@') {
        Some(x) => x,
        None => return url.to_string(),
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        // No password in the URL: nothing to hide, and `:***` would suggest one was given.
        None => url.to_string(),
    }
}

impl ListFilter {
    /// The WHERE conditions (placeholders from `placeholder(n)`, n from 1) and their values, all
    /// text; `since_cast` follows the `since` placeholder (PostgreSQL: `::text::timestamptz`).
    fn conditions(
        &self,
        placeholder: impl Fn(usize) -> String,
        since_cast: &str,
    ) -> (String, Vec<String>) {
        self.conditions_on("received_at", true, placeholder, since_cast)
    }

    /// [`ListFilter::conditions`] for the quarantine: its time column, no processing state.
    fn quarantine_conditions(
        &self,
        placeholder: impl Fn(usize) -> String,
        since_cast: &str,
    ) -> (String, Vec<String>) {
        self.conditions_on("quarantined_at", false, placeholder, since_cast)
    }

    fn conditions_on(
        &self,
        time: &str,
        processing: bool,
        placeholder: impl Fn(usize) -> String,
        since_cast: &str,
    ) -> (String, Vec<String>) {
        let mut sql = String::new();
        let mut values = Vec::new();
        if self.unprocessed && processing {
            sql.push_str(" AND processed_at IS NULL");
        }
        if let Some(m) = &self.merchant_id {
            values.push(m.clone());
            sql.push_str(&format!(" AND merchant_id = {}", placeholder(values.len())));
        }
        if processing {
            for (column, value) in [
                ("trading_id", &self.trading_id),
                ("payment_id", &self.payment_id),
            ] {
                if let Some(v) = value {
                    values.push(v.clone());
                    sql.push_str(&format!(" AND {column} = {}", placeholder(values.len())));
                }
            }
        }
        if let Some(since) = &self.since {
            values.push(since.clone());
            let p = placeholder(values.len());
            sql.push_str(&format!(" AND {time} >= {p}{since_cast}"));
        }
        (sql, values)
    }
}

/// Items as stored (JSON text) back to a map.
fn items_from_text(text: &str) -> Map<String, Value> {
    match serde_json::from_str(text) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

/// The lock name of `merchant`'s sync, the same in every database.
fn lock_name(merchant: &str) -> String {
    format!("paygent_notices_sync:{merchant}")
}

/// A notice's items as the JSON text the stores keep.
fn items_text(items: &Map<String, Value>) -> Result<String> {
    serde_json::to_string(items).map_err(|e| Error::with_source(ErrorKind::Query, e.to_string(), e))
}

fn not_initialised() -> Error {
    Error::new(
        ErrorKind::Schema,
        "the notice tables are missing: run `paygent notices init --db URL` first",
    )
}

/// Refuse a schema newer than this program.
fn check_version(found: u32) -> Result<()> {
    if found > SCHEMA_VERSION {
        return Err(Error::new(
            ErrorKind::Schema,
            format!(
                "the database has notice schema version {found}; this paygent knows up to \
                 {SCHEMA_VERSION}: upgrade paygent"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_redacted_and_checked() {
        assert_eq!(
            redact("postgres://u:secret@127.0.0.1:5432/db"),
            "postgres://u:***@127.0.0.1:5432/db"
        );
        assert_eq!(redact("sqlite:/tmp/x.db"), "sqlite:/tmp/x.db");
        // No password given: none suggested.
        assert_eq!(
            redact("postgres://paygent@localhost:5432/shop"),
            "postgres://paygent@localhost:5432/shop"
        );
        let e = open("oracle://x").err().unwrap();
        assert_eq!(e.kind(), ErrorKind::BadUrl);
        assert_eq!(open("sqlite:").err().unwrap().kind(), ErrorKind::BadUrl);
    }
}
