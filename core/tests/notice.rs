//! The payment diff inquiry (091, `paygent_core::notice`): the rules on parsed replies, and
//! the drain step through the whole module against a real TLS server on loopback that keeps a
//! list of notices the way the gateway does (each 091 answers the first one after the
//! `payment_notice_id` asked, then `success_code=1`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

mod transport_support;

use std::sync::{Arc, Mutex};

use paygent_core::config::ConfigSource;
use paygent_core::notice::{self, Page, StepError};
use paygent_core::reply::payment;
use paygent_core::{Dialect, Module};
use transport_support::*;

fn read(body: &str, cursor: Option<&str>) -> Result<Page, StepError> {
    let parsed = payment::parse(body.as_bytes(), true);
    notice::read(&parsed.reply, cursor.map(str::as_bytes))
}

fn reply(success: &str, id: &str) -> String {
    format!(
        "result=0\r\nresponse_code=\r\nresponse_detail=\r\nsuccess_code={success}\r\n\
         success_detail=\r\npayment_notice_id={id}\r\npayment_id=9{id}\r\ntrading_id=t{id}\r\n\
         payment_type=02\r\npayment_status=20\r\npayment_amount=100\r\n"
    )
}

fn protocol(r: Result<Page, StepError>) -> String {
    match r {
        Err(StepError::Protocol(what)) => what,
        other => panic!("not a protocol error: {other:?}"),
    }
}

#[test]
fn success_codes_say_whether_to_ask_again() {
    let p = read(&reply("0", "7"), Some("6")).unwrap();
    assert!(p.more);
    assert_eq!(p.notices.len(), 1);
    assert_eq!(p.notices[0].payment_notice_id, b"7");
    assert!(!p.notices[0].gap_before);
    assert_eq!(p.notices[0].record.get(b"trading_id"), Some(&b"t7"[..]));
    assert_eq!(p.cursor_after(Some(b"6")), Some(&b"7"[..]));

    let p = read(&reply("2", "12"), Some("7")).unwrap();
    assert!(p.more, "a notice after a gap: ask again");
    assert!(p.notices[0].gap_before);

    let p = read(
        "result=0\r\nsuccess_code=1\r\nsuccess_detail=\r\n",
        Some("12"),
    )
    .unwrap();
    assert!(!p.more, "caught up");
    assert!(p.notices.is_empty());
    assert_eq!(
        p.cursor_after(Some(b"12")),
        Some(&b"12"[..]),
        "the cursor stays"
    );
    // From no cursor at all.
    let p = read(&reply("0", "1"), None).unwrap();
    assert_eq!(p.cursor_after(None), Some(&b"1"[..]));
}

#[test]
fn replies_the_drain_cannot_go_on_from_are_protocol_errors() {
    assert!(protocol(read(&reply("3", "8"), Some("7"))).contains("success_code"));
    assert!(protocol(read(&reply("", "8"), Some("7"))).contains("success_code"));
    // The id must move the cursor forward: digits, after it, not too long.
    assert!(protocol(read(&reply("0", "7"), Some("7"))).contains("after"));
    assert!(protocol(read(&reply("0", "9"), Some("10"))).contains("after"));
    assert!(protocol(read(&reply("0", "8a"), Some("7"))).contains("payment_notice_id"));
    assert!(protocol(read(&reply("0", ""), Some("7"))).contains("payment_notice_id"));
    let long = "1".repeat(notice::ID_MAX + 1);
    assert!(protocol(read(&reply("0", &long), None)).contains("payment_notice_id"));
    assert!(read(&reply("0", &"1".repeat(notice::ID_MAX)), None).is_ok());
    assert!(protocol(read("result=9\r\n", None)).contains("result=9"));
    assert!(protocol(read("", None)).contains("result="));
}

#[test]
fn a_gateway_error_is_told_with_its_code() {
    let r = read(
        "result=1\r\nresponse_code=P001\r\nresponse_detail=bad id\r\n",
        None,
    );
    assert_eq!(
        r.unwrap_err(),
        StepError::Gateway {
            code: b"P001".to_vec(),
            detail: b"bad id".to_vec()
        }
    );
}

/// A module whose properties point 091 at `url`, with the test PKI.
fn module(url: &str) -> (tempfile::TempDir, Module) {
    let dir = tempfile::Builder::new()
        .prefix("paygent-notice-")
        .tempdir()
        .unwrap();
    let pki = pki();
    let path = dir.path().join("modenv_properties.php");
    std::fs::write(
        &path,
        format!(
            "<?php\npaygentB2Bmodule.client_file_path={}\npaygentB2Bmodule.ca_file_path={}\n\
             paygentB2Bmodule.timeout_value=20\npaygentB2Bmodule.log_output_path=\n\
             paygentB2Bmodule.select_max_cnt=2000\npaygentB2Bmodule.telegram_kind.ref=027,090\n\
             paygentB2Bmodule.default_id=id\npaygentB2Bmodule.default_password=pw\n\
             paygentB2Bmodule.session_cache_dir=off\npaygentB2Bmodule.url.091={url}\n?>\n",
            pki.join("client-kit.pem").display(),
            pki.join("ca.pem").display(),
        ),
    )
    .unwrap();
    let mut m = Module::new(Dialect::Php, ConfigSource::PhpProperties(path));
    m.init().unwrap();
    (dir, m)
}

/// A gateway keeping notices `ids` (`true`: the one before it was purged): 091 answers the
/// first id after the one asked.
fn gateway(ids: &'static [(u32, bool)], asked: Arc<Mutex<Vec<String>>>) -> Server {
    tls_server(
        ServerOpts::default(),
        Arc::new(move |_, seen: &Seen| {
            let body = String::from_utf8_lossy(&seen.body).into_owned();
            let field = |k: &str| {
                body.split('&')
                    .find_map(|p| p.strip_prefix(&format!("{k}=")))
                    .unwrap_or("")
                    .to_string()
            };
            assert_eq!(field("telegram_kind"), "091");
            assert_eq!(field("merchant_id"), "m1");
            let cursor = field("payment_notice_id");
            asked.lock().unwrap().push(cursor.clone());
            let after: u32 = cursor.parse().unwrap_or(0);
            let body = match ids.iter().find(|(id, _)| *id > after) {
                Some((id, gap)) => reply(if *gap { "2" } else { "0" }, &id.to_string()),
                None => "result=0\r\nsuccess_code=1\r\nsuccess_detail=\r\n".to_string(),
            };
            Action::Reply(ok(body.as_bytes()))
        }),
    )
}

#[test]
fn the_drain_step_walks_the_gateway_list_then_stops() {
    static IDS: [(u32, bool); 3] = [(3, false), (9, true), (10, false)];
    let asked = Arc::new(Mutex::new(Vec::new()));
    let srv = gateway(&IDS, asked.clone());
    let (_d, mut m) = module(&srv.url("localhost"));
    notice::prepare(&mut m, b"m1");
    let mut cursor: Option<Vec<u8>> = None;
    let mut got = Vec::new();
    for _ in 0..10 {
        let page = notice::step(&mut m, cursor.as_deref()).unwrap();
        for n in &page.notices {
            got.push((
                String::from_utf8(n.payment_notice_id.clone()).unwrap(),
                n.gap_before,
            ));
        }
        cursor = page.cursor_after(cursor.as_deref()).map(<[u8]>::to_vec);
        if !page.more {
            break;
        }
    }
    assert_eq!(
        got,
        [
            ("3".to_string(), false),
            ("9".to_string(), true),
            ("10".to_string(), false)
        ]
    );
    // Each id asked once, in order, starting from none; the last answer was success_code=1.
    assert_eq!(*asked.lock().unwrap(), ["", "3", "9", "10"]);
    assert_eq!(cursor.as_deref(), Some(&b"10"[..]));
}

#[test]
fn the_drain_step_tells_a_gateway_error_and_a_dead_gateway_apart() {
    let srv = tls_server(
        ServerOpts::default(),
        always(ok(
            b"result=1\r\nresponse_code=P006\r\nresponse_detail=no merchant\r\n",
        )),
    );
    let (_d, mut m) = module(&srv.url("localhost"));
    notice::prepare(&mut m, b"m1");
    match notice::step(&mut m, None) {
        Err(StepError::Gateway { code, .. }) => assert_eq!(code, b"P006"),
        other => panic!("{other:?}"),
    }

    let (_d, mut m) = module(&format!(
        "https://localhost:{}/n/ref/paynotice",
        refused_port()
    ));
    notice::prepare(&mut m, b"m1");
    match notice::step(&mut m, Some(b"5")) {
        Err(StepError::Module { error, text }) => {
            assert!(!text.is_empty(), "{error:?}");
        }
        other => panic!("{other:?}"),
    }
}
