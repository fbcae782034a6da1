//! The request pipeline of `post()` (protocol.md §4), in the official order:
//! default fill → validation → send file → URL → kana → total length → charset → form body.

pub mod charset;
pub mod form;
pub mod kana;

use std::path::PathBuf;

use crate::config::Config;
use crate::error::Error;
use crate::params::Params;

/// `PaygentB2BModule__TELEGRAM_KEY_LENGTH` (decisions.md 7: the manual's 8190).
pub const TELEGRAM_KEY_LENGTH: usize = 8190;
/// `PaygentB2BModule__TELEGRAM_VALUE_LENGTH`
pub const TELEGRAM_VALUE_LENGTH: usize = 102_400;
/// `PaygentB2BModule__TELEGRAM_LENGTH`
pub const TELEGRAM_LENGTH: usize = 102_400;
/// `PaygentB2BModule__TELEGRAM_LENGTH_FILE`
pub const TELEGRAM_LENGTH_FILE: usize = 10_485_760;

/// V3 `setEncoding` state (§1.4, §4.7).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    #[default]
    Unset,
    Utf8,
    ShiftJis,
    EucJp,
    /// A value other than the three accepted ones was set: every later `post()` fails E01006.
    Unsupported,
}

/// The per-object settings that `init()` copies from the configuration and the setters change.
#[derive(Clone, Debug, Default)]
pub struct Instance {
    pub default_id: Vec<u8>,
    pub default_password: Vec<u8>,
    /// As written (`"35"`); PHP numeric rules apply when it is used.
    pub timeout: Vec<u8>,
    pub select_max_cnt: Vec<u8>,
    pub result_csv: Vec<u8>,
    pub send_file_path: Vec<u8>,
    pub encoding: Encoding,
}

/// A telegram ready to send.
#[derive(Clone, Debug, PartialEq)]
pub struct Prepared {
    pub kind: Vec<u8>,
    pub url: Vec<u8>,
    /// `application/x-www-form-urlencoded` body, byte-identical to PHP `urlencode` (§4.8).
    pub body: Vec<u8>,
    /// The body with card, password and token values masked (decisions.md 20), for the log.
    pub masked_body: Vec<u8>,
    /// Timeout in seconds (validated > 0).
    pub timeout_secs: f64,
    /// Convert the reply body from UTF-8 back to this charset before parsing (§4.7), or from
    /// Windows-31J to the caller encoding (decisions.md 13).
    pub reply_charset: charset::ReplyCharset,
}

/// Run §4.1–§4.8 on the object's parameters. Default fill, send-file `data` and kana conversion
/// change `params` in place, as in the official module (they persist on the object).
pub fn prepare(params: &mut Params, inst: &Instance, config: &Config) -> Result<Prepared, Error> {
    let _ = (params, inst, config);
    todo!("request helper")
}

/// PHP `is_numeric()` then `(float)` (§3.3): `"1e1"` → 10, `" 35"` → 35, `"35s"` → None.
pub fn php_numeric(b: &[u8]) -> Option<f64> {
    let _ = b;
    todo!("request helper")
}

/// PHP `trim()` blankness: empty after removing space, tab, CR, LF, NUL, VT.
pub fn is_blank(b: &[u8]) -> bool {
    b.iter().all(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n' | 0 | 0x0b))
}

/// Send-file path as a path.
pub fn send_file(inst: &Instance) -> PathBuf {
    crate::config::bytes_to_path(&inst.send_file_path)
}
