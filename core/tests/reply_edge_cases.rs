//! protocol.md §10 cases 48–70 as far as the parsers and the result CSV writer decide them
//! (the fixture-only ones are in fixtures.rs; the whole pipeline runs in the conformance cases).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

mod common;

use std::path::Path;

use common::*;
use paygent_core::Dialect;
use paygent_core::config::CsvMode;
use paygent_core::error::{ErrorCode, ErrorKind};
use paygent_core::reply::{self, Parsed, ReplyFormat};

fn payment(body: &[u8]) -> Parsed {
    reply::parse(ReplyFormat::Payment, body, true, CsvMode::Compat)
}

fn reference(body: &[u8]) -> Parsed {
    reply::parse(ReplyFormat::Reference, body, true, CsvMode::Compat)
}

fn warning(p: &Parsed) -> String {
    let e = p.error.as_ref().expect("a parse error");
    String::from_utf8(e.warning_text(Dialect::Php)).unwrap()
}

#[test]
fn c51_value_keeps_later_equals() {
    let p = payment(b"result=0\r\nk=a=b=c\r\n");
    assert_eq!(p.error, None);
    assert_eq!(
        p.reply.records.iter().map(entries).collect::<Vec<_>>(),
        [rec(&[("k", b"a=b=c")])]
    );
}

#[test]
fn c52_duplicates_last_wins() {
    let p = payment(b"result=0\r\nk=1\r\nk=2\r\nresult=1\r\n");
    assert_eq!(p.error, None);
    assert_eq!(p.reply.result_status, b"1");
    assert_eq!(
        p.reply.records.iter().map(entries).collect::<Vec<_>>(),
        [rec(&[("k", b"2")])]
    );
}

#[test]
fn c53_no_result_line() {
    let p = payment(b"payment_id=1\r\n");
    assert_eq!(warning(&p), "E02005: resultStatus is Nothing.");
    // the message is built from the (empty) code and detail: ": "
    assert_eq!(p.error.as_ref().unwrap().result_message(Dialect::Php), None);
    assert_eq!(
        (
            p.reply.response_code.as_slice(),
            p.reply.response_detail.as_slice()
        ),
        (&b""[..], &b""[..])
    );
    assert_eq!(p.reply.records.len(), 1);
}

#[test]
fn c54_html_first_swallows_result() {
    let p = payment(b"x_html=\r\nresult=0\r\n");
    assert_eq!(p.error.as_ref().unwrap().code, ErrorCode::KsConnect);
    assert_eq!(
        p.reply.records.iter().map(entries).collect::<Vec<_>>(),
        [rec(&[("x_html", b"result=0\r\n")])]
    );
}

#[test]
fn c55_two_html_keys() {
    let p = payment(b"result=0\r\na_html=\r\n<p>1</p>\r\nb_html=\r\n<p>2</p>\r\n");
    assert_eq!(p.error, None);
    assert_eq!(
        p.reply.records.iter().map(entries).collect::<Vec<_>>(),
        [rec(&[("b_html", b"<p>1</p>\r\n<p>2</p>\r\n")])]
    );
}

#[test]
fn c56_upper_case_html_is_an_ordinary_key() {
    let p = payment(b"result=0\r\nx_HTML=\r\n<p>\r\n</p>\r\n");
    assert_eq!(p.error, None);
    assert_eq!(
        p.reply.records.iter().map(entries).collect::<Vec<_>>(),
        [rec(&[("x_HTML", b"")])]
    );
}

#[test]
fn c57_lf_only_body() {
    let p = payment(b"result=0\nk=v\n");
    assert_eq!(p.error, None);
    assert_eq!(p.reply.result_status, b"0\nk=v\n");
    assert!(p.reply.records.is_empty());
}

#[test]
fn c60_short_data_row() {
    let p =
        reference(b"\"1\",\"0\",\"\",\"\"\r\n\"2\",\"a\",\"b\"\r\n\"3\",\"x\"\r\n\"4\",\"1\"\r\n");
    assert_eq!(
        warning(&p),
        "E01901: Not Mutch DataHeaderCount=2 DataItemCount:1"
    );
    assert_eq!(
        p.error.as_ref().unwrap().kind,
        ErrorKind::ColumnMismatch {
            header: 2,
            items: 1
        }
    );
    assert_eq!(p.reply.result_status, b"0");
    assert_eq!(p.error.as_ref().unwrap().result_message(Dialect::Php), None);
}

#[test]
fn c61_data_row_before_data_header() {
    let p = reference(b"\"1\",\"0\",\"\",\"\"\r\n\"3\",\"x\"\r\n");
    assert_eq!(
        warning(&p),
        "E01901: Not Mutch DataHeaderCount=0 DataItemCount:1"
    );
    let p = reference(b"\"1\",\"0\",\"\",\"\"\r\n\"3\"\r\n\"4\",\"0\"\r\n");
    assert_eq!(p.error, None);
    assert!(p.reply.records.is_empty());
}

#[test]
fn c61_result_only_never_mismatches() {
    let body = b"\"1\",\"0\",\"\",\"\"\r\n\"3\",\"x\"\r\n";
    let p = reply::parse(ReplyFormat::Reference, body, false, CsvMode::Compat);
    assert_eq!(p.error, None);
    assert_eq!(p.reply.result_status, b"0");
}

#[test]
fn c63_no_header_line() {
    let p = reference(b"\"2\",\"a\"\r\n\"3\",\"x\"\r\n\"4\",\"1\"\r\n");
    assert_eq!(warning(&p), "E02005: resultStatus is Nothing.");
}

#[test]
fn c67_unwritable_csv_path() {
    let body = fixture("04_reference_027_quoted.body");
    let (p, err) = receive(
        ReplyFormat::Reference,
        &body,
        Some(Path::new("/nonexistent/dir/x.csv")),
        CsvMode::Compat,
    );
    assert_eq!(p.error, None);
    assert_eq!(p.reply.result_status, b"0");
    let e = err.expect("CSV error");
    assert_eq!(
        (e.code, e.kind.clone()),
        (ErrorCode::CsvOutput, ErrorKind::CsvOpen)
    );
    assert_eq!(
        e.warning_text(Dialect::Php),
        b"E01004: Failed to open CSV file."
    );
    assert_eq!(
        e.result_message(Dialect::Php),
        None,
        "message stays code: detail"
    );
}

#[test]
fn c67_parse_error_writes_no_csv() {
    let dir = temp_dir("c67");
    let csv = dir.path().join("result.csv");
    let (p, err) = receive(
        ReplyFormat::Reference,
        b"\"2\",\"a\"\r\n",
        Some(&csv),
        CsvMode::Compat,
    );
    assert_eq!(p.error.unwrap().kind, ErrorKind::ResultMissing);
    assert_eq!(err, None);
    assert!(!csv.exists());
}

#[test]
fn c70_short_file_payment_header() {
    let p = reply::parse(
        ReplyFormat::FilePayment,
        b"1,024,111111,999,20100401,20100401\r\n",
        false,
        CsvMode::Compat,
    );
    assert_eq!(warning(&p), "E02005: resultStatus is Nothing.");
    assert!(p.reply.records.is_empty());
}
