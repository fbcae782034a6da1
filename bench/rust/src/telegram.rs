//! One telegram as a merchant script sends it: a fresh Module, init, parameters, post, and the
//! reply read out (records included).

use std::path::Path;

use paygent_core::config::ConfigSource;
use paygent_core::{Dialect, Module};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Telegram {
    /// 020 card authorisation with the approving test number.
    Card,
    /// 027 stored-card reference (a CSV reply with many records).
    Reference,
}

impl Telegram {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "card" => Some(Self::Card),
            "ref" => Some(Self::Reference),
            _ => None,
        }
    }
}

/// Send one telegram with a new Module (as a merchant does per request). Returns the number
/// of records read, or a description of what went wrong.
pub fn send(config: &Path, telegram: Telegram) -> Result<usize, String> {
    let mut m = Module::new(
        Dialect::Php,
        ConfigSource::PhpProperties(config.to_path_buf()),
    );
    m.init().map_err(|e| text(&e.text(Dialect::Php)))?;
    match telegram {
        Telegram::Card => {
            // No trading_id: the simulator scans every earlier payment for a duplicate id.
            for (k, v) in [
                ("telegram_kind", "020"),
                ("telegram_version", "1.0"),
                ("merchant_id", "bench00001"),
                ("payment_amount", "1000"),
                ("card_number", "4111111111111111"),
                ("card_valid_term", "1230"),
                ("payment_class", "10"),
            ] {
                m.req_put(k.as_bytes(), v.as_bytes());
            }
        }
        Telegram::Reference => {
            for (k, v) in [
                ("telegram_kind", "027"),
                ("telegram_version", "1.0"),
                ("merchant_id", "bench00001"),
                ("customer_id", "bench-customer"),
            ] {
                m.req_put(k.as_bytes(), v.as_bytes());
            }
        }
    }
    m.post()
        .map_err(|e| format!("post: {}", text(&e.text(Dialect::Php))))?;
    if m.result_status() != Some(b"0") {
        return Err(format!(
            "result={} code={}",
            text(m.result_status().unwrap_or_default()),
            text(m.response_code().unwrap_or_default())
        ));
    }
    // Read every record out, as the merchant's while (hasResNext) loop does.
    let mut n = 0;
    while let Some(rec) = m.res_next() {
        n += usize::from(!rec.is_empty());
    }
    Ok(n)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
