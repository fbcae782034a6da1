//! Every wire fixture of tests/fixtures/ parses to exactly what spec/fixtures/README.md documents
//! (bodies 01–09; the bodies of the .http replies 10–12 too), and the result CSV files have the
//! documented bytes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

mod common;

use std::fs;

use common::*;
use paygent_core::config::CsvMode;
use paygent_core::error::{ErrorCode, ErrorKind};
use paygent_core::reply::{self, Parsed, ReplyFormat};

const COMPAT: CsvMode = CsvMode::Compat;

/// spec/fixtures/README.md "Checksums (sha256)".
const CHECKSUMS: &[(&str, &str)] = &[
    (
        "01_payment_atm_ok.body",
        "77fa5cafc2f30fe828043a809aabcb4d30f6ec71b3dfaae4069fd613dacb1dcc",
    ),
    (
        "02_payment_card_3ds_html.body",
        "1e0bd987bd3f3236aa0f64f57f1649f5f8d2ec607a03cdae9ebe18593ddf3ee1",
    ),
    (
        "03_payment_error_sjis.body",
        "722fdbbd7e4a1e3d8600501ff21d212ea0eae52db21827014b124708d0be27f0",
    ),
    (
        "04_reference_027_quoted.body",
        "b913e709f5a882369c3ae54692a1a6e211b98995eb7f39a24afcfb93b219cf4d",
    ),
    (
        "05_reference_027_embedded_crlf.body",
        "875c6c5586b603376efe8c34888e391627e302fb33199d258b7f03aa447582f0",
    ),
    (
        "06_reference_9003_partial.body",
        "afbdbc81d3ea7c11410362c2021c3ec1d8ac72449898abe6d9fcde9c44618174",
    ),
    (
        "07_file_payment_201_ok.body",
        "0c94304e851ee36bb8a0d4759fbcfb409c58a2c7337ca02bbf9f97e1c3e24d75",
    ),
    (
        "08_file_payment_201_error.body",
        "c0b1a50662b425c38a150936e4826e6d92df7cd773273b0e73ce639a73a9581d",
    ),
    (
        "09_reference_027_error.body",
        "bff0a89ded1186a87666b7c0cda016c8a87d27a25f4b5b550ba0a98956bc4a75",
    ),
    (
        "10_http_200_payment_error.http",
        "4c81cb27e70736b902776bf48ac372959f1904f5de8234c1846570ff39c9a81b",
    ),
    (
        "11_http_500_sjis_body.http",
        "53ddeed7ff26e28e3a200aff91f9c61d4e3743bd9b73c97685c5eedd91ca6a06",
    ),
    (
        "12_http_200_empty_body.http",
        "bfad0510b641effcac360eadf48e1edf2c238c806f227f8344380a55000cb2f8",
    ),
];

fn sha256_hex(data: &[u8]) -> String {
    openssl::sha::sha256(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn fixture_checksums_match_the_readme() {
    for (name, sum) in CHECKSUMS {
        assert_eq!(sha256_hex(&fixture(name)), *sum, "{name}");
    }
    let on_disk = fs::read_dir(fixtures_dir()).unwrap().count();
    assert_eq!(
        on_disk,
        CHECKSUMS.len(),
        "a fixture without a listed checksum"
    );
}

fn assert_getters(p: &Parsed, status: &[u8], code: &[u8], detail: &[u8]) {
    assert_eq!(p.reply.result_status, status, "status");
    assert_eq!(p.reply.response_code, code, "code");
    assert_eq!(p.reply.response_detail, detail, "detail");
}

fn payment(name: &str, full: bool) -> Parsed {
    reply::parse(ReplyFormat::Payment, &fixture(name), full, COMPAT)
}

fn reference(name: &str, full: bool, mode: CsvMode) -> Parsed {
    reply::parse(ReplyFormat::Reference, &fixture(name), full, mode)
}

// ---- payment -------------------------------------------------------------------------------

#[test]
fn f01_payment_atm_ok() {
    let p = payment("01_payment_atm_ok.body", true);
    assert_eq!(p.error, None);
    assert_getters(&p, b"0", b"", b"");
    assert_eq!(p.reply.records.len(), 1);
    assert_eq!(
        entries(&p.reply.records[0]),
        rec(&[
            ("payment_id", b"1234567890"),
            ("trading_id", b"ORDER-0001"),
            ("pay_center_number", b"58091"),
            ("customer_number", b"12345678901234567890"),
            ("conf_number", b"123456"),
            ("payment_limit_date", b"20250131"),
        ])
    );

    let r = payment("01_payment_atm_ok.body", false);
    assert_eq!(r.error, None);
    assert_getters(&r, b"0", b"", b"");
    assert!(r.reply.records.is_empty());
}

#[test]
fn f02_payment_card_3ds_html() {
    let p = payment("02_payment_card_3ds_html.body", true);
    assert_eq!(p.error, None);
    assert_getters(&p, b"0", b"", b"");
    let mut html = b"<HTML>\r\n<BODY onLoad=\"document.f.submit();\">\r\n\
<FORM action=\"https://acs.example.invalid/auth\" name=\"f\" method=\"POST\">\r\n\
<INPUT type=\"hidden\" name=\"PaReq\" value=\"abc=def\">\r\n"
        .to_vec();
    html.extend(sjis("カード会社の認証画面へ移動します。"));
    html.extend_from_slice(b"\r\n</FORM>\r\n</BODY>\r\n</HTML>\r\n");
    assert_eq!(p.reply.records.len(), 1);
    assert_eq!(
        entries(&p.reply.records[0]),
        rec(&[
            ("payment_id", b"2000000001"),
            ("trading_id", b"ORDER-0002"),
            ("out_acs_html", &html)
        ])
    );

    let r = payment("02_payment_card_3ds_html.body", false);
    assert_eq!(r.error, None);
    assert_getters(&r, b"0", b"", b"");
    assert!(r.reply.records.is_empty());
}

const F03_DETAIL: &str = "22 70 61 79 6d 65 6e 74 5f 61 6d 6f 75 6e 74 22 83 70 83 89 83 81 81 5b \
83 5e 82 cc 92 6c 82 cd 95 73 90 b3 82 c8 92 6c 82 c5 82 b7 81 42";

#[test]
fn f03_payment_error_sjis() {
    let p = payment("03_payment_error_sjis.body", true);
    assert_eq!(p.error, None, "result=1 is not a module error");
    let detail = hex(F03_DETAIL);
    assert_eq!(
        detail,
        sjis("\"payment_amount\"パラメータの値は不正な値です。")
    );
    assert_getters(&p, b"1", b"P010", &detail);
    assert_eq!(p.reply.records.len(), 1);
    assert_eq!(
        entries(&p.reply.records[0]),
        rec(&[("payment_id", b""), ("trading_id", b"ORDER-0003")])
    );

    let r = payment("03_payment_error_sjis.body", false);
    assert_getters(&r, b"1", b"P010", &detail);
    assert!(r.reply.records.is_empty());
}

// ---- reference -----------------------------------------------------------------------------

#[test]
fn f04_reference_027_quoted() {
    let p = reference("04_reference_027_quoted.body", true, COMPAT);
    assert_eq!(p.error, None);
    assert_getters(&p, b"0", b"", b"");
    let katakana = hex("c3 bd c4 b6 b0 c4 de");
    assert_eq!(katakana, sjis("ﾃｽﾄｶｰﾄﾞ"));
    let expected = [
        rec(&[
            ("customer_id", b"CUST_01"),
            ("customer_card_id", b"1"),
            ("card_number", b"************1111"),
            ("card_valid_term", b"1227"),
            ("cardholder_name", b"TARO YAMADA"),
            ("add_info1", b"note, with comma"),
            ("issur_name", &katakana),
        ]),
        rec(&[
            ("customer_id", b"CUST_01"),
            ("customer_card_id", b"2"),
            ("card_number", b"************2222"),
            ("card_valid_term", b"0128"),
            ("cardholder_name", b"HANAKO \"HANA\" SATO"),
            ("add_info1", b""),
            ("issur_name", &sjis("ｻﾝﾌﾟﾙｶｰﾄﾞ")),
        ]),
        rec(&[
            ("customer_id", b"CUST_01"),
            ("customer_card_id", b"3"),
            ("card_number", b"************3333"),
            ("card_valid_term", b"0529"),
            ("cardholder_name", b""),
            ("add_info1", &sjis("日本語の補足,情報")),
            ("issur_name", b""),
        ]),
    ];
    let got: Vec<_> = p.reply.records.iter().map(entries).collect();
    assert_eq!(got, expected);

    // the same in RFC 4180 mode: nothing in this body differs
    assert_eq!(
        reference("04_reference_027_quoted.body", true, CsvMode::Rfc4180),
        p
    );
}

#[test]
fn f04_with_result_csv_is_body_plus_crlf() {
    let dir = temp_dir("f04");
    let csv = dir.path().join("result.csv");
    let body = fixture("04_reference_027_quoted.body");
    let (p, err) = receive(ReplyFormat::Reference, &body, Some(&csv), COMPAT);
    assert_eq!((p.error.clone(), err), (None, None));
    assert_getters(&p, b"0", b"", b"");
    assert!(p.reply.records.is_empty());
    let written = fs::read(&csv).unwrap();
    assert_eq!(written.len(), 381);
    assert!(written.ends_with(b"\"4\",\"3\"\r\n\r\n"));
    assert_eq!(written, [body.as_slice(), b"\r\n"].concat());
}

#[test]
fn f05_embedded_crlf_compat_cuts_the_value() {
    let p = reference("05_reference_027_embedded_crlf.body", true, COMPAT);
    assert_eq!(p.error, None);
    assert_getters(&p, b"0", b"", b"");
    let got: Vec<_> = p.reply.records.iter().map(entries).collect();
    assert_eq!(
        got,
        [rec(&[
            ("customer_id", b"CUST_02"),
            ("customer_card_id", b"1"),
            ("add_info1", b"first line")
        ])]
    );
}

#[test]
fn f05_embedded_crlf_rfc4180_keeps_the_value() {
    let p = reference(
        "05_reference_027_embedded_crlf.body",
        true,
        CsvMode::Rfc4180,
    );
    assert_eq!(p.error, None);
    assert_getters(&p, b"0", b"", b"");
    let got: Vec<_> = p.reply.records.iter().map(entries).collect();
    assert_eq!(
        got,
        [rec(&[
            ("customer_id", b"CUST_02"),
            ("customer_card_id", b"1"),
            ("add_info1", b"first line\r\nsecond line"),
        ])]
    );
}

#[test]
fn f05_with_result_csv() {
    let dir = temp_dir("f05");
    let csv = dir.path().join("result.csv");
    let body = fixture("05_reference_027_embedded_crlf.body");
    let (p, err) = receive(ReplyFormat::Reference, &body, Some(&csv), COMPAT);
    assert_eq!((p.error.clone(), err), (None, None));
    assert!(p.reply.records.is_empty());
    let written = fs::read(&csv).unwrap();
    assert_eq!(written.len(), 121);
    assert_eq!(written, [body.as_slice(), b"\r\n"].concat());
}

const F06_DETAIL: &str =
    "8f c6 89 ef 8c 8f 90 94 82 aa 8f e3 8c c0 82 f0 92 b4 82 a6 82 dc 82 b5 82 bd 81 42";

#[test]
fn f06_9003_full_parse_gives_partial_records() {
    let p = reference("06_reference_9003_partial.body", true, COMPAT);
    assert_eq!(p.error, None);
    assert_eq!(hex(F06_DETAIL), sjis("照会件数が上限を超えました。"));
    assert_getters(&p, b"1", b"9003", &hex(F06_DETAIL));
    let got: Vec<_> = p.reply.records.iter().map(entries).collect();
    assert_eq!(
        got,
        [
            rec(&[
                ("payment_id", b"3000000001"),
                ("trading_id", b"ORD-1"),
                ("payment_status", b"20"),
                ("payment_amount", b"1000"),
            ]),
            rec(&[
                ("payment_id", b"3000000002"),
                ("trading_id", b"ORD-2"),
                ("payment_status", b"40"),
                ("payment_amount", b"2500"),
            ]),
        ]
    );
}

#[test]
fn f06_9003_with_result_csv_is_written() {
    let dir = temp_dir("f06");
    let csv = dir.path().join("result.csv");
    let body = fixture("06_reference_9003_partial.body");
    let (p, err) = receive(ReplyFormat::Reference, &body, Some(&csv), COMPAT);
    assert_eq!((p.error.clone(), err), (None, None));
    assert_getters(&p, b"1", b"9003", &hex(F06_DETAIL));
    assert!(p.reply.records.is_empty());
    let written = fs::read(&csv).unwrap();
    assert_eq!(written.len(), 199);
    assert_eq!(written, [body.as_slice(), b"\r\n"].concat());

    // any other code with result 1: no file, still no error
    fs::remove_file(&csv).unwrap();
    let i = body
        .windows(4)
        .position(|w| w == b"9003")
        .expect("9003 in fixture 06");
    let other = [&body[..i], b"P026", &body[i + 4..]].concat();
    let (p, err) = receive(ReplyFormat::Reference, &other, Some(&csv), COMPAT);
    assert_eq!((p.error.clone(), err), (None, None));
    assert_eq!(p.reply.response_code, b"P026");
    assert!(!csv.exists());
}

#[test]
fn f09_reference_error_header_and_trailer() {
    let p = reference("09_reference_027_error.body", true, COMPAT);
    assert_eq!(p.error, None);
    let detail = sjis("指定した顧客ID、顧客カードIDのカード情報はありません。");
    assert_getters(&p, b"1", b"P026", &detail);
    assert!(p.reply.records.is_empty());

    let r = reference("09_reference_027_error.body", false, COMPAT);
    assert_eq!(r, p);
}

#[test]
fn f09_with_result_csv_writes_nothing() {
    let dir = temp_dir("f09");
    let csv = dir.path().join("result.csv");
    let (p, err) = receive(
        ReplyFormat::Reference,
        &fixture("09_reference_027_error.body"),
        Some(&csv),
        COMPAT,
    );
    assert_eq!((p.error.clone(), err), (None, None));
    assert_eq!(p.reply.result_status, b"1");
    assert!(!csv.exists());
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no temp file left either"
    );
}

// ---- file payment --------------------------------------------------------------------------

#[test]
fn f07_file_payment_ok() {
    let dir = temp_dir("f07");
    let csv = dir.path().join("result.csv");
    let body = fixture("07_file_payment_201_ok.body");
    let (p, err) = receive(ReplyFormat::FilePayment, &body, Some(&csv), COMPAT);
    assert_eq!((p.error.clone(), err), (None, None));
    assert_getters(&p, b"0", b"", b"");
    assert!(p.reply.records.is_empty());
    let written = fs::read(&csv).unwrap();
    assert_eq!(written.len(), 105);
    assert_eq!(written, body);
}

const F08_DETAIL: &str = "22 8e 77 92 e8 82 b3 82 ea 82 bd 8e f3 95 74 94 d4 8d 86 82 cc 83 74 83 40 \
83 43 83 8b 8c 88 8d cf 82 cd 8f 88 97 9d 92 86 82 c5 82 b7 81 42 22";

#[test]
fn f08_file_payment_error_keeps_quotes_and_still_writes() {
    let dir = temp_dir("f08");
    let csv = dir.path().join("result.csv");
    let body = fixture("08_file_payment_201_error.body");
    let (p, err) = receive(ReplyFormat::FilePayment, &body, Some(&csv), COMPAT);
    assert_eq!((p.error.clone(), err), (None, None));
    assert_eq!(
        hex(F08_DETAIL),
        sjis("\"指定された受付番号のファイル決済は処理中です。\"")
    );
    assert_getters(&p, b"1", b"9103", &hex(F08_DETAIL));
    assert!(p.reply.records.is_empty());
    let written = fs::read(&csv).unwrap();
    assert_eq!(written.len(), 73);
    assert_eq!(written, body);
}

// ---- the bodies of the full HTTP replies ---------------------------------------------------

fn http_body(name: &str) -> Vec<u8> {
    let raw = fixture(name);
    let at = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    raw[at + 4..].to_vec()
}

#[test]
fn f10_body_is_fixture_03() {
    let body = http_body("10_http_200_payment_error.http");
    assert_eq!(body.len(), 130);
    assert_eq!(body, fixture("03_payment_error_sjis.body"));
}

#[test]
fn f11_body_as_the_original_parsed_it() {
    // R refuses status 500 before parsing; this is the parser's O result (status "1")
    let p = reply::parse(
        ReplyFormat::Payment,
        &http_body("11_http_500_sjis_body.http"),
        true,
        COMPAT,
    );
    assert_eq!(p.error, None);
    assert_getters(&p, b"1", b"", &sjis("内部エラー"));
    assert!(p.reply.records.is_empty());
}

#[test]
fn f12_empty_body_is_result_missing_without_record() {
    let body = http_body("12_http_200_empty_body.http");
    assert!(body.is_empty());
    let p = reply::parse(ReplyFormat::Payment, &body, true, COMPAT);
    let e = p.error.clone().unwrap();
    assert_eq!(
        (e.code, e.kind),
        (ErrorCode::KsConnect, ErrorKind::ResultMissing)
    );
    assert_getters(&p, b"", b"", b"");
    assert!(p.reply.records.is_empty());
}
