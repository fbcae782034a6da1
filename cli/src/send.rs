//! `paygent send`: one telegram built exactly as the modules build it (values given in UTF-8,
//! converted to Windows-31J as `caller_encoding=UTF-8` converts them), its reply printed as
//! UTF-8. The telegram pipeline, transport and parsers are core's `Module`.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;

use paygent_core::telegram::TELEGRAM_KIND_KEY;
use paygent_core::{Error, Module};
use serde_json::{Map, Value, json};

use crate::config;
use crate::i18n::Messages;

/// Exit codes: 0 result=0; 1 the gateway answered with an error (result=1); 2 module error
/// (configuration, validation, connection: printed with its E0xxxx code).
#[derive(clap::Args)]
pub struct Args {
    /// Telegram parameters, `key=value` (UTF-8), e.g. `telegram_kind=094 payment_id=…`.
    #[arg(value_name = "KEY=VALUE")]
    pairs: Vec<String>,
    /// modenv_properties.php or paygent.properties (default: $PAYGENT_PROPERTIES,
    /// ./modenv_properties.php, ./paygent.properties).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Read the parameters from a JSON object (FILE, or - for standard input) instead.
    #[arg(long = "params", value_name = "FILE|-")]
    params_file: Option<PathBuf>,
    /// Print the target URL and the masked wire body; send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Write the result CSV (027/090/201) like the modules' setResultCsv.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// File payment (200): the file to send (up to 10 MB).
    #[arg(long, value_name = "PATH")]
    send_file: Option<PathBuf>,
    /// One JSON object on stdout.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args, msg: &Messages) -> u8 {
    let params = match parameters(&args) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{}", msg.get("send.bad_params", &[("detail", &e)]));
            return 2;
        }
    };
    let Some(found) = config::find_for_command(args.config.as_deref(), msg, args.json) else {
        return 2;
    };
    let mut m = found.utf8_module();
    if let Err(e) = m.init() {
        return module_error(&m, &e, msg);
    }
    for (k, v) in &params {
        m.req_put(k.as_bytes(), v.as_bytes());
    }
    if let Some(p) = &args.send_file {
        m.set_send_file_path(p.as_os_str().as_encoded_bytes());
    }
    if let Some(p) = &args.out {
        m.set_result_csv(p.as_os_str().as_encoded_bytes());
    }
    if args.dry_run {
        return match m.dry_run() {
            Ok((url, body)) => {
                let (url, body) = (text(&url), text(&body));
                if args.json {
                    println!("{}", crate::term::json(&json!({"url": url, "body": body})));
                } else {
                    let (url, body) = (
                        crate::term::visible(&url, false),
                        crate::term::visible(&body, false),
                    );
                    println!("POST {url}\n{body}");
                }
                0
            }
            Err(e) => module_error(&m, &e, msg),
        };
    }
    // File payment and reference downloads can take a while (core's table of kinds, with this
    // configuration's telegram_kind.ref): a spinner, only on a terminal.
    let kind = m.req_get(TELEGRAM_KIND_KEY.as_bytes()).unwrap_or_default();
    let long = m.config().is_some_and(|c| c.telegram(kind).long_running);
    let spinner = (long && std::io::stderr().is_terminal()).then(|| {
        let pb = indicatif::ProgressBar::new_spinner();
        pb.set_message(msg.get("send.waiting", &[]));
        pb.enable_steady_tick(std::time::Duration::from_millis(120));
        pb
    });
    let posted = m.post();
    if let Some(pb) = spinner {
        pb.finish_and_clear();
    }
    if let Err(e) = &posted {
        if m.result_status().is_none() {
            return module_error(&m, e, msg);
        }
    }
    let result = text(m.result_status().unwrap_or_default());
    let head = [
        ("result", result.clone()),
        ("response_code", text(m.response_code().unwrap_or_default())),
        (
            "response_detail",
            text(m.response_detail().unwrap_or_default()),
        ),
    ];
    let records: Vec<Vec<(String, String)>> = m
        .records()
        .iter()
        .map(|r| r.iter().map(|(k, v)| (text(k), text(v))).collect())
        .collect();
    if args.json {
        let mut obj: Map<String, Value> = head
            .iter()
            .map(|(k, v)| (k.to_string(), Value::from(v.as_str())))
            .collect();
        obj.insert(
            "records".into(),
            records.iter().map(|r| object(r)).collect::<Vec<_>>().into(),
        );
        if let Err(e) = &posted {
            obj.insert("error".into(), text(&e.warning_text(m.dialect())).into());
        }
        println!("{}", crate::term::json(&Value::Object(obj)));
    } else {
        let head: Vec<(String, String)> = head
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        crate::decode::print_aligned(&head);
        for (i, r) in records.iter().enumerate() {
            println!(
                "{}",
                msg.get("decode.record", &[("n", &(i + 1).to_string())])
            );
            crate::decode::print_aligned(r);
        }
        if let Err(e) = &posted {
            let t = text(&e.warning_text(m.dialect()));
            eprintln!("{}", crate::term::visible(&t, false));
        }
    }
    match (result.as_str(), &posted) {
        ("0", Ok(())) => 0,
        (_, Err(_)) if result != "1" => 2,
        _ => 1,
    }
}

/// The module's error: code and message, and what to do about it.
pub(crate) fn module_error(m: &Module, e: &Error, msg: &Messages) -> u8 {
    let text_of = match m.result_message() {
        b"" => e.warning_text(m.dialect()),
        t => t.to_vec(),
    };
    print_module_error(&text(&text_of), e, msg)
}

/// A module error on stderr: its text, then the remedy for its code (exit 2).
pub(crate) fn print_module_error(text: &str, e: &Error, msg: &Messages) -> u8 {
    // The text may carry the reply's response_detail: no control character to the terminal.
    eprintln!("{}", crate::term::visible(text, false));
    // The remedy for the actual cause, not only the code (cli/src/remedy.rs).
    eprintln!("{}", crate::remedy::line(e, msg));
    2
}

/// `key=value` arguments, or the `--params` JSON object (strings, numbers as written).
fn parameters(args: &Args) -> Result<Vec<(String, String)>, String> {
    if let Some(p) = &args.params_file {
        let mut raw = String::new();
        let read = if p.as_os_str() == "-" {
            std::io::stdin().take(16 << 20).read_to_string(&mut raw)
        } else {
            std::fs::File::open(p).and_then(|f| f.take(16 << 20).read_to_string(&mut raw))
        };
        read.map_err(|e| format!("{}: {e}", p.display()))?;
        let v: Value = serde_json::from_str(&raw).map_err(|e| format!("{}: {e}", p.display()))?;
        let obj = v.as_object().ok_or("--params: not a JSON object")?;
        return obj
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                Value::Number(n) => Ok((k.clone(), n.to_string())),
                _ => Err(format!("{k}: only strings and numbers")),
            })
            .collect();
    }
    args.pairs
        .iter()
        .map(|a| {
            a.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .ok_or_else(|| format!("{a}: not key=value"))
        })
        .collect()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn object(items: &[(String, String)]) -> Value {
    Value::Object(
        items
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect(),
    )
}
