//! The three stages of `post()` (core's `pipeline`), each run alone: `prepare` with no server,
//! `exchange` against a real mutual-TLS server on loopback, `receive` on reply bytes with no
//! transport (docs/architecture.md "The telegram pipeline").

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

mod transport_support;

use std::time::{Duration, Instant};

use paygent_core::config::{Config, CsvMode, TlsBackend};
use paygent_core::error::{ErrorCode, ErrorKind, FailurePhase};
use paygent_core::params::Params;
use paygent_core::pipeline::{self, Deadline, Exchange, ObjectSettings, Prepared, Receive};
use paygent_core::reply::ReplyFormat;
use transport_support::*;

fn config(url_02: &str) -> Config {
    Config {
        urls: vec![(b"02".to_vec(), url_02.as_bytes().to_vec())],
        telegram_kind_ref: vec![b"027".to_vec(), b"090".to_vec()],
        ..Config::default()
    }
}

fn settings_of_object() -> ObjectSettings {
    ObjectSettings {
        default_id: b"id".to_vec(),
        default_password: b"pw".to_vec(),
        timeout: b"5".to_vec(),
        select_max_cnt: b"2000".to_vec(),
        ..ObjectSettings::default()
    }
}

fn card_telegram(c: &Config) -> Prepared {
    let mut p = Params::new();
    p.put(b"telegram_kind", b"020");
    p.put(b"card_number", b"4111111111111111");
    pipeline::prepare(&mut p, &settings_of_object(), c).unwrap()
}

// ---- prepare ------------------------------------------------------------------------------

#[test]
fn prepare_fills_defaults_resolves_the_url_and_encodes() {
    let c = config("https://gw.example/n/card/request");
    let mut p = Params::new();
    p.put(b"telegram_kind", b"027");
    p.put(b"customer_id", b"c 1");
    let got = pipeline::prepare(&mut p, &settings_of_object(), &c).unwrap();
    assert_eq!(got.kind, b"027");
    assert_eq!(got.url, b"https://gw.example/n/card/request");
    assert_eq!(
        got.body,
        b"telegram_kind=027&customer_id=c+1&connect_id=id&connect_password=pw&limit_count=2000"
    );
    assert_eq!(got.timeout_secs, 5.0);
    // The defaults persist on the parameters, as in the official module.
    assert_eq!(p.get(b"connect_id"), Some(&b"id"[..]));
}

#[test]
fn prepare_refuses_before_anything_is_sent() {
    let c = config("https://gw.example/n/card/request");
    let mut p = Params::new();
    p.put(b"telegram_kind", b"999");
    let e = pipeline::prepare(&mut p, &settings_of_object(), &c).unwrap_err();
    assert_eq!(e.code, ErrorCode::TelegramParamOutside, "{e:?}");
    let mut zero = settings_of_object();
    zero.timeout = b"0".to_vec();
    let mut p = Params::new();
    p.put(b"telegram_kind", b"020");
    let e = pipeline::prepare(&mut p, &zero, &c).unwrap_err();
    assert_eq!(e.code, ErrorCode::ModuleParamRequired, "{e:?}");
}

// ---- exchange -----------------------------------------------------------------------------

fn run_exchange(
    c: &Config,
    prepared: &Prepared,
) -> (Result<Vec<u8>, pipeline::ExchangeFailure>, Vec<String>) {
    let s = settings(TlsBackend::OpenSsl);
    let x = Exchange {
        config: c,
        settings: &s,
        user_agent: "curl_php",
    };
    let mut lines = Vec::new();
    let got = pipeline::exchange(
        prepared,
        &x,
        &Deadline::start(prepared.timeout_secs),
        &mut |l| lines.push(String::from_utf8_lossy(l).into_owned()),
    );
    (got, lines)
}

#[test]
fn exchange_returns_the_body_and_logs_the_masked_request_under_debug() {
    let srv = tls_server(
        ServerOpts::default(),
        always(ok(b"result=0\r\npayment_id=7\r\n")),
    );
    let mut c = config(&srv.url("localhost"));
    c.debug_flg = true;
    let prepared = card_telegram(&c);
    let (got, lines) = run_exchange(&c, &prepared);
    assert_eq!(got.unwrap(), b"result=0\r\npayment_id=7\r\n");
    assert_eq!(srv.log().requests.len(), 1);
    assert_eq!(srv.log().requests[0].body, prepared.body);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].starts_with("request: telegram_kind=020&card_number="),
        "{lines:?}"
    );
    assert!(
        !lines[0].contains("4111111111111111"),
        "card number in the log: {lines:?}"
    );
    assert_eq!(lines[1], "response: \r\nresult=0\r\npayment_id=7\r\n");
}

#[test]
fn exchange_retries_only_what_was_not_sent() {
    let mut c = config(&format!(
        "https://localhost:{}/n/card/request",
        refused_port()
    ));
    c.retry_not_sent = 2;
    let (got, lines) = run_exchange(&c, &card_telegram(&c));
    let f = got.unwrap_err();
    assert_eq!(f.phase, FailurePhase::NotSent);
    let retries = lines.iter().filter(|l| l.starts_with("retry ")).count();
    assert_eq!(retries, 2, "{lines:?}");

    // The gateway had it: an HTTP error status is not sent again, and is maybe_sent.
    let srv = tls_server(
        ServerOpts::default(),
        always(b"HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n".to_vec()),
    );
    let mut c = config(&srv.url("localhost"));
    c.retry_not_sent = 2;
    let (got, lines) = run_exchange(&c, &card_telegram(&c));
    let f = got.unwrap_err();
    assert_eq!(f.phase, FailurePhase::MaybeSent);
    assert_eq!(f.error.kind, ErrorKind::HttpStatus(500));
    assert_eq!(srv.log().requests.len(), 1);
    assert_eq!(lines, ["Cannot get http return code."]);
}

// ---- receive ------------------------------------------------------------------------------

fn receive_with(format: ReplyFormat, csv: &[u8], deadline: Option<Instant>) -> Receive<'_> {
    Receive {
        format,
        csv_mode: CsvMode::default(),
        result_csv: csv,
        deadline,
    }
}

#[test]
fn receive_parses_a_payment_reply() {
    let body = b"result=1\r\nresponse_code=P010\r\nresponse_detail=bad\r\ntrading_id=T1\r\n";
    let got = pipeline::receive(body, &receive_with(ReplyFormat::Payment, b"", None)).unwrap();
    assert_eq!(got.reply.result_status, b"1");
    assert_eq!(got.result_message(), b"P010: bad");
    assert!(got.answered() && got.parse_error.is_none() && got.csv_error.is_none());
    assert_eq!(got.reply.records.len(), 1);
}

#[test]
fn receive_writes_the_result_csv_and_keeps_only_the_result() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("out.csv");
    let body = b"1,0,,\r\n2,card_seq,card_number\r\n3,1,************1111\r\n4,1\r\n";
    let path = csv.as_os_str().as_encoded_bytes();
    let got = pipeline::receive(body, &receive_with(ReplyFormat::Reference, path, None)).unwrap();
    assert_eq!(got.reply.result_status, b"0");
    assert!(got.reply.records.is_empty(), "the records went to the file");
    assert!(got.csv_error.is_none(), "{:?}", got.csv_error);
    let written = std::fs::read(&csv).unwrap();
    assert!(
        written.starts_with(&body[..]),
        "the reply as received: {written:?}"
    );

    // Without a path the records are read.
    let got = pipeline::receive(body, &receive_with(ReplyFormat::Reference, b"", None)).unwrap();
    assert_eq!(got.reply.records.len(), 1);
}

#[test]
fn receive_reports_a_reply_without_result_and_a_csv_it_cannot_write() {
    let got = pipeline::receive(b"<html>", &receive_with(ReplyFormat::Payment, b"", None)).unwrap();
    assert!(!got.answered());
    assert_eq!(got.parse_error.unwrap().code, ErrorCode::KsConnect);

    let body = b"1,0,,\r\n2,a\r\n3,x\r\n4,1\r\n";
    let bad = b"/nonexistent-dir/out.csv";
    let got = pipeline::receive(body, &receive_with(ReplyFormat::Reference, bad, None)).unwrap();
    assert_eq!(got.csv_error.unwrap().kind, ErrorKind::CsvOpen);
}

#[test]
fn receive_gives_up_past_the_deadline() {
    let mut body = b"result=0\r\n".to_vec();
    for i in 0..10_000 {
        body.extend_from_slice(format!("k{i}=v\r\n").as_bytes());
    }
    let past = Instant::now().checked_sub(Duration::from_secs(1));
    let e = pipeline::receive(&body, &receive_with(ReplyFormat::Payment, b"", past)).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Transport { .. }), "{e:?}");
}
