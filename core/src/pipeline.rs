//! The telegram pipeline of `post()` as three stages, each usable and testable alone
//! (docs/architecture.md "The telegram pipeline"): [`prepare`] (validate, encode) →
//! [`exchange`] (transport and retry policy; [`journal`] for `maybe_sent` failures) →
//! [`receive`] (parse, result CSV). `Module::post` composes them and keeps what the getters
//! serve.

use std::time::{Duration, Instant};

use crate::charset;
use crate::config::{self, Config, CsvMode};
use crate::error::{Error, ErrorKind, FailurePhase, TransportFailure};
use crate::journal;
use crate::params::Params;
use crate::php;
use crate::reply::{self, Reply, ReplyFormat, result_csv};
pub use crate::request::{ObjectSettings, Prepared, prepare};
use crate::transport::{self, HttpRequest, TransportSettings};

/// The time a telegram may take: `timeout_value` bounds the whole exchange, transport and
/// parsing alike.
#[derive(Clone, Copy, Debug)]
pub struct Deadline {
    /// The whole timeout.
    pub timeout: Duration,
    /// When it ends; `None` only if the clock cannot represent it (then each step gets the
    /// whole timeout).
    pub at: Option<Instant>,
}

impl Deadline {
    /// A deadline `secs` seconds from now (the prepared telegram's validated timeout).
    pub fn start(secs: f64) -> Self {
        let timeout = config::timeout_duration(secs);
        Self {
            timeout,
            at: Instant::now().checked_add(timeout),
        }
    }

    /// Time left now.
    pub fn left(&self) -> Duration {
        self.at.map_or(self.timeout, |d| {
            d.saturating_duration_since(Instant::now())
        })
    }

    /// `pause` still ends before the deadline.
    fn allows(&self, pause: Duration) -> bool {
        self.at.is_none_or(|d| Instant::now() + pause < d)
    }
}

/// Where and how the exchange stage sends.
#[derive(Clone, Copy, Debug)]
pub struct Exchange<'a> {
    /// The loaded configuration (`retry_not_sent`, `debug_flg`, reply limits, CSV mode).
    pub config: &'a Config,
    /// Credentials, verification, proxy and pool key.
    pub settings: &'a TransportSettings,
    /// `curl_php` (PHP) or LWP's form (Perl) (protocol.md §4.9).
    pub user_agent: &'a str,
}

/// An exchange that did not give a reply body: the error and how far the telegram got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExchangeFailure {
    /// E02004 / E02005 with the transport's errno, or E02005 for an HTTP status.
    pub error: Error,
    /// `NotSent` when no byte of the telegram left the process, else `MaybeSent`.
    pub phase: FailurePhase,
}

/// Stage 2: send the prepared telegram and return the reply body in the caller's charset.
///
/// Under `debug_flg` the masked request and the reply are logged. A failure before any byte left
/// the process is retried up to `retry_not_sent` times, 100 ms · 2ⁿ apart, while the deadline
/// allows (issue 12); anything after the first byte is never sent again (decisions.md 18). An
/// HTTP status outside 200–206, or a reply cut before its end (errno 18), fails `maybe_sent`.
/// `log` receives the module log's lines.
pub fn exchange(
    prepared: &Prepared,
    x: &Exchange<'_>,
    deadline: &Deadline,
    log: &mut dyn FnMut(&[u8]),
) -> Result<Vec<u8>, ExchangeFailure> {
    let config = x.config;
    if config.debug_flg {
        log(&[crate::log::REQUEST_LINE, &masked_body(prepared)].concat());
    }
    let mut attempt = 0;
    let reply = loop {
        let http = HttpRequest {
            url: &prepared.url,
            body: &prepared.body,
            user_agent: x.user_agent,
            timeout: deadline.left(),
            settings: x.settings,
            reply_max_size: config.reply_limit(&prepared.kind),
        };
        let failure = match transport::post(&http) {
            Ok(r) => break r,
            Err(f) => f,
        };
        log(&[
            format!("{}: {}: ", failure.errno, failure.text).as_bytes(),
            &prepared.url,
        ]
        .concat());
        let pause = Duration::from_millis(100 << attempt.min(4));
        if failure.phase == FailurePhase::NotSent
            && attempt < config.retry_not_sent
            && deadline.allows(pause)
        {
            attempt += 1;
            log(format!(
                "retry {attempt}/{} after a failure before sending (not_sent)",
                config.retry_not_sent
            )
            .as_bytes());
            std::thread::sleep(pause);
            continue;
        }
        let phase = failure.phase;
        let error = Error::transport(failure, file_notes(config));
        return Err(ExchangeFailure { error, phase });
    };
    // From here the gateway had the telegram: a failure may hide a processed payment.
    let maybe_sent = |error| ExchangeFailure {
        error,
        phase: FailurePhase::MaybeSent,
    };
    if !(200..=206).contains(&reply.status) {
        log(b"Cannot get http return code.");
        return Err(maybe_sent(Error::new(ErrorKind::HttpStatus(reply.status))));
    }
    let format = config.telegram(&prepared.kind).reply;
    if let Some(why) = reply::cut_short(format, &reply.body, reply.until_eof, config.csv_mode) {
        let failure = TransportFailure::new(18, why);
        log(failure.text.as_bytes());
        return Err(maybe_sent(Error::transport(failure, Vec::new())));
    }
    let body = charset::convert_reply(reply.body, prepared.reply_charset);
    if config.debug_flg {
        log(&[&b"response: \r\n"[..], &body].concat());
    }
    Ok(body)
}

/// What the receive stage needs besides the body.
#[derive(Clone, Copy, Debug)]
pub struct Receive<'a> {
    /// The kind's reply format (`Config::telegram(kind).reply`).
    pub format: ReplyFormat,
    /// How reference CSV lines are split.
    pub csv_mode: CsvMode,
    /// `setResultCsv`'s path as given; blank = no result CSV.
    pub result_csv: &'a [u8],
    /// Parsing gives up (E02005, errno 28) past it.
    pub deadline: Option<Instant>,
}

/// What the receive stage read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    /// The reply as far as it was read (the getters show it even after a parse error).
    pub reply: Reply,
    /// E02005 (no `result`), E01901 (column mismatch); the result CSV is then not written.
    pub parse_error: Option<Error>,
    /// The result CSV could not be written (E01004 open, E01005 write…).
    pub csv_error: Option<Error>,
}

impl Received {
    /// `getResultMessage()` after a reply: `<response_code>: <response_detail>` (§5.4).
    pub fn result_message(&self) -> Vec<u8> {
        [
            &self.reply.response_code[..],
            b": ",
            &self.reply.response_detail,
        ]
        .concat()
    }

    /// The gateway's answer is known (`result` read): the failure phase no longer applies.
    pub fn answered(&self) -> bool {
        !php::is_blank(&self.reply.result_status)
    }
}

/// Stage 3: parse the reply body — fully, or only its result when the records go to the result
/// CSV (§6.2) — then write the result CSV when one is set, the parse succeeded and §6.6 says so.
/// `Err` only when the deadline passed while parsing: no reply, as for a transport timeout.
pub fn receive(body: &[u8], r: &Receive<'_>) -> Result<Received, Error> {
    let csv_set = !php::is_blank(r.result_csv);
    let full = match r.format {
        ReplyFormat::Payment => true,
        ReplyFormat::Reference => !csv_set,
        ReplyFormat::FilePayment => false,
    };
    let parsed = reply::parse_until(r.format, body, full, r.csv_mode, r.deadline);
    if let Some(e) = parsed
        .error
        .as_ref()
        .filter(|e| matches!(e.kind, ErrorKind::Transport { .. }))
    {
        return Err(e.clone());
    }
    let csv_error =
        if parsed.error.is_none() && csv_set && result_csv::should_write(r.format, &parsed.reply) {
            result_csv::write(&php::bytes_to_path(r.result_csv), r.format, body).err()
        } else {
            None
        };
    Ok(Received {
        reply: parsed.reply,
        parse_error: parsed.error,
        csv_error,
    })
}

/// The exchange policy's last step: record a `maybe_sent` telegram of `kind` in the journal
/// (journal.rs) and return the module log line that says where it went — or, when it could not
/// be written, the line naming the telegram so that it is confirmed by hand: never silently
/// lost. `None`: nothing to record (an inquiry changes nothing; `journal_dir=off`).
/// `failure` is the failure's result message.
pub fn journal(config: &Config, kind: &[u8], params: &Params, failure: &[u8]) -> Option<Vec<u8>> {
    if crate::telegram::effect(kind) == crate::telegram::Effect::ReadOnly {
        return None;
    }
    let id = |k: &[u8]| params.get(k).unwrap_or_default();
    let entry = journal::Entry::new(
        kind,
        id(b"merchant_id"),
        id(b"trading_id"),
        id(b"payment_id"),
        failure,
    );
    let why = match journal::directory(config, true) {
        Ok(None) => return None, // journal_dir=off: the merchant's choice
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
                return Some(line.into_bytes());
            }
            Err(why) => why,
        },
        Err(why) => why,
    };
    let mut line = format!("warning: maybe_sent telegram NOT journaled ({why}): ").into_bytes();
    for (k, v) in [
        (crate::telegram::TELEGRAM_KIND_KEY, &entry.telegram_kind),
        ("merchant_id", &entry.merchant_id),
        ("trading_id", &entry.trading_id),
        ("payment_id", &entry.payment_id),
    ] {
        line.extend_from_slice(format!("{k}=").as_bytes());
        line.extend_from_slice(v);
        line.push(b' ');
    }
    line.extend_from_slice(b"- confirm it by hand (paygent confirm --trading-id ...)");
    Some(line)
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
        let p = php::bytes_to_path(path);
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
pub fn masked_body(prepared: &Prepared) -> Vec<u8> {
    crate::request::form::encode_with(&prepared.wire, crate::log::mask_value)
}
