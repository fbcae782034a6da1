//! The same store tests on SQLite (always), PostgreSQL (`PAYGENT_TEST_PG_URL`) and MySQL/MariaDB
//! (`PAYGENT_TEST_MYSQL_URL`), each on a fresh database. tests/notices/run.sh starts the servers.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

use paygent_notices::testing::store_urls;
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
        assert_eq!(e.kind, ErrorKind::Schema, "{backend}");
        assert_eq!(s.init().unwrap(), (0, 1), "{backend}");
        assert_eq!(s.init().unwrap(), (1, 1), "{backend}");
        require_schema(s.as_mut()).unwrap();
        // Another connection sees the same tables.
        let mut t = open(url).unwrap();
        assert_eq!(t.schema_version().unwrap(), 1);
        assert_eq!(t.init().unwrap(), (1, 1));
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
            })
            .unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].notice.payment_notice_id, "10");
        let later = s
            .list(&ListFilter {
                unprocessed: false,
                since: Some("2999-01-01".into()),
                merchant_id: None,
            })
            .unwrap();
        assert!(later.is_empty(), "{backend}");
        let earlier = s
            .list(&ListFilter {
                unprocessed: false,
                since: Some("2000-01-01".into()),
                merchant_id: None,
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
            })
            .unwrap()
            .into_iter()
            .map(|r| r.notice.payment_notice_id)
            .collect()
        };
        assert_eq!(only("m1", &mut s), ["1", "3"], "{backend}");
        assert_eq!(only("m2", &mut s), ["2"], "{backend}");
        // Each merchant has its own sync lock.
        let mut t = open(url).unwrap();
        assert!(s.try_lock("m1").unwrap());
        if backend != "sqlite" {
            assert!(t.try_lock("m2").unwrap(), "{backend}");
        }
        assert!(!t.try_lock("m1").unwrap(), "{backend}");
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
