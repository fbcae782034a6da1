//! The object model the bindings mirror (`PaygentB2BModule`, `Paygent::B2B`): parameters persist
//! on the object, each `post()` resets the reply state (decisions.md 10), getters are `None`
//! before a reply.

use std::sync::Arc;

use crate::config::{Config, ConfigSource};
pub use crate::error::Dialect;
use crate::error::{Error, ErrorKind, FailurePhase, Warning, WarningLevel};
use crate::log::Logger;
use crate::params::{Params, Record};
use crate::pipeline::{self, Deadline, Exchange, Receive, Received};
use crate::reply::Reply;
use crate::request::{self, Encoding, ObjectSettings};
use crate::telegram::TELEGRAM_KIND_KEY;
use crate::transport::TransportSettings;

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
    ///
    /// The stages of [`crate::pipeline`]: prepare → exchange → receive; this object keeps the
    /// kind, the failure phase, the reply and its messages.
    pub fn post(&mut self) -> Result<(), Error> {
        let r = self.post_stages();
        // Not a let chain: the crate's rust-version is 1.85.
        if let (Err(e), Some(config)) = (&r, self.config.clone()) {
            if self.failure_phase == Some(FailurePhase::MaybeSent) {
                let failure = e
                    .result_message(self.dialect)
                    .unwrap_or_else(|| e.warning_text(self.dialect));
                let kind = self.telegram_kind.clone();
                if let Some(line) = pipeline::journal(&config, &kind, &self.params, &failure) {
                    self.log(&line); // logged only: the warnings stay the official module's
                }
            }
        }
        r
    }

    fn post_stages(&mut self) -> Result<(), Error> {
        let (config, settings) = self.start_post()?;
        let prepared = pipeline::prepare(&mut self.params, &self.inst, &config);
        let prepared = prepared.map_err(|e| self.fail(e))?;
        self.telegram_kind = prepared.kind.clone();
        let deadline = Deadline::start(prepared.timeout_secs);
        let x = Exchange {
            config: &config,
            settings: &settings,
            user_agent: self.user_agent(),
        };
        let body = match pipeline::exchange(&prepared, &x, &deadline, &mut |l| self.log(l)) {
            Ok(body) => body,
            Err(f) => {
                self.failure_phase = Some(f.phase);
                return Err(self.fail(f.error));
            }
        };
        self.failure_phase = Some(FailurePhase::MaybeSent);
        let receive = Receive {
            format: config.telegram(&prepared.kind).reply,
            csv_mode: config.csv_mode,
            result_csv: &self.inst.result_csv,
            deadline: deadline.at,
        };
        let received = pipeline::receive(&body, &receive).map_err(|e| self.fail(e))?;
        self.keep(received)
    }

    /// Before the stages: the previous reply cleared (decisions.md 10, unless
    /// `compat=keep_stale_reply`), `init()` run if the script never called it, the kind captured
    /// (a refused telegram still reports it).
    fn start_post(&mut self) -> Result<(Arc<Config>, Arc<TransportSettings>), Error> {
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
        let kind = self.params.get(TELEGRAM_KIND_KEY.as_bytes());
        self.telegram_kind = kind.unwrap_or_default().to_vec();
        match (&self.config, &self.settings) {
            (Some(c), Some(s)) => Ok((c.clone(), s.clone())),
            _ => Err(Error::new(ErrorKind::Internal(
                "configuration missing".into(),
            ))),
        }
    }

    /// After the receive stage: the reply, its message and its errors become the object's.
    fn keep(&mut self, r: Received) -> Result<(), Error> {
        self.result_message = r.result_message();
        if r.answered() {
            self.failure_phase = None; // the gateway's answer is known
        }
        self.reply = Some(r.reply);
        if let Some(e) = r.parse_error {
            self.warn(WarningLevel::Warning, e.warning_text(self.dialect));
            return Err(e);
        }
        if let Some(e) = r.csv_error {
            if e.kind == ErrorKind::CsvOpen {
                let notice = [
                    &b"cannot open file "[..],
                    &self.inst.result_csv,
                    b" to write",
                ];
                self.warn(WarningLevel::Notice, notice.concat());
            }
            self.warn(WarningLevel::Warning, e.warning_text(self.dialect));
            return Err(e);
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
        let masked = pipeline::masked_body(&p);
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
