//! The object model the bindings mirror (`PaygentB2BModule`, `Paygent::B2B`): parameters persist
//! on the object, each `post()` resets the reply state (decisions.md 10), getters are `None`
//! before a reply.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::charset;
use crate::config::{Config, ConfigSource};
pub use crate::error::Dialect;
use crate::error::{Error, ErrorKind, FailurePhase, Warning, WarningLevel};
use crate::journal;
use crate::log::Logger;
use crate::params::{Params, Record};
use crate::php;
use crate::reply::{self, Reply, ReplyFormat, result_csv};
use crate::request::{self, Encoding, ObjectSettings};
use crate::transport::{self, HttpRequest, TransportSettings};

/// One connection-module object.
#[derive(Debug)]
pub struct Module {
    dialect: Dialect,
    source: ConfigSource,
    config: Option<Arc<Config>>,
    settings: Option<Arc<TransportSettings>>,
    logger: Option<Logger>,
    inst: ObjectSettings,
    params: Params,
    telegram_kind: Vec<u8>,
    reply: Option<Reply>,
    cursor: usize,
    result_message: Vec<u8>,
    warnings: Vec<Warning>,
    failure_phase: Option<FailurePhase>,
}

impl Module {
    /// A new object (`new PaygentB2BModule()`, `Paygent::B2B->new`): no parameters, no
    /// configuration until `init()`; `dialect` picks the PHP or Perl texts.
    pub fn new(dialect: Dialect, source: ConfigSource) -> Self {
        Self {
            dialect,
            source,
            config: None,
            settings: None,
            logger: None,
            inst: ObjectSettings::default(),
            params: Params::new(),
            telegram_kind: Vec::new(),
            reply: None,
            cursor: 0,
            result_message: Vec::new(),
            warnings: Vec::new(),
            failure_phase: None,
        }
    }

    /// Load the configuration and copy its per-object values (§1.4 `init`). Overwrites earlier
    /// `set_timeout` etc.; keeps parameters, result CSV, send file and the reply.
    pub fn init(&mut self) -> Result<(), Error> {
        let config = match self.source.load() {
            Ok(c) => c,
            Err(e) => {
                self.warn(WarningLevel::Warning, e.warning_text(self.dialect));
                return Err(e);
            }
        };
        self.inst.default_id = config.default_id.clone();
        self.inst.default_password = config.default_password.clone();
        self.inst.timeout = config.timeout_value.clone();
        self.inst.select_max_cnt = config.select_max_cnt.clone();
        self.logger = Logger::new(&config.log_output_path, self.log_class());
        if config.not_use_ca_cert {
            self.log(b"warning: not_use_ca_cert=true: the gateway's certificate is not verified");
        } else if !config.verify_host {
            self.log(b"warning: verify_host=false: the gateway's host name is not verified");
        }
        let (settings, refusal) = TransportSettings::from_config(&config);
        if let Some(why) = refusal {
            self.log(why.as_bytes());
        }
        self.settings = Some(Arc::new(settings));
        self.config = Some(config);
        Ok(())
    }

    /// The loaded configuration, shared (an inquiry on this object's behalf reuses it).
    pub(crate) fn shared_config(&self) -> Option<Arc<Config>> {
        self.config.clone()
    }

    /// Where `init()` loads the configuration from.
    pub fn source(&self) -> &ConfigSource {
        &self.source
    }

    /// Take `other`'s per-object settings (default id and password, timeout) after `init()`:
    /// an inquiry made on behalf of `other` (confirm.rs) goes out as `other`'s telegrams do.
    pub(crate) fn copy_defaults_from(&mut self, other: &Module) {
        self.inst.default_id = other.inst.default_id.clone();
        self.inst.default_password = other.inst.default_password.clone();
        self.inst.timeout = other.inst.timeout.clone();
    }

    /// Where the next `init()` loads its configuration from. The PHP binding discovers the
    /// properties file at `init()` time (ini setting, `include_path`, composer layout).
    pub fn set_source(&mut self, source: ConfigSource) {
        self.source = source;
    }

    /// Whose texts this object reproduces (PHP or Perl).
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The configuration of the last successful `init()`, `None` before it.
    pub fn config(&self) -> Option<&Config> {
        self.config.as_deref()
    }

    // ---- telegram parameters -------------------------------------------------------------

    /// `reqPut`: the binding turns null into `""` (decisions.md 7).
    pub fn req_put(&mut self, key: &[u8], value: &[u8]) {
        self.params.put(key, value);
    }

    /// `reqGet`: the stored value, `None` for a key never put.
    pub fn req_get(&self, key: &[u8]) -> Option<&[u8]> {
        self.params.get(key)
    }

    /// The telegram parameters in first-insertion order (`$p->telegramParam`), including the
    /// defaults a `post()` appended (§4.1).
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The kind captured by the last `post()` (`$p->telegramKind`).
    pub fn telegram_kind(&self) -> &[u8] {
        &self.telegram_kind
    }

    // ---- per-object settings -------------------------------------------------------------

    /// The per-object settings `init()` copied and the setters changed (§1.4).
    pub fn instance(&self) -> &ObjectSettings {
        &self.inst
    }

    /// `setDefaultId`: the `connect_id` filled in when absent (§4.1).
    pub fn set_default_id(&mut self, v: &[u8]) {
        self.inst.default_id = v.to_vec();
    }
    /// `setDefaultPassword`: the `connect_password` filled in when absent (§4.1).
    pub fn set_default_password(&mut self, v: &[u8]) {
        self.inst.default_password = v.to_vec();
    }
    /// `setTimeout`: seconds, as written; must be > 0 at `post()` (§4.2 #1).
    pub fn set_timeout(&mut self, v: &[u8]) {
        self.inst.timeout = v.to_vec();
    }
    /// `setSelectMaxCnt`: the `limit_count` of reference telegrams; must be > 0 at `post()`.
    pub fn set_select_max_cnt(&mut self, v: &[u8]) {
        self.inst.select_max_cnt = v.to_vec();
    }
    /// `setResultCsv`: where the result CSV is written; only for reference kinds and required
    /// for `201` (§4.2 #3, §6.6).
    pub fn set_result_csv(&mut self, v: &[u8]) {
        self.inst.result_csv = v.to_vec();
    }
    /// `setSendFilePath`: the file whose bytes go as parameter `data` (§4.3).
    pub fn set_send_file_path(&mut self, v: &[u8]) {
        self.inst.send_file_path = v.to_vec();
    }

    /// V3 `setEncoding` (§1.4): `"UTF-8"`, `"Shift_JIS"`, `"EUC-JP"`, case-sensitive. Anything
    /// else makes every later `post()` fail with E01006.
    pub fn set_encoding(&mut self, v: &[u8]) -> Result<(), Error> {
        if self.inst.encoding == Encoding::Unsupported {
            // Once unsupported, the object stays so (§1.4); the stored message stays too.
            return Err(Error::new(ErrorKind::EncodingUnsupported));
        }
        self.inst.encoding = match v {
            b"UTF-8" => Encoding::Utf8,
            b"Shift_JIS" => Encoding::ShiftJis,
            b"EUC-JP" => Encoding::EucJp,
            _ => {
                let e = Error::new(ErrorKind::EncodingUnsupported);
                self.inst.encoding = Encoding::Unsupported;
                self.result_message = e.warning_text(self.dialect);
                return Err(e);
            }
        };
        Ok(())
    }

    // ---- post ------------------------------------------------------------------------------

    /// Run the telegram (§4–§6). `Ok` whenever a reply was received and its result read,
    /// including `result=1` (a business error: check [`Module::result_status`]). A `maybe_sent`
    /// failure of a telegram that changes something at the gateway is journaled (journal.rs).
    pub fn post(&mut self) -> Result<(), Error> {
        let r = self.post_telegram();
        // Not a let chain: the crate's rust-version is 1.85.
        if let Err(e) = &r {
            if self.failure_phase == Some(FailurePhase::MaybeSent) {
                self.journal(e);
            }
        }
        r
    }

    /// Record a `maybe_sent` telegram in the journal, or say in the log (and as a notice) why it
    /// could not be: never silently lost. Inquiries change nothing and are not recorded.
    fn journal(&mut self, e: &Error) {
        let Some(config) = self.config.clone() else {
            return;
        };
        if crate::telegram::effect(&self.telegram_kind) == crate::telegram::Effect::ReadOnly {
            return;
        }
        let failure = e
            .result_message(self.dialect)
            .unwrap_or_else(|| e.warning_text(self.dialect));
        let id = |k: &[u8]| self.params.get(k).unwrap_or_default();
        let entry = journal::Entry::new(
            &self.telegram_kind,
            id(b"merchant_id"),
            id(b"trading_id"),
            id(b"payment_id"),
            &failure,
        );
        let why = match journal::directory(&config, true) {
            Ok(None) => return, // journal_dir=off: the merchant's choice
            Ok(Some(dir)) => match journal::record(&dir, &entry) {
                Ok(recorded) => {
                    let mut line = format!(
                        "maybe_sent: journaled as {} in {} (paygent confirm --pending resolves it)",
                        entry.id,
                        journal::path_of(&dir)
                    );
                    if let journal::Recorded::Large(size) = recorded {
                        line.push_str(&format!(
                            "; warning: the journal holds {size} bytes of unresolved records: run \
                             `paygent confirm --pending` (from cron)"
                        ));
                    }
                    self.log(line.as_bytes());
                    return;
                }
                Err(why) => why,
            },
            Err(why) => why,
        };
        let mut line = format!("warning: maybe_sent telegram NOT journaled ({why}): ").into_bytes();
        for (k, v) in [
            ("telegram_kind", &entry.telegram_kind),
            ("merchant_id", &entry.merchant_id),
            ("trading_id", &entry.trading_id),
            ("payment_id", &entry.payment_id),
        ] {
            line.extend_from_slice(format!("{k}=").as_bytes());
            line.extend_from_slice(v);
            line.push(b' ');
        }
        line.extend_from_slice(b"- confirm it by hand (paygent confirm --trading-id ...)");
        // Logged only: the module's warnings stay exactly the official module's.
        self.log(&line);
    }

    fn post_telegram(&mut self) -> Result<(), Error> {
        let stale = self
            .config
            .as_ref()
            .is_some_and(|c| c.compat.keep_stale_reply);
        if !stale {
            self.reply = None;
            self.cursor = 0;
        }
        self.failure_phase = None;
        if self.config.is_none() {
            // The official module dies here (§4.1); we initialise lazily instead.
            if let Err(e) = self.init() {
                self.result_message = e.warning_text(self.dialect);
                return Err(e);
            }
        }
        let (config, settings) = match (&self.config, &self.settings) {
            (Some(c), Some(s)) => (c.clone(), s.clone()),
            _ => {
                return Err(Error::new(ErrorKind::Internal(
                    "configuration missing".into(),
                )));
            }
        };
        self.telegram_kind = self
            .params
            .get(b"telegram_kind")
            .unwrap_or_default()
            .to_vec();

        let prepared = match request::prepare(&mut self.params, &self.inst, &config) {
            Ok(p) => p,
            Err(e) => return Err(self.fail(e)),
        };
        self.telegram_kind = prepared.kind.clone();
        if config.debug_flg {
            let mut line = b"request: ".to_vec();
            line.extend_from_slice(&masked_body(&prepared));
            self.log(&line);
        }

        let timeout = timeout_duration(prepared.timeout_secs);
        // The timeout bounds the whole exchange: transport and parsing.
        let deadline = Instant::now().checked_add(timeout);
        let mut attempt = 0;
        let reply = loop {
            let left = deadline.map_or(timeout, |d| d.saturating_duration_since(Instant::now()));
            let http = HttpRequest {
                url: &prepared.url,
                body: &prepared.body,
                user_agent: self.user_agent(),
                timeout: left,
                settings: &settings,
                reply_max_size: config.reply_limit(&prepared.kind),
            };
            let failure = match transport::post(&http) {
                Ok(r) => break r,
                Err(f) => f,
            };
            let mut line = format!("{}: {}", failure.errno, failure.text).into_bytes();
            line.extend_from_slice(b": ");
            line.extend_from_slice(&prepared.url);
            self.log(&line);
            // Opt-in safe retry (issue 12): only when nothing of the telegram left the process,
            // with a short backoff, inside the same timeout.
            let pause = Duration::from_millis(100 << attempt.min(4));
            let time_left = deadline.is_none_or(|d| Instant::now() + pause < d);
            if failure.phase == FailurePhase::NotSent
                && attempt < config.retry_not_sent
                && time_left
            {
                attempt += 1;
                self.log(
                    format!(
                        "retry {attempt}/{} after a failure before sending (not_sent)",
                        config.retry_not_sent
                    )
                    .as_bytes(),
                );
                std::thread::sleep(pause);
                continue;
            }
            self.failure_phase = Some(failure.phase);
            let notes = file_notes(&config);
            return Err(self.fail(Error::transport(failure, notes)));
        };
        // From here the gateway had the telegram: a failure may hide a processed payment.
        self.failure_phase = Some(FailurePhase::MaybeSent);
        if !(200..=206).contains(&reply.status) {
            self.log(b"Cannot get http return code.");
            return Err(self.fail(Error::new(ErrorKind::HttpStatus(reply.status))));
        }
        let format = ReplyFormat::for_kind(&prepared.kind, &config);
        if let Some(why) = reply::cut_short(format, &reply.body, reply.until_eof, config.csv_mode) {
            let failure = crate::error::TransportFailure::new(18, why);
            self.log(failure.text.as_bytes());
            return Err(self.fail(Error::transport(failure, Vec::new())));
        }
        let body = charset::convert_reply(reply.body, prepared.reply_charset);
        if config.debug_flg {
            let mut line = b"response: \r\n".to_vec();
            line.extend_from_slice(&body);
            self.log(&line);
        }

        let csv_set = !php::is_blank(&self.inst.result_csv);
        let full = match format {
            ReplyFormat::Payment => true,
            ReplyFormat::Reference => !csv_set,
            ReplyFormat::FilePayment => false,
        };
        let parsed = reply::parse_until(format, &body, full, config.csv_mode, deadline);
        if let Some(e) = parsed
            .error
            .as_ref()
            .filter(|e| matches!(e.kind, ErrorKind::Transport { .. }))
        {
            // Out of time while parsing: no reply, as for a transport timeout.
            return Err(self.fail(e.clone()));
        }
        let mut message = parsed.reply.response_code.clone();
        message.extend_from_slice(b": ");
        message.extend_from_slice(&parsed.reply.response_detail);
        self.result_message = message;
        let write_csv = csv_set && result_csv::should_write(format, &parsed.reply);
        if !php::is_blank(&parsed.reply.result_status) {
            self.failure_phase = None; // the gateway's answer is known
        }
        self.reply = Some(parsed.reply);
        if let Some(e) = parsed.error {
            self.warn(WarningLevel::Warning, e.warning_text(self.dialect));
            return Err(e);
        }
        if write_csv {
            let path = crate::php::bytes_to_path(&self.inst.result_csv);
            if let Err(e) = result_csv::write(&path, format, &body) {
                if e.kind == ErrorKind::CsvOpen {
                    let mut notice = b"cannot open file ".to_vec();
                    notice.extend_from_slice(&self.inst.result_csv);
                    notice.extend_from_slice(b" to write");
                    self.warn(WarningLevel::Notice, notice);
                }
                self.warn(WarningLevel::Warning, e.warning_text(self.dialect));
                return Err(e);
            }
        }
        Ok(())
    }

    /// What `post()` would send, without sending it: the target URL and the body with the log's
    /// masking (card number, security code, passwords, tokens). Runs the same pipeline (§4.1–§4.8)
    /// on a copy of the parameters; the object is left as it was.
    pub fn dry_run(&mut self) -> Result<(Vec<u8>, Vec<u8>), Error> {
        if self.config.is_none() {
            self.init()?;
        }
        let config = self
            .config
            .clone()
            .ok_or_else(|| Error::new(ErrorKind::Internal("configuration missing".into())))?;
        let mut params = self.params.clone();
        let p = request::prepare(&mut params, &self.inst, &config)?;
        let masked = masked_body(&p);
        Ok((p.url, masked))
    }

    /// Record a failure before any reply: message, warning, error back.
    fn fail(&mut self, e: Error) -> Error {
        if let Some(m) = e.result_message(self.dialect) {
            self.result_message = m;
        }
        self.warn(WarningLevel::Warning, e.warning_text(self.dialect));
        e
    }

    // ---- reply ----------------------------------------------------------------------------

    /// `getResultStatus()`: the reply's `result` (`"0"` / `"1"`); `None` before a reply.
    pub fn result_status(&self) -> Option<&[u8]> {
        self.reply.as_ref().map(|r| r.result_status.as_slice())
    }
    /// `getResponseCode()`: the reply's `response_code`; `None` before a reply.
    pub fn response_code(&self) -> Option<&[u8]> {
        self.reply.as_ref().map(|r| r.response_code.as_slice())
    }
    /// `getResponseDetail()`: the reply's `response_detail` (raw bytes); `None` before a reply.
    pub fn response_detail(&self) -> Option<&[u8]> {
        self.reply.as_ref().map(|r| r.response_detail.as_slice())
    }
    /// `getResultMessage()` (§5.4).
    pub fn result_message(&self) -> &[u8] {
        &self.result_message
    }
    /// Every record of the last reply (payment: 0 or 1, reference: N, file payment: none).
    pub fn records(&self) -> &[Record] {
        self.reply
            .as_ref()
            .map(|r| r.records.as_slice())
            .unwrap_or_default()
    }
    /// `hasResNext()`: a record is left for `res_next`.
    pub fn has_res_next(&self) -> bool {
        self.cursor < self.records().len()
    }
    /// `resNext()`: the next record, `None` past the end or before a reply.
    pub fn res_next(&mut self) -> Option<&Record> {
        let i = self.cursor;
        let records = self.reply.as_ref().map(|r| r.records.as_slice())?;
        let rec = records.get(i)?;
        self.cursor = i + 1;
        Some(rec)
    }

    /// Where the last `post()` broke off: `None` when it had no failure or the gateway's answer
    /// was read (a `result=1` reply included); `NotSent` when no byte of the telegram left this
    /// process; `MaybeSent` when the gateway may have processed it (issue 12, docs/error-codes.md).
    pub fn failure_phase(&self) -> Option<FailurePhase> {
        self.failure_phase
    }

    /// Warnings raised since the last call, for the binding to emit (PHP `trigger_error`).
    pub fn take_warnings(&mut self) -> Vec<Warning> {
        std::mem::take(&mut self.warnings)
    }

    // ---- helpers ---------------------------------------------------------------------------

    fn warn(&mut self, level: WarningLevel, text: Vec<u8>) {
        self.warnings.push(Warning { level, text });
    }

    fn log(&mut self, message: &[u8]) {
        if let Some(w) = self.logger.as_ref().and_then(|l| l.log(message)) {
            self.warnings.push(w);
        }
    }

    fn log_class(&self) -> &'static str {
        match self.dialect {
            Dialect::Php => "PaygentModule\\Util\\HttpsRequestSender",
            Dialect::Perl => "Paygent::B2B",
        }
    }

    fn user_agent(&self) -> &'static str {
        match self.dialect {
            Dialect::Php => "curl_php",
            Dialect::Perl => "libwww-perl/6.68",
        }
    }
}

fn timeout_duration(secs: f64) -> Duration {
    // A day bounds absurd values; validation already ensured > 0.
    Duration::from_secs_f64(secs.clamp(0.001, 86_400.0))
}

/// `(file is not exists: <path>)` / `(file is not readable: <path>)` for the client and CA
/// paths (§5.3).
fn file_notes(config: &Config) -> Vec<u8> {
    let client: &[u8] = if config.not_use_client_cert {
        b""
    } else {
        &config.client_file_path
    };
    let mut out = Vec::new();
    for path in [client, config.ca_file_path.as_slice()] {
        let p = crate::php::bytes_to_path(path);
        let what: &[u8] = if !p.exists() {
            b"(file is not exists: "
        } else if std::fs::File::open(&p).is_err() {
            b"(file is not readable: "
        } else {
            continue;
        };
        out.extend_from_slice(what);
        out.extend_from_slice(path);
        out.push(b')');
    }
    out
}

/// The request body with card, password and token values masked (decisions.md 20): what the
/// debug log and a dry run show.
fn masked_body(prepared: &request::Prepared) -> Vec<u8> {
    request::form::encode_with(&prepared.wire, crate::log::mask_value)
}
