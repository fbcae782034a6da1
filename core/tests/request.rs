//! protocol.md §10 cases 1–36 as far as the configuration and the request pipeline show them:
//! the `init()` result, `request::prepare`'s error or its exact form body, and what stays on
//! the object. Transport and reply parsing are not involved.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

mod common;

use common::temp_dir;
use paygent_core::charset::{ReplyCharset, convert_reply};
use paygent_core::config::{self, Config, properties, urls};
use paygent_core::error::{Dialect, ErrorCode, ErrorKind};
use paygent_core::params::Params;
use paygent_core::reply::ReplyFormat;
use paygent_core::request::{self, Encoding, ObjectSettings, Prepared};
use paygent_core::{Error, Module};

/// The shipped shape (§3.2) with the sandbox utf8 list and the §3.5 keys.
const SHIPPED: &str = "<?php\n\
# connection module settings\n\
paygentB2Bmodule.client_file_path=/kit/client.pem\n\
paygentB2Bmodule.ca_file_path=/kit/curl-ca-bundle.crt\n\
paygentB2Bmodule.proxy_server_name=\n\
paygentB2Bmodule.proxy_server_ip=\n\
paygentB2Bmodule.proxy_server_port=\n\
paygentB2Bmodule.default_id=dflt_id\n\
paygentB2Bmodule.default_password=dflt_pw\n\
paygentB2Bmodule.timeout_value=35\n\
paygentB2Bmodule.log_output_path=/tmp/paygent.log\n\
paygentB2Bmodule.debug_flg=0\n\
paygentB2Bmodule.select_max_cnt=2000\n\
paygentB2Bmodule.telegram_kind.ref=027,090\n\
paygentB2Bmodule.telegram_kind.utf8=098,380,410,411,412,413,414,415,416,417,418,450\n\
paygentB2Bmodule.url.01=https://module.paygent.co.jp/n/atm/request\n\
paygentB2Bmodule.url.02=https://module.paygent.co.jp/n/card/request\n\
paygentB2Bmodule.url.09=https://module.paygent.co.jp/n/ref/request\n\
paygentB2Bmodule.url.091=https://module.paygent.co.jp/n/ref/paynotice\n\
paygentB2Bmodule.url.20=https://online.paygent.co.jp/n/o/requestdata\n\
paygentB2Bmodule.url.45=https://module.paygent.co.jp/n/threeds/request\n\
?>\n";

const CARD_URL: &[u8] = b"https://module.paygent.co.jp/n/card/request";

/// `SHIPPED` with lines replaced (same key) or added; `key=None` deletes the line.
fn text(changes: &[(&str, Option<&str>)]) -> String {
    let mut out = String::new();
    for line in SHIPPED.lines() {
        let key = line.split('=').next().unwrap_or_default();
        match changes.iter().find(|(k, _)| *k == key) {
            Some((_, Some(v))) => out += &format!("{key}={v}\n"),
            Some((_, None)) => {}
            None => out += &format!("{line}\n"),
        }
    }
    for (k, v) in changes {
        if let (false, Some(v)) = (SHIPPED.contains(&format!("\n{k}=")), v) {
            out = out.replace("?>\n", &format!("{k}={v}\n?>\n"));
        }
    }
    out
}

fn init(changes: &[(&str, Option<&str>)]) -> Result<Config, Error> {
    config::parse_php_properties(text(changes).as_bytes())
}

fn shipped() -> Config {
    init(&[]).unwrap()
}

/// What `init()` copies into the object.
fn instance(c: &Config) -> ObjectSettings {
    ObjectSettings {
        default_id: c.default_id.clone(),
        default_password: c.default_password.clone(),
        timeout: c.timeout_value.clone(),
        select_max_cnt: c.select_max_cnt.clone(),
        ..ObjectSettings::default()
    }
}

fn params(pairs: &[(&[u8], &[u8])]) -> Params {
    let mut p = Params::new();
    for (k, v) in pairs {
        p.put(k, v);
    }
    p
}

fn prepare(pairs: &[(&[u8], &[u8])]) -> Result<Prepared, Error> {
    let c = shipped();
    request::prepare(&mut params(pairs), &instance(&c), &c)
}

fn body(pairs: &[(&[u8], &[u8])]) -> String {
    String::from_utf8(prepare(pairs).unwrap().body).unwrap()
}

/// The code and `getResultMessage()` of a failure.
fn failure(r: Result<Prepared, Error>) -> (ErrorCode, String) {
    let e = r.expect_err("prepare must fail");
    let msg = e.result_message(Dialect::Php).unwrap();
    (e.code, String::from_utf8(msg).unwrap())
}

fn sjis(s: &str) -> Vec<u8> {
    let (b, _, bad) = encoding_rs::SHIFT_JIS.encode(s);
    assert!(!bad);
    b.into_owned()
}

// ---- Configuration / init ------------------------------------------------------------------

#[test]
fn case_01_missing_properties_file_is_e01001() {
    let e = config::load_php_properties(&temp_dir("c01").path().join("absent.php")).unwrap_err();
    assert_eq!(e.code, ErrorCode::ResourceFileNotFound);
    assert_eq!(
        e.warning_text(Dialect::Php),
        b"E01001: Properties file doesn't exist."
    );
}

#[test]
fn case_01_a_present_file_loads() {
    let dir = temp_dir("c01b");
    let path = dir.path().join("modenv_properties.php");
    std::fs::write(&path, SHIPPED).unwrap();
    assert_eq!(
        config::load_php_properties(&path).unwrap().timeout_value,
        b"35"
    );
}

#[test]
fn case_02_invalid_configurations_are_e01002() {
    let variants: [&[(&str, Option<&str>)]; 6] = [
        &[("paygentB2Bmodule.timeout_value", None)],
        &[("paygentB2Bmodule.log_output_path", None)],
        &[("paygentB2Bmodule.ca_file_path", Some(""))],
        &[("paygentB2Bmodule.timeout_value", Some("35s"))],
        &[("paygentB2Bmodule.proxy_server_port", Some("80a"))],
        &[("paygentB2Bmodule.url.99", Some(""))],
    ];
    for v in variants {
        let e = init(v).expect_err(&format!("{v:?}"));
        assert_eq!(e.code, ErrorCode::ResourceFileRequired, "{v:?}");
        assert_eq!(
            e.warning_text(Dialect::Php),
            b"E01002: Properties file contains inappropriate value."
        );
    }
}

#[test]
fn case_03_empty_log_path_means_no_log() {
    let c = init(&[("paygentB2Bmodule.log_output_path", Some(""))]).unwrap();
    assert!(c.log_output_path.is_empty());
    assert!(paygent_core::log::Logger::new(&c.log_output_path, "C").is_none());
}

#[test]
fn case_04_exponent_timeout_is_ten_seconds() {
    let c = init(&[("paygentB2Bmodule.timeout_value", Some("1e1"))]).unwrap();
    let p = request::prepare(
        &mut params(&[(b"telegram_kind", b"020")]),
        &instance(&c),
        &c,
    )
    .unwrap();
    assert_eq!(p.timeout_secs, 10.0);
}

#[test]
fn case_05_zero_timeout_fails_at_post() {
    let c = init(&[("paygentB2Bmodule.timeout_value", Some("0"))]).unwrap();
    let r = request::prepare(
        &mut params(&[(b"telegram_kind", b"020")]),
        &instance(&c),
        &c,
    );
    assert_eq!(
        failure(r),
        (
            ErrorCode::ModuleParamRequired,
            "E02001: Error in indespensable HTTP request value.".into()
        )
    );
}

#[test]
fn case_06_backslash_n_cut_only_in_compat_mode() {
    let path = r"C:\paygent\new\c.pem";
    let c = init(&[("paygentB2Bmodule.client_file_path", Some(path))]).unwrap();
    assert_eq!(c.client_file_path, path.as_bytes());
    let c = init(&[
        ("paygentB2Bmodule.client_file_path", Some(path)),
        ("paygentB2Bmodule.compat", Some("escape_truncation")),
    ])
    .unwrap();
    assert_eq!(c.client_file_path, br"C:\paygent");
}

#[test]
fn case_07_non_property_lines_are_ignored() {
    let p = properties::parse(b"<?php\n?>\n# x\nfoo : bar\n! x=1\n", false);
    assert_eq!(p.iter().collect::<Vec<_>>(), vec![(&b"! x"[..], &b"1"[..])]);
    // The same lines inside a real file do not disturb validation.
    let t = text(&[]).replace("?>\n", "# x\nfoo : bar\n! x=1\n?>\n");
    assert!(config::parse_php_properties(t.as_bytes()).is_ok());
}

#[test]
fn case_08_without_ref_list_027_is_a_payment_kind() {
    let c = init(&[("paygentB2Bmodule.telegram_kind.ref", None)]).unwrap();
    assert!(!c.is_ref_kind(b"027"));
    assert_eq!(ReplyFormat::for_kind(b"027", &c), ReplyFormat::Payment);
    let p = request::prepare(
        &mut params(&[(b"telegram_kind", b"027")]),
        &instance(&c),
        &c,
    )
    .unwrap();
    assert!(!String::from_utf8(p.body).unwrap().contains("limit_count"));
    assert_eq!(
        ReplyFormat::for_kind(b"027", &shipped()),
        ReplyFormat::Reference
    );
}

// ---- Validation --------------------------------------------------------------------------

const E02003: &str = "E02003: HTTP request contains unexpected value.";

#[test]
fn case_09_missing_kind() {
    assert_eq!(
        failure(prepare(&[(b"trading_id", b"T1")])),
        (ErrorCode::TelegramParamOutside, E02003.into())
    );
}

#[test]
fn case_10_blank_kind() {
    assert_eq!(
        failure(prepare(&[(b"telegram_kind", b" ")])).0,
        ErrorCode::TelegramParamOutside
    );
    assert_eq!(
        failure(prepare(&[(b"telegram_kind", b"")])).0,
        ErrorCode::TelegramParamOutside
    );
}

#[test]
fn case_11_12_unknown_kind_is_e02003() {
    for kind in [&b"999"[..], b"9"] {
        assert_eq!(
            failure(prepare(&[(b"telegram_kind", kind)])),
            (ErrorCode::TelegramParamOutside, E02003.into())
        );
    }
}

#[test]
fn case_13_long_kind_uses_two_character_prefix() {
    let c = init(&[]).unwrap();
    let p = request::prepare(
        &mut params(&[(b"telegram_kind", b"0155")]),
        &instance(&c),
        &c,
    )
    .unwrap();
    assert_eq!(p.url, b"https://module.paygent.co.jp/n/atm/request");
}

#[test]
fn case_14_key_length_limit_8190() {
    let ok = vec![b'k'; 8190];
    assert!(prepare(&[(b"telegram_kind", b"020"), (&ok, b"v")]).is_ok());
    let long = vec![b'k'; 8191];
    assert_eq!(
        failure(prepare(&[(b"telegram_kind", b"020"), (&long, b"v")])),
        (
            ErrorCode::TelegramParamRequired,
            "E02002: HTTP request key must be shorter than 8190 bytes.".into()
        )
    );
}

#[test]
fn case_15_value_length_limit_102400() {
    let c = init(&[("paygentB2Bmodule.compat", Some("no_length_check"))]).unwrap();
    let run = |v: &[u8]| {
        request::prepare(
            &mut params(&[(b"telegram_kind", b"020"), (b"v", v)]),
            &instance(&c),
            &c,
        )
    };
    assert!(run(&vec![b'a'; 102_400]).is_ok());
    assert_eq!(
        failure(run(&vec![b'a'; 102_401])),
        (
            ErrorCode::TelegramParamRequired,
            "E02002: HTTP request value must be shorter than 102400 bytes.".into()
        )
    );
    // Blank values are not measured.
    assert!(run(&vec![b' '; 200_000]).is_ok());
    // With the default total-length check a 102400-byte value makes the telegram too long.
    let r = prepare(&[(b"telegram_kind", b"020"), (b"v", &vec![b'a'; 102_400])]);
    assert_eq!(
        failure(r).1,
        "E02002: The number of HTTP request telegram must be smaller than 102400."
    );
}

#[test]
fn case_16_data_is_not_length_checked_per_value() {
    let data = vec![b'd'; 5 * 1024 * 1024];
    let p = prepare(&[(b"telegram_kind", b"200"), (b"data", &data)]).unwrap();
    let mut want = b"telegram_kind=200&data=".to_vec();
    want.extend_from_slice(&data);
    assert!(p.body.starts_with(&want));
    // Past 10 MB the total-length check speaks.
    let data = vec![b'd'; 10 * 1024 * 1024];
    let r = prepare(&[(b"telegram_kind", b"200"), (b"data", &data)]);
    assert_eq!(
        failure(r).1,
        "E02002: The number of HTTP request telegram must be smaller than 10MB."
    );
}

#[test]
fn case_17_empty_key() {
    assert_eq!(
        failure(prepare(&[(b"telegram_kind", b"020"), (b"", b"x")])),
        (
            ErrorCode::TelegramParamRequired,
            "E02002: HTTP request key must be null.".into()
        )
    );
}

#[test]
fn case_18_19_result_csv_rules() {
    let c = shipped();
    let mut inst = instance(&c);
    inst.result_csv = b"result.csv".to_vec();
    let r = request::prepare(&mut params(&[(b"telegram_kind", b"010")]), &inst, &c);
    assert_eq!(
        failure(r),
        (
            ErrorCode::ResponseType,
            "E02007: CVS file name error.".into()
        )
    );
    assert!(request::prepare(&mut params(&[(b"telegram_kind", b"027")]), &inst, &c).is_ok());
    assert!(request::prepare(&mut params(&[(b"telegram_kind", b"201")]), &inst, &c).is_ok());
    let r = prepare(&[(b"telegram_kind", b"201")]);
    assert_eq!(failure(r).0, ErrorCode::ResponseType);
    // Exact comparison (decisions.md 7): "0201" is not 201, so a CSV is not allowed for it.
    let r = request::prepare(&mut params(&[(b"telegram_kind", b"0201")]), &inst, &c);
    assert_eq!(failure(r).0, ErrorCode::ResponseType);
}

#[test]
fn case_20_zero_select_max_cnt_or_timeout_first() {
    let c = shipped();
    let mut inst = instance(&c);
    inst.select_max_cnt = b"0".to_vec();
    let r = request::prepare(&mut params(&[(b"telegram_kind", b"020")]), &inst, &c);
    assert_eq!(failure(r).0, ErrorCode::ModuleParamRequired);
    let mut inst = instance(&c);
    inst.timeout = b"0".to_vec();
    let r = request::prepare(&mut params(&[(b"trading_id", b"T")]), &inst, &c);
    assert_eq!(failure(r).0, ErrorCode::ModuleParamRequired);
    inst.timeout = b"abc".to_vec();
    let r = request::prepare(&mut params(&[(b"telegram_kind", b"020")]), &inst, &c);
    assert_eq!(failure(r).0, ErrorCode::ModuleParamRequired);
}

#[test]
fn case_21_total_length_is_enforced() {
    let v = vec![b'a'; 60_000];
    let r = prepare(&[(b"telegram_kind", b"020"), (b"a", &v), (b"b", &v)]);
    assert_eq!(
        failure(r),
        (
            ErrorCode::TelegramParamRequired,
            "E02002: The number of HTTP request telegram must be smaller than 102400.".into()
        )
    );
    let c = init(&[("paygentB2Bmodule.compat", Some("no_length_check"))]).unwrap();
    let mut p = params(&[(b"telegram_kind", b"020"), (b"a", &v), (b"b", &v)]);
    assert!(request::prepare(&mut p, &instance(&c), &c).is_ok());
}

#[test]
fn total_length_boundary_counts_url_question_mark_and_ampersands() {
    let c = shipped();
    let inst = instance(&c);
    let fixed = CARD_URL.len()
        + 1
        + "telegram_kind=020&connect_id=dflt_id&connect_password=dflt_pw&v=".len();
    let run = |n: usize| {
        let v = vec![b'a'; n];
        request::prepare(
            &mut params(&[(b"telegram_kind", b"020"), (b"v", &v)]),
            &inst,
            &c,
        )
    };
    assert!(run(102_400 - fixed).is_ok());
    assert!(run(102_400 - fixed + 1).is_err());
}

// ---- Defaults, body construction ---------------------------------------------------------

#[test]
fn case_22_defaults_appended_after_caller_parameters() {
    let mut p = params(&[(b"telegram_kind", b"020"), (b"trading_id", b"T1")]);
    let c = shipped();
    let prepared = request::prepare(&mut p, &instance(&c), &c).unwrap();
    assert_eq!(
        prepared.body,
        b"telegram_kind=020&trading_id=T1&connect_id=dflt_id&connect_password=dflt_pw"
    );
    assert_eq!(prepared.url, CARD_URL);
    // The defaults persist on the object (§10 #73).
    assert_eq!(p.get(b"connect_id"), Some(&b"dflt_id"[..]));
}

#[test]
fn case_23_explicit_empty_connect_id_is_kept() {
    assert_eq!(
        body(&[(b"telegram_kind", b"020"), (b"connect_id", b"")]),
        "telegram_kind=020&connect_id=&connect_password=dflt_pw"
    );
}

#[test]
fn case_24_limit_count_only_for_reference_kinds() {
    assert_eq!(
        body(&[(b"telegram_kind", b"027")]),
        "telegram_kind=027&connect_id=dflt_id&connect_password=dflt_pw&limit_count=2000"
    );
    assert_eq!(
        body(&[(b"telegram_kind", b"010")]),
        "telegram_kind=010&connect_id=dflt_id&connect_password=dflt_pw"
    );
    // Exact comparison (decisions.md 7).
    assert!(!body(&[(b"telegram_kind", b"0270")]).contains("limit_count"));
    assert!(
        body(&[(b"telegram_kind", b"027"), (b"limit_count", b"5")])
            .ends_with("&limit_count=5&connect_id=dflt_id&connect_password=dflt_pw")
    );
}

#[test]
fn case_25_zero_is_sent_as_zero() {
    assert!(body(&[(b"telegram_kind", b"020"), (b"amount", b"0")]).contains("&amount=0&"));
}

#[test]
fn case_26_send_file_becomes_last_data_pair() {
    let dir = temp_dir("c26");
    let file = dir.path().join("send.csv");
    std::fs::write(&file, b"a,b\r\n\x82\xa0").unwrap();
    let c = shipped();
    let mut inst = instance(&c);
    inst.send_file_path = file.to_str().unwrap().as_bytes().to_vec();
    let mut p = params(&[(b"telegram_kind", b"200")]);
    let prepared = request::prepare(&mut p, &inst, &c).unwrap();
    assert_eq!(
        prepared.body,
        b"telegram_kind=200&connect_id=dflt_id&connect_password=dflt_pw&data=a%2Cb%0D%0A%82%A0"
    );
    assert_eq!(
        prepared.url,
        b"https://online.paygent.co.jp/n/o/requestdata"
    );
    assert_eq!(p.get(b"data"), Some(&b"a,b\r\n\x82\xa0"[..]));
}

#[test]
fn case_27_missing_send_file_is_e01005() {
    let c = shipped();
    let mut inst = instance(&c);
    let dir = temp_dir("c27");
    inst.send_file_path = dir
        .path()
        .join("absent.csv")
        .to_str()
        .unwrap()
        .as_bytes()
        .to_vec();
    let r = request::prepare(&mut params(&[(b"telegram_kind", b"200")]), &inst, &c);
    assert_eq!(
        failure(r),
        (
            ErrorCode::FilePayment,
            "E01005: Send file not found.".into()
        )
    );
    // A directory cannot be read.
    inst.send_file_path = dir.path().to_str().unwrap().as_bytes().to_vec();
    let r = request::prepare(&mut params(&[(b"telegram_kind", b"200")]), &inst, &c);
    assert_eq!(
        failure(r),
        (
            ErrorCode::FilePayment,
            "E01005: Send file I/O error.".into()
        )
    );
    // Compatibility switch: send without data.
    let c = init(&[("paygentB2Bmodule.compat", Some("ignore_missing_send_file"))]).unwrap();
    inst.send_file_path = dir
        .path()
        .join("absent.csv")
        .to_str()
        .unwrap()
        .as_bytes()
        .to_vec();
    let p = request::prepare(&mut params(&[(b"telegram_kind", b"200")]), &inst, &c).unwrap();
    assert!(!String::from_utf8(p.body).unwrap().contains("data="));
}

#[test]
fn case_28_explicit_data_suppresses_send_file() {
    let dir = temp_dir("c28");
    let file = dir.path().join("send.csv");
    std::fs::write(&file, b"x").unwrap();
    let c = shipped();
    let mut inst = instance(&c);
    inst.send_file_path = file.to_str().unwrap().as_bytes().to_vec();
    let p = request::prepare(
        &mut params(&[(b"telegram_kind", b"200"), (b"data", b"")]),
        &inst,
        &c,
    )
    .unwrap();
    assert_eq!(
        p.body,
        b"telegram_kind=200&data=&connect_id=dflt_id&connect_password=dflt_pw"
    );
}

#[test]
fn case_29_php_urlencode_bytes() {
    let b = body(&[
        (b"telegram_kind", b"020"),
        (b"v", b"a b*~-_.&=+/%"),
        (b"k y", b"\x83\x41"),
    ]);
    assert_eq!(
        b,
        "telegram_kind=020&v=a+b%2A%7E-_.%26%3D%2B%2F%25&k+y=%83A&connect_id=dflt_id&connect_password=dflt_pw"
    );
}

#[test]
fn masked_body_hides_card_and_secrets_before_encoding() {
    let p = prepare(&[
        (b"telegram_kind", b"020"),
        (b"card_number", b"4111111111111111"),
        (b"card_conf_number", b"123"),
        (b"card_token", b"tok en"),
    ])
    .unwrap();
    assert_eq!(
        paygent_core::request::form::encode_with(&p.wire, paygent_core::log::mask_value),
        b"telegram_kind=020&card_number=XXXXXXXXXXXXXXX1&card_conf_number=XXXX&card_token=XXXX&connect_id=dflt_id&connect_password=XXXX"
    );
    assert!(p.body.windows(16).any(|w| w == b"4111111111111111"));
}

// ---- Kana ------------------------------------------------------------------------------

#[test]
fn case_30_kana_field_becomes_half_width_on_the_wire() {
    let v = sjis("ヤマダ・ガッコウ");
    let mut p = params(&[
        (b"telegram_kind", b"020"),
        (b"customer_family_name_kana", &v),
    ]);
    let c = shipped();
    let prepared = request::prepare(&mut p, &instance(&c), &c).unwrap();
    let b = String::from_utf8(prepared.body).unwrap();
    assert!(
        b.contains("customer_family_name_kana=%D4%CF%C0%DE%A5%B6%DE%AF%BA%B3&"),
        "{b}"
    );
    // Converted in place: the object keeps the converted value.
    assert_eq!(
        p.get(b"customer_family_name_kana").unwrap(),
        [0xD4, 0xCF, 0xC0, 0xDE, 0xA5, 0xB6, 0xDE, 0xAF, 0xBA, 0xB3]
    );
}

#[test]
fn case_31_kana_keys_case_insensitive_only_the_listed_ones() {
    let v = sjis("ア");
    let mut p = params(&[
        (b"telegram_kind", b"020"),
        (b"CUSTOMER_NAME_KANA", &v),
        (b"customer_family_name", &v),
    ]);
    let c = shipped();
    request::prepare(&mut p, &instance(&c), &c).unwrap();
    assert_eq!(p.get(b"CUSTOMER_NAME_KANA").unwrap(), [0xB1]);
    assert_eq!(p.get(b"customer_family_name").unwrap(), v.as_slice());
}

#[test]
fn case_32_special_kana_and_unchanged_characters() {
    let mut p = params(&[
        (b"telegram_kind", b"020"),
        (b"claim_kana", &sjis("ヴヵヶヮヰヱー　あＡ１")),
    ]);
    let c = shipped();
    request::prepare(&mut p, &instance(&c), &c).unwrap();
    assert_eq!(
        p.get(b"claim_kana").unwrap(),
        sjis("ｳﾞヵヶﾜｲｴｰ　あＡ１").as_slice()
    );
}

#[test]
fn kana_follows_the_caller_encoding() {
    let c = init(&[("paygentB2Bmodule.caller_encoding", Some("UTF-8"))]).unwrap();
    let mut p = params(&[
        (b"telegram_kind", b"020"),
        (b"claim_kana", "ヤマダ".as_bytes()),
    ]);
    let prepared = request::prepare(&mut p, &instance(&c), &c).unwrap();
    assert_eq!(p.get(b"claim_kana").unwrap(), "ﾔﾏﾀﾞ".as_bytes());
    // On the wire as Windows-31J.
    assert!(
        String::from_utf8(prepared.body)
            .unwrap()
            .contains("claim_kana=%D4%CF%C0%DE&")
    );
}

// ---- Encoding (V3) -----------------------------------------------------------------------

#[test]
fn case_33_unsupported_encoding_sticks() {
    let mut m = Module::new(
        Dialect::Php,
        config::ConfigSource::Failed(Error::new(ErrorKind::PropertiesNotFound)),
    );
    let e = m.set_encoding(b"utf-8").unwrap_err();
    assert_eq!(e.code, ErrorCode::Encoding);
    assert_eq!(m.result_message(), b"E01006: The encoding isn't supported.");
    assert!(m.set_encoding(b"UTF-8").is_err());
    assert_eq!(m.instance().encoding, Encoding::Unsupported);
    // And post() fails with it, whatever the kind.
    let c = shipped();
    let mut inst = instance(&c);
    inst.encoding = Encoding::Unsupported;
    for kind in [&b"450"[..], b"020"] {
        let r = request::prepare(&mut params(&[(b"telegram_kind", kind)]), &inst, &c);
        assert_eq!(
            failure(r),
            (
                ErrorCode::Encoding,
                "E01006: The encoding isn't supported.".into()
            )
        );
    }
}

#[test]
fn case_34_utf8_kind_needs_an_encoding() {
    assert_eq!(
        failure(prepare(&[(b"telegram_kind", b"450")])),
        (
            ErrorCode::Encoding,
            "E01006: An encoding must be specified for the telegram.".into()
        )
    );
}

#[test]
fn case_35_encoding_not_allowed_for_normal_kinds() {
    let c = shipped();
    let mut inst = instance(&c);
    inst.encoding = Encoding::Utf8;
    let r = request::prepare(&mut params(&[(b"telegram_kind", b"020")]), &inst, &c);
    assert_eq!(
        failure(r),
        (
            ErrorCode::Encoding,
            "E01006: Encodings can't be specified for the telegram.".into()
        )
    );
    // UTF-8 on a UTF-8 kind: values as given, reply as received.
    let v = "髙".as_bytes();
    let p = request::prepare(
        &mut params(&[(b"telegram_kind", b"450"), (b"n", v)]),
        &inst,
        &c,
    )
    .unwrap();
    assert!(String::from_utf8(p.body).unwrap().contains("n=%E9%AB%99&"));
    assert_eq!(p.reply_charset, ReplyCharset::Raw);
}

#[test]
fn case_36_shift_jis_values_go_out_as_utf8_and_reply_comes_back() {
    let c = shipped();
    let mut inst = instance(&c);
    inst.encoding = Encoding::ShiftJis;
    let mut p = params(&[
        (b"telegram_kind", b"450"),
        (b"customer_name", &[0xFB, 0xFC]),
    ]);
    let prepared = request::prepare(&mut p, &inst, &c).unwrap();
    assert_eq!(
        prepared.body,
        b"telegram_kind=450&customer_name=%E9%AB%99&connect_id=dflt_id&connect_password=dflt_pw"
    );
    assert_eq!(
        prepared.url,
        b"https://module.paygent.co.jp/n/threeds/request"
    );
    // The object keeps the caller's bytes.
    assert_eq!(p.get(b"customer_name").unwrap(), [0xFB, 0xFC]);
    assert_eq!(prepared.reply_charset, ReplyCharset::Utf8ToCp932);
    let reply = convert_reply(
        "response_detail=認証\r\n".as_bytes().to_vec(),
        prepared.reply_charset,
    );
    assert_eq!(reply, b"response_detail=\x94\x46\x8f\xd8\r\n");
    // EUC-JP likewise.
    inst.encoding = Encoding::EucJp;
    let euc = encoding_rs::EUC_JP.encode("認証").0.into_owned();
    let prepared = request::prepare(
        &mut params(&[(b"telegram_kind", b"450"), (b"n", &euc)]),
        &inst,
        &c,
    )
    .unwrap();
    assert!(
        String::from_utf8(prepared.body)
            .unwrap()
            .contains("n=%E8%AA%8D%E8%A8%BC&")
    );
    assert_eq!(prepared.reply_charset, ReplyCharset::Utf8ToEucJp);
}

#[test]
fn caller_encoding_converts_to_windows_31j_and_refuses_unmappable() {
    let c = init(&[("paygentB2Bmodule.caller_encoding", Some("UTF-8"))]).unwrap();
    let inst = instance(&c);
    let p = request::prepare(
        &mut params(&[(b"telegram_kind", b"020"), (b"n", "髙橋".as_bytes())]),
        &inst,
        &c,
    )
    .unwrap();
    assert!(
        String::from_utf8(p.body)
            .unwrap()
            .contains("n=%FB%FC%8B%B4&")
    );
    assert_eq!(p.reply_charset, ReplyCharset::Cp932ToUtf8);
    let r = request::prepare(
        &mut params(&[(b"telegram_kind", b"020"), (b"memo", "a😀".as_bytes())]),
        &inst,
        &c,
    );
    let e = r.unwrap_err();
    assert_eq!(e.code, ErrorCode::Encoding);
    assert_eq!(
        e.kind,
        ErrorKind::Unmappable {
            key: b"memo".to_vec()
        }
    );
    assert_eq!(
        e.warning_text(Dialect::Php),
        b"E01006: A character can't be converted to Windows-31J in parameter memo."
    );
    // A UTF-8 kind takes the caller encoding as its setEncoding.
    let p = request::prepare(
        &mut params(&[(b"telegram_kind", b"450"), (b"n", "髙".as_bytes())]),
        &inst,
        &c,
    )
    .unwrap();
    assert!(String::from_utf8(p.body).unwrap().contains("n=%E9%AB%99&"));
    assert_eq!(p.reply_charset, ReplyCharset::Raw);
}

// ---- URL resolution examples (§3.4) --------------------------------------------------------

#[test]
fn shipped_url_examples() {
    let c = shipped();
    assert_eq!(urls::resolve(&c, b"020"), Some(CARD_URL));
    assert_eq!(
        urls::resolve(&c, b"091"),
        Some(&b"https://module.paygent.co.jp/n/ref/paynotice"[..])
    );
    assert_eq!(
        urls::resolve(&c, b"0155"),
        Some(&b"https://module.paygent.co.jp/n/atm/request"[..])
    );
    assert_eq!(
        urls::resolve(&c, b"01"),
        Some(&b"https://module.paygent.co.jp/n/atm/request"[..])
    );
    assert_eq!(urls::resolve(&c, b"9"), None);
    assert_eq!(urls::resolve(&c, b"093"), urls::resolve(&c, b"090"));
    assert_eq!(urls::resolve(&c, b"39"), None);
}

#[test]
fn perl_defaults_fill_merchant_id_and_version() {
    let vars: Vec<(Vec<u8>, Vec<u8>)> = [
        ("HTTPS_CERT_FILE", "/k/c.pem"),
        ("HTTPS_CA_FILE", "/k/ca.pem"),
        ("merchant_id", "123456789"),
        ("telegram_ver", "1.0"),
    ]
    .iter()
    .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
    .collect();
    let c = Config::from_properties(&config::perl::properties_from_perl_vars(&vars), true).unwrap();
    let mut p = params(&[(b"telegram_kind", b"020"), (b"telegram_version", b"2.0")]);
    let prepared = request::prepare(&mut p, &instance(&c), &c).unwrap();
    assert_eq!(
        prepared.body,
        b"telegram_kind=020&telegram_version=2.0&connect_id=&connect_password=&merchant_id=123456789"
    );
    assert_eq!(prepared.url, CARD_URL);
}
