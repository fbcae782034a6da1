//! Configuration: the `modenv_properties.php` format (protocol.md §3), its validation (§3.3),
//! URL resolution (§3.4), the shipped URL table (§3.5), the Perl `paygent.properties` variables
//! (decisions.md 5) and a per-process cache (decisions.md 6).

mod cache;
pub mod perl;
pub mod perl_file;
pub mod properties;
pub mod urls;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, ErrorKind};
use crate::params::Params;
use crate::telegram::{KindSpec, ReplyFormat};

pub use cache::{load_php_properties, parse_php_properties};

/// `session_cache_dir` when the configuration names none (docs/tls.md "Session cache").
pub const SESSION_CACHE_AUTO: &[u8] = b"auto";

/// `journal_dir` when the configuration names none: the session cache directory (journal.rs).
pub const JOURNAL_AUTO: &[u8] = b"auto";

/// `reply_max_size` default: payment and reference replies (protocol.md §8.1: 100 KB messages;
/// 2000 reference records of a few hundred bytes each) with ample margin.
pub const REPLY_MAX_SIZE_DEFAULT: usize = 4 * 1024 * 1024;
/// `file_reply_max_size` default: the file payment result (kind 201) of a 10 MB request file.
pub const FILE_REPLY_MAX_SIZE_DEFAULT: usize = 64 * 1024 * 1024;

/// Property key prefix of every setting.
pub const PREFIX: &str = "paygentB2Bmodule.";

/// Which TLS implementation carries telegrams (docs/tls.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum TlsBackend {
    /// System OpenSSL: allows TLS 1.2 renegotiation and TLS 1.3 post-handshake auth.
    #[default]
    OpenSsl,
    /// rustls: pure Rust; needs the client certificate asked in the initial handshake.
    Rustls,
}

/// Caller character set of decisions.md 13 (`paygentB2Bmodule.caller_encoding`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallerEncoding {
    /// `UTF-8`: values arrive and replies leave as UTF-8.
    Utf8,
    /// `EUC-JP`: values arrive and replies leave as EUC-JP (CP51932).
    EucJp,
}

/// How reference CSV lines are split (protocol.md §6.4.2, §9 #18).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum CsvMode {
    /// The official module: split on CRLF first, sticky quote flag.
    #[default]
    Compat,
    /// RFC 4180: a quoted field may hold CRLF.
    Rfc4180,
}

/// Switches that bring back an official-module behaviour the re-implementation fixes
/// (`paygentB2Bmodule.compat`, comma-separated names). All off by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Compat {
    /// `escape_truncation`: cut property values at literal `\r` / `\n` (§3.1 step 3).
    pub escape_truncation: bool,
    /// `no_length_check`: do not enforce the total telegram length (§4.6).
    pub no_length_check: bool,
    /// `ignore_missing_send_file`: warn and send without `data` (§4.3).
    pub ignore_missing_send_file: bool,
    /// `keep_stale_reply`: a failed `post()` leaves the previous reply readable (§9 #17).
    pub keep_stale_reply: bool,
}

/// The validated configuration. Strings stay bytes; numbers stay as written (`"35"`), as the
/// official module keeps them (§3.3).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Config {
    /// `client_file_path`: PEM with the client certificate and (normally) its key (§3.2, §4.9).
    pub client_file_path: Vec<u8>,
    /// Separate key file (Perl kit style, `$HTTPS_KEY_FILE`); empty = the key is inside
    /// `client_file_path`.
    pub client_key_file_path: Vec<u8>,
    /// `not_use_client_cert` is exactly `true`: no client certificate is sent (§3.2, V2).
    pub not_use_client_cert: bool,
    /// `ca_file_path`: the CA bundle the gateway's certificate is verified against (§3.2).
    pub ca_file_path: Vec<u8>,
    /// `not_use_ca_cert` is exactly `true`: the server certificate is not verified (§3.2, V2).
    pub not_use_ca_cert: bool,
    /// `proxy_server_name`: proxy host name (§4.9).
    pub proxy_server_name: Vec<u8>,
    /// `proxy_server_ip`: proxy address; wins over the name (§4.9).
    pub proxy_server_ip: Vec<u8>,
    /// 0 = no proxy.
    pub proxy_server_port: u16,
    /// `proxy_user`: Basic credentials for the CONNECT proxy; empty = none (§9 #22).
    pub proxy_user: Vec<u8>,
    /// `proxy_password`: goes with `proxy_user`.
    pub proxy_password: Vec<u8>,
    /// `default_id`: the `connect_id` appended when the telegram has none (§4.1).
    pub default_id: Vec<u8>,
    /// `default_password`: the `connect_password` appended when the telegram has none (§4.1).
    pub default_password: Vec<u8>,
    /// `timeout_value`: seconds, as written; checked again at `post()` (§3.3, §4.2 #1).
    pub timeout_value: Vec<u8>,
    /// `log_output_path`: the module log file; blank = no log (§7).
    pub log_output_path: Vec<u8>,
    /// `select_max_cnt`: the `limit_count` appended to reference telegrams (§4.1), as written.
    pub select_max_cnt: Vec<u8>,
    /// `telegram_kind.ref`: kinds whose reply is the reference CSV (§3.2, §6.2).
    pub telegram_kind_ref: Vec<Vec<u8>>,
    /// `telegram_kind.utf8`: kinds exchanged in UTF-8 (§3.2, §4.7).
    pub telegram_kind_utf8: Vec<Vec<u8>>,
    /// `debug_flg`: log the masked request and the reply (§4.10, §7); PHP truthiness.
    pub debug_flg: bool,
    /// `url.<suffix>` → URL, in file order.
    pub urls: Vec<(Vec<u8>, Vec<u8>)>,
    /// When no `url.<suffix>` matches, fall back to the shipped production table (Perl only).
    pub fallback_to_shipped_urls: bool,
    /// `client_key_password`: the client key's passphrase; default `changeit` (§4.9,
    /// decisions.md 16).
    pub client_key_password: Vec<u8>,
    /// `verify_host`: check the gateway's host name; on unless `false`/`0`/`off`/`no`
    /// (decisions.md 15).
    pub verify_host: bool,
    /// `keep_alive`: HTTP/1.1 with pooled connections; on unless turned off (decisions.md 17).
    pub keep_alive: bool,
    /// `tls_backend`: `openssl` (default) or `rustls`.
    pub tls_backend: TlsBackend,
    /// `caller_encoding`: the charset of the caller's values; `None` = raw bytes (decisions.md 13).
    pub caller_encoding: Option<CallerEncoding>,
    /// `csv_mode`: how reference CSV lines are split.
    pub csv_mode: CsvMode,
    /// `compat`: official behaviours brought back.
    pub compat: Compat,
    /// TLS session cache directory for CGI processes; empty = none; [`SESSION_CACHE_AUTO`] = a
    /// private per-user directory under the system temp dir (the default).
    pub session_cache_dir: Vec<u8>,
    /// Where `maybe_sent` telegrams are journaled (journal.rs); empty = nowhere;
    /// [`JOURNAL_AUTO`] = the session cache directory, or the per-user default when the cache is
    /// off (the default).
    pub journal_dir: Vec<u8>,
    /// Perl `$merchant_id`: appended as `merchant_id` when the telegram has none; empty = never.
    pub default_merchant_id: Vec<u8>,
    /// Perl `$telegram_ver`: appended as `telegram_version` when absent; empty = never.
    pub default_telegram_version: Vec<u8>,
    /// Most reply body bytes for payment and reference telegrams; 0 = the default.
    pub reply_max_size: usize,
    /// Most reply body bytes for the file payment result (kind 201); 0 = the default.
    pub file_reply_max_size: usize,
    /// `retry_not_sent`: how many times a telegram that failed before any byte of it left the
    /// process is sent again ([`RETRY_NOT_SENT_DEFAULT`] unless configured; 0 = never, as the
    /// official module).
    pub retry_not_sent: u32,
}

/// One telegram kind under a configuration ([`Config::telegram`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Telegram {
    /// Its row of the table of kinds.
    pub spec: KindSpec,
    /// Its reply format here (`telegram_kind.ref` may make any kind a reference kind).
    pub reply: ReplyFormat,
    /// It may have a result CSV (`setResultCsv`): a reference or file payment result kind.
    pub result_csv: bool,
    /// It may take a while: a file transfer or a reference download.
    pub long_running: bool,
}

/// The kit's `timeout_value` (and the Perl module's default): 35 seconds.
pub const TIMEOUT_VALUE_DEFAULT: Duration = Duration::from_secs(35);

/// A timeout in seconds as the transport uses it: a day bounds absurd values, a millisecond
/// tiny ones (validation already ensured > 0).
pub fn timeout_duration(secs: f64) -> Duration {
    Duration::from_secs_f64(secs.clamp(0.001, 86_400.0))
}

/// `retry_not_sent` when unset: a not_sent telegram provably never reached the gateway, so a
/// gateway restart or a dropped connect costs a payment nothing. Two retries, 100 ms and 200 ms
/// apart (module.rs), add at most 300 ms of pauses, and all of it stays within `timeout_value`.
pub const RETRY_NOT_SENT_DEFAULT: u32 = 2;

impl Config {
    /// Build and validate from parsed properties (§3.3 order; `E01002` on any failure).
    /// `fallback_to_shipped_urls` is true for the Perl module (decisions.md 5).
    pub fn from_properties(props: &Params, fallback_to_shipped_urls: bool) -> Result<Self, Error> {
        properties::validate(props, fallback_to_shipped_urls)
    }

    /// URL for a telegram kind (§3.4); `None` = unknown kind (E02003).
    pub fn url_for_kind(&self, kind: &[u8]) -> Option<&[u8]> {
        urls::resolve(self, kind)
    }

    /// Kind's reply is the reference CSV (§6.2); exact string comparison (decisions.md 7).
    pub fn is_ref_kind(&self, kind: &[u8]) -> bool {
        self.telegram_kind_ref.iter().any(|k| k == kind)
    }

    /// One telegram kind under this configuration: its row of the table of kinds
    /// (`telegram::KINDS`), with `telegram_kind.ref` deciding which kinds reply in the reference
    /// CSV (§6.2: the file payment result `201` always has its own format).
    pub fn telegram(&self, kind: &[u8]) -> Telegram {
        let spec = crate::telegram::spec(kind);
        let reply = if spec.reply == ReplyFormat::FilePayment {
            ReplyFormat::FilePayment
        } else if self.is_ref_kind(kind) {
            ReplyFormat::Reference
        } else {
            ReplyFormat::Payment
        };
        Telegram {
            spec,
            reply,
            result_csv: reply != ReplyFormat::Payment,
            long_running: spec.long_running || reply != ReplyFormat::Payment,
        }
    }

    /// `timeout_value` as the module uses it: the configured seconds when the module accepts
    /// them (a number > 0, §4.2 #1), else [`TIMEOUT_VALUE_DEFAULT`] (a `post()` refuses such a
    /// file with E02001; a probe still needs a bound).
    pub fn timeout(&self) -> Duration {
        crate::php::php_numeric(&self.timeout_value)
            .filter(|t| *t > 0.0)
            .map_or(TIMEOUT_VALUE_DEFAULT, timeout_duration)
    }

    /// The reply size limit for a telegram kind (`reply_max_size` / `file_reply_max_size`).
    pub fn reply_limit(&self, kind: &[u8]) -> usize {
        let (set, default) = if self.telegram(kind).reply == ReplyFormat::FilePayment {
            (self.file_reply_max_size, FILE_REPLY_MAX_SIZE_DEFAULT)
        } else {
            (self.reply_max_size, REPLY_MAX_SIZE_DEFAULT)
        };
        if set == 0 { default } else { set }
    }

    /// Kind is exchanged in UTF-8 (§4.7).
    pub fn is_utf8_kind(&self, kind: &[u8]) -> bool {
        self.telegram_kind_utf8.iter().any(|k| k == kind)
    }
}

/// Where a module object gets its configuration from.
#[derive(Clone, Debug)]
pub enum ConfigSource {
    /// A `modenv_properties.php` file (PHP).
    PhpProperties(PathBuf),
    /// Already-built configuration (Perl builds it from `paygent.properties` values).
    Ready(Arc<Config>),
    /// The configuration could not be built; `init()` returns this error.
    Failed(Error),
}

impl ConfigSource {
    /// The configuration: parsed (or taken from the per-process cache) for a file, else the
    /// ready one or the stored error.
    pub fn load(&self) -> Result<Arc<Config>, Error> {
        match self {
            Self::PhpProperties(path) => load_php_properties(path),
            Self::Ready(c) => Ok(c.clone()),
            Self::Failed(e) => Err(e.clone()),
        }
    }
}

pub(crate) fn invalid() -> Error {
    Error::new(ErrorKind::PropertiesInvalid)
}
