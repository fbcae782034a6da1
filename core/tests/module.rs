//! The object model (protocol.md §1.4, §10 #71; decisions.md 8, 10) without the network.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

use paygent_core::config::ConfigSource;
use paygent_core::{Dialect, ErrorCode, Module};

/// A properties file in a scratch directory (removed when the returned TempDir is dropped).
fn properties_file(extra: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix("paygent-module-")
        .tempdir()
        .unwrap();
    let path = dir.path().join("modenv_properties.php");
    std::fs::write(
        &path,
        format!(
            "<?php\npaygentB2Bmodule.client_file_path=/nonexistent/kit.pem\n\
             paygentB2Bmodule.ca_file_path=/nonexistent/ca.pem\n\
             paygentB2Bmodule.timeout_value=35\npaygentB2Bmodule.log_output_path=\n\
             paygentB2Bmodule.select_max_cnt=2000\npaygentB2Bmodule.telegram_kind.ref=027,090\n\
             paygentB2Bmodule.url.01=https://127.0.0.1:1/n/atm/request\n{extra}?>\n"
        ),
    )
    .unwrap();
    (dir, path)
}

#[test]
fn getters_are_null_before_any_reply() {
    let (_dir, props) = properties_file("");
    let m = Module::new(Dialect::Php, ConfigSource::PhpProperties(props));
    assert_eq!(m.result_status(), None);
    assert_eq!(m.response_code(), None);
    assert_eq!(m.response_detail(), None);
    assert!(!m.has_res_next());
    assert_eq!(m.result_message(), b"");
}

#[test]
fn missing_properties_file_is_e01001_with_the_official_warning() {
    let mut m = Module::new(
        Dialect::Php,
        ConfigSource::PhpProperties("/nonexistent/modenv_properties.php".into()),
    );
    let e = m.init().unwrap_err();
    assert_eq!(e.code, ErrorCode::ResourceFileNotFound);
    let w = m.take_warnings();
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].text, b"E01001: Properties file doesn't exist.");
}

#[test]
fn post_without_init_initialises_lazily_and_validates_first() {
    // §4.1 R: the official module dies here; we init and then report the validation error.
    let (_dir, props) = properties_file("x");
    let mut m = Module::new(Dialect::Php, ConfigSource::PhpProperties(props));
    let e = m.post().unwrap_err();
    assert_eq!(e.code, ErrorCode::TelegramParamOutside);
    assert_eq!(
        m.result_message(),
        b"E02003: HTTP request contains unexpected value."
    );
    assert_eq!(
        m.result_status(),
        None,
        "nothing was sent, nothing parsed (§10 #9)"
    );
    let w = m.take_warnings();
    assert_eq!(
        w.last().unwrap().text,
        b"E02003: HTTP request contains unexpected value."
    );
}

#[test]
fn unsupported_encoding_sticks_to_the_object() {
    let (_dir, props) = properties_file("yy");
    let mut m = Module::new(Dialect::Php, ConfigSource::PhpProperties(props));
    m.init().unwrap();
    assert_eq!(
        m.set_encoding(b"utf-8").unwrap_err().code,
        ErrorCode::Encoding
    );
    assert_eq!(m.result_message(), b"E01006: The encoding isn't supported.");
    // §10 #33: a later valid setEncoding does not clear the state.
    assert!(m.set_encoding(b"UTF-8").is_err());
    m.req_put(b"telegram_kind", b"010");
    assert_eq!(m.post().unwrap_err().code, ErrorCode::Encoding);
}

#[test]
fn init_overwrites_setters_but_keeps_parameters() {
    let (_dir, props) = properties_file("zzz");
    let mut m = Module::new(Dialect::Php, ConfigSource::PhpProperties(props));
    m.init().unwrap();
    m.set_timeout(b"5");
    m.req_put(b"telegram_kind", b"010");
    m.init().unwrap();
    assert_eq!(m.instance().timeout, b"35");
    assert_eq!(m.req_get(b"telegram_kind"), Some(&b"010"[..]));
}

#[test]
fn perl_dialect_words_messages_like_the_perl_manual() {
    let (_dir, props) = properties_file("pppp");
    let mut m = Module::new(Dialect::Perl, ConfigSource::PhpProperties(props));
    m.init().unwrap();
    m.set_select_max_cnt(b"0");
    m.req_put(b"telegram_kind", b"010");
    assert_eq!(m.post().unwrap_err().code, ErrorCode::ModuleParamRequired);
    assert_eq!(
        m.result_message(),
        b"E02001: Error indespensable HTTP request value."
    );
}
