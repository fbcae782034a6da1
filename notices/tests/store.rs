//! The same store tests on SQLite (always), PostgreSQL (`PAYGENT_TEST_PG_URL`) and MySQL/MariaDB
//! (`PAYGENT_TEST_MYSQL_URL`), each on a fresh database. tests/notices/run.sh starts the servers.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

use paygent_notices::testing::{execute, refuse_poison_sql, store_urls};
use paygent_notices::{ErrorKind, ListFilter, Notice, Store, open, require_schema};
use serde_json::{Map, Value};

fn notice(id: &str, status: &str, name: &str) -> Notice {
    let mut items = Map::new();
    for (k, v) in [
        ("success_code", "0"),
        ("payment_notice_id", id),
        ("payment_id", &format!("1000{id}")),
        ("trading_id", &format!("order-{id}")),
        ("payment_type", "02"),
        ("payment_status", status),
        ("payment_amount", &format!("{id}00")),
        ("change_date", "20261204120000"),
        ("customer_name", name),
    ] {
        items.insert(k.into(), Value::from(v));
    }
    Notice::from_items(items)
}

fn each_store(name: &str, test: impl Fn(&str, &str)) {
    let dir = tempfile::tempdir().unwrap();
    for (backend, url) in store_urls(dir.path(), name) {
        eprintln!("-- {name} on {backend}");
        test(backend, &url);
    }
}

#[test]
fn init_is_versioned_and_idempotent() {
    each_store("init", |backend, url| {
        let mut s = open(url).unwrap();
        assert_eq!(s.backend(), backend);
        let e = require_schema(s.as_mut()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Schema, "{backend}");
        assert_eq!(s.init().unwrap(), (0, 2), "{backend}");
        assert_eq!(s.init().unwrap(), (2, 2), "{backend}");
        require_schema(s.as_mut()).unwrap();
        // Another connection sees the same tables.
        let mut t = open(url).unwrap();
        assert_eq!(t.schema_version().unwrap(), 2);
        assert_eq!(t.init().unwrap(), (2, 2));
    });
}

#[test]
fn a_notice_and_the_cursor_are_stored_once() {
    each_store("store", |backend, url| {
        let mut s = open(url).unwrap();
        s.init().unwrap();
        assert_eq!(s.cursor("m1").unwrap(), None);
        assert!(
            s.store("m1", &notice("9", "20", "山田 太郎"), false)
                .unwrap()
        );
        assert_eq!(s.cursor("m1").unwrap().as_deref(), Some("9"));
        // The same id again (a crash after the commit): not stored twice, cursor unchanged.
        assert!(
            !s.store("m1", &notice("9", "20", "山田 太郎"), false)
                .unwrap()
        );
        assert!(
            s.store("m1", &notice("10", "40", "髙橋 ①丁目 ｶﾞｲﾄﾞ"), true)
                .unwrap()
        );
        assert_eq!(s.cursor("m1").unwrap().as_deref(), Some("10"));
        assert_eq!(s.cursor("m2").unwrap(), None);

        let rows = s.list(&ListFilter::default()).unwrap();
        let ids: Vec<_> = rows
            .iter()
            .map(|r| r.notice.payment_notice_id.as_str())
            .collect();
        assert_eq!(ids, ["9", "10"], "{backend}: numeric order");
        assert_eq!(
            rows[1].notice,
            notice("10", "40", "髙橋 ①丁目 ｶﾞｲﾄﾞ"),
            "{backend}"
        );
        assert_eq!(rows[1].notice.payment_amount, Some(1000));
        assert_eq!(rows[0].merchant_id, "m1");
        assert!(
            rows[0].received_at.starts_with("20"),
            "{}",
            rows[0].received_at
        );
        assert_eq!(rows[0].processed_at, None);

        let gaps = s.gaps().unwrap();
        assert_eq!(gaps.len(), 1, "{backend}");
        assert_eq!(gaps[0].first_payment_notice_id_after, "10");
        assert_eq!(gaps[0].merchant_id, "m1");

        s.mark_failed("9", "exit status 3").unwrap();
        let r = &s.list(&ListFilter::default()).unwrap()[0];
        assert_eq!(r.process_error.as_deref(), Some("exit status 3"));
        assert_eq!(r.processed_at, None);
        assert!(s.mark_processed("9").unwrap());
        assert!(
            s.mark_processed("9").unwrap(),
            "{backend}: marking twice is fine"
        );
        assert!(!s.mark_processed("999").unwrap());
        let r = &s.list(&ListFilter::default()).unwrap()[0];
        assert_eq!(r.process_error, None);
        assert!(r.processed_at.is_some());
        let pending = s
            .list(&ListFilter {
                unprocessed: true,
                since: None,
                merchant_id: None,
                ..ListFilter::default()
            })
            .unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].notice.payment_notice_id, "10");
        let later = s
            .list(&ListFilter {
                unprocessed: false,
                since: Some("2999-01-01".into()),
                merchant_id: None,
                ..ListFilter::default()
            })
            .unwrap();
        assert!(later.is_empty(), "{backend}");
        let earlier = s
            .list(&ListFilter {
                unprocessed: false,
                since: Some("2000-01-01".into()),
                merchant_id: None,
                ..ListFilter::default()
            })
            .unwrap();
        assert_eq!(earlier.len(), 2, "{backend}");
    });
}

#[test]
fn one_sync_lock_per_merchant() {
    each_store("lock", |backend, url| {
        let mut a = open(url).unwrap();
        a.init().unwrap();
        let mut b: Box<dyn Store> = open(url).unwrap();
        assert!(a.try_lock("m1").unwrap(), "{backend}");
        assert!(!b.try_lock("m1").unwrap(), "{backend}: the second waits");
        a.unlock("m1").unwrap();
        assert!(b.try_lock("m1").unwrap(), "{backend}: free after unlock");
        // A connection that ends (a killed sync) frees its lock.
        drop(b);
        // The server notices the closed connection a moment later (MariaDB ends the session
        // after the client's COM_QUIT): wait for it, within reason.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while !a.try_lock("m1").unwrap() {
            assert!(
                std::time::Instant::now() < deadline,
                "{backend}: free after the holder ended"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    });
}

#[test]
fn merchants_share_a_database_without_mixing() {
    each_store("merchants", |backend, url| {
        let mut s = open(url).unwrap();
        s.init().unwrap();
        assert!(s.store("m1", &notice("1", "20", "a"), false).unwrap());
        assert!(s.store("m2", &notice("2", "20", "b"), false).unwrap());
        assert!(s.store("m1", &notice("3", "40", "c"), false).unwrap());
        assert_eq!(s.cursor("m1").unwrap().as_deref(), Some("3"));
        assert_eq!(s.cursor("m2").unwrap().as_deref(), Some("2"));
        let only = |m: &str, s: &mut Box<dyn Store>| -> Vec<String> {
            s.list(&ListFilter {
                unprocessed: true,
                since: Some("2000-01-01".into()),
                merchant_id: Some(m.into()),
                ..ListFilter::default()
            })
            .unwrap()
            .into_iter()
            .map(|r| r.notice.payment_notice_id)
            .collect()
        };
        assert_eq!(only("m1", &mut s), ["1", "3"], "{backend}");
        assert_eq!(only("m2", &mut s), ["2"], "{backend}");
        // Each merchant has its own sync lock, on every store (SQLite too: one byte each).
        let mut t = open(url).unwrap();
        assert!(s.try_lock("m1").unwrap());
        assert!(t.try_lock("m2").unwrap(), "{backend}: m2 is not m1's lock");
        assert!(!t.try_lock("m1").unwrap(), "{backend}");
        assert!(!s.try_lock("m2").unwrap(), "{backend}");
        // Unlocking one merchant leaves the other locked.
        s.unlock("m1").unwrap();
        assert!(!s.try_lock("m2").unwrap(), "{backend}: m2 still held");
        assert!(t.try_lock("m1").unwrap(), "{backend}: m1 free");
    });
}

#[test]
fn a_failed_store_leaves_nothing_half_done() {
    each_store("failed", |backend, url| {
        if backend == "sqlite" {
            return; // TEXT has no length limit: nothing to make fail here.
        }
        let mut s = open(url).unwrap();
        s.init().unwrap();
        assert!(s.store("m1", &notice("1", "20", "a"), false).unwrap());
        // Longer than varchar(64): the statement fails inside the transaction.
        let long = "9".repeat(100);
        assert!(
            s.store("m1", &notice(&long, "20", "b"), true).is_err(),
            "{backend}"
        );
        assert_eq!(s.cursor("m1").unwrap().as_deref(), Some("1"), "{backend}");
        assert!(
            s.gaps().unwrap().is_empty(),
            "{backend}: no gap row left behind"
        );
        // The connection is usable again, outside any transaction.
        assert!(s.store("m1", &notice("2", "20", "c"), false).unwrap());
        let mut t = open(url).unwrap();
        assert_eq!(
            t.cursor("m1").unwrap().as_deref(),
            Some("2"),
            "{backend}: committed"
        );
    });
}

#[test]
fn a_batch_commits_its_notices_gaps_and_the_cursor_together() {
    each_store("batch", |backend, url| {
        let mut s = open(url).unwrap();
        s.init().unwrap();
        assert!(s.store("m1", &notice("2", "20", "既存"), false).unwrap());
        let batch = vec![
            (notice("2", "20", "既存"), false),
            (notice("3", "40", "山田"), true),
            (notice("4", "20", "b"), false),
            (notice("10", "20", "c"), true),
        ];
        let new = s.store_batch("m1", &batch).unwrap();
        assert_eq!(
            new,
            [false, true, true, true],
            "{backend}: only the stored id is old"
        );
        assert_eq!(s.cursor("m1").unwrap().as_deref(), Some("10"), "{backend}");
        let gaps: Vec<String> = s
            .gaps()
            .unwrap()
            .into_iter()
            .map(|g| g.first_payment_notice_id_after)
            .collect();
        assert_eq!(
            gaps,
            ["3", "10"],
            "{backend}: one gap row per flagged notice, in order"
        );
        let rows = s.list(&ListFilter::default()).unwrap();
        let ids: Vec<&str> = rows
            .iter()
            .map(|r| r.notice.payment_notice_id.as_str())
            .collect();
        assert_eq!(ids, ["2", "3", "4", "10"], "{backend}");
        assert_eq!(rows[1].notice.items["customer_name"], "山田", "{backend}");
        assert_eq!(rows[3].notice.payment_amount, Some(1000), "{backend}");
        // An empty batch changes nothing.
        assert!(s.store_batch("m1", &[]).unwrap().is_empty());
        assert_eq!(s.cursor("m1").unwrap().as_deref(), Some("10"), "{backend}");
    });
}

/// A notice as the gateway sends it: `items` as raw bytes (Windows-31J, or anything).
fn raw_notice(id: &str, extra: &[(&str, &[u8])]) -> Notice {
    let payment_id = format!("1000{id}");
    let mut items: Vec<(&[u8], &[u8])> = vec![
        (b"success_code", b"0"),
        (b"payment_notice_id", id.as_bytes()),
        (b"payment_id", payment_id.as_bytes()),
        (b"payment_type", b"02"),
        (b"payment_status", b"40"),
        (b"payment_amount", b"1200"),
        (b"change_date", b"20261204120000"),
    ];
    items.extend(extra.iter().map(|(k, v)| (k.as_bytes(), *v)));
    Notice::from_record(items)
}

/// The value of `key` in a raw record (`key=value` CRLF lines).
fn raw_value<'a>(raw: &'a [u8], key: &str) -> &'a [u8] {
    let prefix = [key.as_bytes(), b"="].concat();
    raw.split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .find_map(|l| l.strip_prefix(prefix.as_slice()))
        .unwrap_or_else(|| panic!("no {key} in the raw record"))
}

#[test]
fn values_are_kept_byte_for_byte() {
    each_store("bytes", |backend, url| {
        let mut s = open(url).unwrap();
        s.init().unwrap();
        let nul: &[u8] = b"ord\0er-1";
        let mega = vec![b'A'; 1 << 20];
        // 0x82A0 is あ; 0x81 0x20 and 0xFF are not Windows-31J; 0x80 is U+0080.
        let bad: &[u8] = b"\x82\xa0\x81\x20\xff\x80\x1b]0;x\x07";
        let batch = vec![
            (raw_notice("1", &[("trading_id", nul)]), false),
            (raw_notice("2", &[("trading_id", &mega)]), false),
            (
                raw_notice("3", &[("trading_id", b"t3"), ("customer_name", bad)]),
                false,
            ),
            (raw_notice("4", &[("trading_id", b"\x8eR\x93c")]), false),
        ];
        let new = s.store_batch("m1", &batch).unwrap();
        assert_eq!(new, [true; 4], "{backend}");
        let rows = s.list(&ListFilter::default()).unwrap();
        assert_eq!(rows.len(), 4, "{backend}");
        for (row, (sent, _)) in rows.iter().zip(&batch) {
            assert_eq!(
                row.notice.raw_record, sent.raw_record,
                "{backend}: {} read back byte for byte",
                sent.payment_notice_id
            );
            assert_eq!(row.notice.text_lossy, sent.text_lossy, "{backend}");
            assert_eq!(row.notice.items, sent.items, "{backend}");
        }
        assert_eq!(raw_value(&rows[0].notice.raw_record, "trading_id"), nul);
        assert!(rows[0].notice.text_lossy, "a NUL is not in the text");
        assert_eq!(rows[0].notice.trading_id, "ord\u{fffd}er-1", "{backend}");
        assert_eq!(raw_value(&rows[1].notice.raw_record, "trading_id"), mega);
        assert_eq!(rows[1].notice.trading_id.len(), 1 << 20, "{backend}");
        assert!(!rows[1].notice.text_lossy);
        assert_eq!(raw_value(&rows[2].notice.raw_record, "customer_name"), bad);
        assert!(rows[2].notice.text_lossy);
        assert!(
            rows[2].notice.items["customer_name"]
                .as_str()
                .unwrap()
                .starts_with("あ\u{fffd}"),
            "{backend}: {:?}",
            rows[2].notice.items["customer_name"]
        );
        // SHIFT_JIS text is exact, and its raw record is the Windows-31J bytes.
        assert_eq!(rows[3].notice.trading_id, "山田");
        assert!(!rows[3].notice.text_lossy);
        assert_eq!(
            raw_value(&rows[3].notice.raw_record, "trading_id"),
            b"\x8eR\x93c"
        );
        assert_eq!(s.cursor("m1").unwrap().as_deref(), Some("4"), "{backend}");
    });
}

#[test]
fn a_refused_notice_is_quarantined_and_the_cursor_moves_past_it() {
    each_store("quarantine", |backend, url| {
        let mut s = open(url).unwrap();
        s.init().unwrap();
        execute(url, refuse_poison_sql(backend)).unwrap();
        let poison = raw_notice("5", &[("trading_id", b"poison"), ("memo", b"\0\xff")]);
        let e = s.store("m1", &poison, true).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Data, "{backend}: {e}");
        assert_eq!(
            s.cursor("m1").unwrap(),
            None,
            "{backend}: nothing half-done"
        );
        s.quarantine("m1", &poison, true, e.detail()).unwrap();
        assert_eq!(s.cursor("m1").unwrap().as_deref(), Some("5"), "{backend}");
        let held = s.quarantined(&ListFilter::default()).unwrap();
        assert_eq!(held.len(), 1, "{backend}");
        assert_eq!(held[0].payment_notice_id.as_deref(), Some("5"));
        assert_eq!(held[0].merchant_id, "m1");
        assert_eq!(
            held[0].raw_record, poison.raw_record,
            "{backend}: byte for byte"
        );
        assert_eq!(held[0].reason, e.detail());
        assert_eq!(held[0].notice().trading_id, "poison");
        assert!(
            held[0].quarantined_at.starts_with("20"),
            "{}",
            held[0].quarantined_at
        );
        assert_eq!(
            s.gaps().unwrap().len(),
            1,
            "{backend}: the gap is recorded too"
        );
        assert!(s.list(&ListFilter::default()).unwrap().is_empty());
        // The filters apply.
        let other = ListFilter {
            merchant_id: Some("m2".into()),
            ..ListFilter::default()
        };
        assert!(s.quarantined(&other).unwrap().is_empty(), "{backend}");
        let later = ListFilter {
            since: Some("2999-01-01".into()),
            ..ListFilter::default()
        };
        assert!(s.quarantined(&later).unwrap().is_empty(), "{backend}");
        // The next notice is stored as usual.
        assert!(s.store("m1", &raw_notice("6", &[]), false).unwrap());
        assert_eq!(s.cursor("m1").unwrap().as_deref(), Some("6"));
    });
}

#[test]
fn schema_1_is_migrated_keeping_its_data() {
    each_store("migrate", |backend, url| {
        let mut s = open(url).unwrap();
        assert_eq!(s.init_to(1).unwrap(), (0, 1), "{backend}");
        let at = match backend {
            "sqlite" => "'2026-12-04T01:02:03.000Z'",
            "postgres" => "'2026-12-04 01:02:03+00'",
            _ => "'2026-12-04 01:02:03'",
        };
        execute(
            url,
            &format!(
                "INSERT INTO paygent_notices (payment_notice_id, merchant_id, payment_id, \
                 trading_id, payment_type, payment_status, payment_amount, change_date, items, \
                 received_at, processed_at, process_error) VALUES ('7', 'm1', '1007', 'order-7', \
                 '02', '40', 700, '20261204120000', \
                 '{{\"payment_notice_id\":\"7\",\"trading_id\":\"order-7\"}}', {at}, NULL, \
                 'exit status 3'); \
                 INSERT INTO paygent_notice_cursor (merchant_id, last_payment_notice_id, \
                 updated_at) VALUES ('m1', '7', {at}); \
                 INSERT INTO paygent_notice_gaps (merchant_id, detected_at, \
                 first_payment_notice_id_after) VALUES ('m1', {at}, '7')"
            ),
        )
        .unwrap();
        // Schema 1 is not enough for this program: init first.
        let e = require_schema(s.as_mut()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Schema, "{backend}");
        assert!(e.detail().contains("notices init"), "{e}");
        let mut s = open(url).unwrap();
        assert_eq!(s.init().unwrap(), (1, 2), "{backend}");
        require_schema(s.as_mut()).unwrap();
        let rows = s.list(&ListFilter::default()).unwrap();
        assert_eq!(rows.len(), 1, "{backend}");
        let r = &rows[0];
        assert_eq!(r.notice.payment_notice_id, "7");
        assert_eq!(r.notice.trading_id, "order-7");
        assert_eq!(r.notice.payment_amount, Some(700));
        assert_eq!(r.notice.items["trading_id"], "order-7");
        assert_eq!(r.process_error.as_deref(), Some("exit status 3"));
        assert!(
            r.received_at.starts_with("2026-12-04T01:02:03"),
            "{}",
            r.received_at
        );
        assert!(
            r.notice.raw_record.is_empty(),
            "{backend}: not kept by schema 1"
        );
        assert!(!r.notice.text_lossy);
        assert_eq!(s.cursor("m1").unwrap().as_deref(), Some("7"), "{backend}");
        assert_eq!(s.gaps().unwrap().len(), 1, "{backend}");
        assert!(s.quarantined(&ListFilter::default()).unwrap().is_empty());
        // Now any length goes, byte for byte.
        let mega = raw_notice("8", &[("trading_id", &vec![b'B'; 1 << 20])]);
        assert!(s.store("m1", &mega, false).unwrap(), "{backend}");
        let rows = s.list(&ListFilter::default()).unwrap();
        assert_eq!(rows[1].notice.raw_record, mega.raw_record, "{backend}");
        assert_eq!(s.init().unwrap(), (2, 2), "{backend}");
    });
}

#[test]
fn errors_keep_the_database_error_as_their_source() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("no/such/dir/x.db").display());
    let e = open(&url).err().unwrap();
    assert_eq!(e.kind(), ErrorKind::Connect);
    let source = std::error::Error::source(&e).expect("a source");
    assert!(
        source.downcast_ref::<paygent_notices::Source>().is_some(),
        "{source:?}"
    );
    let paygent_notices::Source::Sqlite(inner) = std::error::Error::source(&e)
        .and_then(|s| s.downcast_ref::<paygent_notices::Source>())
        .unwrap()
    else {
        panic!("not a SQLite error: {e:?}");
    };
    assert!(e.detail().contains(&inner.to_string()), "{e}");
}

/// `confirm --pending --db`: the latest stored notice of one payment, by payment_id or
/// trading_id, of one merchant.
#[test]
fn the_latest_notice_of_a_payment_is_found_by_its_ids() {
    use paygent_notices::latest_notice;
    each_store("latest", |backend, url| {
        let mut s = open(url).unwrap();
        s.init().unwrap();
        s.store("m1", &notice("1", "20", "a"), false).unwrap();
        s.store("m1", &notice("2", "20", "b"), false).unwrap();
        // A later notice of payment 1 (its status changed), stored under the same ids.
        let mut later = notice("11", "40", "a");
        later.payment_id = "10001".into();
        later.trading_id = "order-1".into();
        later.items.insert("payment_id".into(), "10001".into());
        later.items.insert("trading_id".into(), "order-1".into());
        later.items.insert("payment_status".into(), "40".into());
        s.store("m1", &later, false).unwrap();
        let st = s.as_mut();
        let by_trading = latest_notice(st, Some("m1"), "order-1", "")
            .unwrap()
            .unwrap();
        assert_eq!(by_trading.notice.payment_notice_id, "11", "{backend}");
        let by_payment = latest_notice(st, None, "", "10001").unwrap().unwrap();
        assert_eq!(by_payment.notice.payment_notice_id, "11", "{backend}");
        let paygent_core::confirm::Confirmation::Found { payment_status, .. } =
            by_payment.confirmation()
        else {
            panic!("not found");
        };
        assert_eq!(payment_status, b"40");
        assert_eq!(
            latest_notice(st, Some("m1"), "order-2", "")
                .unwrap()
                .unwrap()
                .notice
                .payment_notice_id,
            "2"
        );
        assert!(
            latest_notice(st, Some("m2"), "order-1", "")
                .unwrap()
                .is_none(),
            "{backend}"
        );
        assert!(
            latest_notice(st, Some("m1"), "order-9", "")
                .unwrap()
                .is_none()
        );
        assert!(latest_notice(st, Some("m1"), "", "").unwrap().is_none());
    });
}
