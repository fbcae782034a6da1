//! `paygent decode`: what support staff paste — a URL-encoded Shift_JIS request body (or many,
//! one a line: `grep 'request:' paygent.log`), or a raw reply (HTTP head optional, `key=value`
//! or CSV) — as readable UTF-8 lines or JSON; anything else is refused (exit 1), never echoed.
//! Reading is core's (`wire::requests`, `wire::decode`, the modules' parsers); secrets are
//! masked by core's `log::mask_shown`: the log's key rules, plus any card number in any value.

use std::io::Read;
use std::path::PathBuf;

use paygent_core::log::mask_shown;
use paygent_core::reply::ReplyFormat;
use paygent_core::wire::{Pasted, decode, requests};
use serde_json::{Map, Value, json};

use crate::i18n::Messages;

/// What is read at most: a file payment result of a 10 MB file with room to spare.
const INPUT_MAX: u64 = 64 * 1024 * 1024;

/// Exit codes: 0 decoded; 1 neither request bodies nor a reply; 2 the input could not be read.
#[derive(clap::Args)]
pub struct Args {
    /// The pasted data; `-` or nothing: standard input.
    file: Option<PathBuf>,
    /// One JSON object on stdout.
    #[arg(long)]
    json: bool,
    /// Show card numbers, security codes, passwords and tokens as they are.
    #[arg(long)]
    unmasked: bool,
}

pub fn run(args: Args, msg: &Messages) -> u8 {
    let mut input = Vec::new();
    let read = match args.file.as_deref().filter(|p| p.as_os_str() != "-") {
        Some(p) => {
            std::fs::File::open(p).and_then(|f| f.take(INPUT_MAX + 1).read_to_end(&mut input))
        }
        None => std::io::stdin().take(INPUT_MAX + 1).read_to_end(&mut input),
    };
    let name = args
        .file
        .as_ref()
        .map_or("-".into(), |p| p.display().to_string());
    if let Err(e) = read {
        eprintln!(
            "{}",
            msg.get(
                "decode.unreadable",
                &[("path", &name), ("detail", &e.to_string())]
            )
        );
        return 2;
    }
    if input.len() as u64 > INPUT_MAX {
        eprintln!("{}", msg.get("decode.too_large", &[("path", &name)]));
        return 2;
    }
    let show = |key: &[u8], value: &[u8]| -> String {
        let masked = if args.unmasked {
            None
        } else {
            mask_shown(key, value)
        };
        text(masked.as_deref().unwrap_or(value))
    };
    let pairs = |it: &mut dyn Iterator<Item = (&[u8], &[u8])>| -> Vec<(String, String)> {
        it.map(|(k, v)| (text(k), show(k, v))).collect()
    };
    // Request bodies, one a line (a single body too): one block (one JSON object a line) each.
    let print_request = |params: &paygent_core::params::Params| {
        let items = pairs(&mut params.iter());
        if args.json {
            let out = json!({"kind": "request", "params": object(&items)});
            println!("{}", crate::term::json(&out));
        } else {
            println!("{}", msg.get("decode.request", &[]));
            print_aligned(&items);
        }
    };
    if let Some(bodies) = requests(&input) {
        bodies.iter().for_each(print_request);
        return 0;
    }
    let out = match decode(&input) {
        // Never echoed: it may be anything, card data or terminal controls included.
        Pasted::Unrecognised => {
            let bytes = input.len().to_string();
            eprintln!(
                "{}",
                msg.get("decode.unrecognised", &[("path", &name), ("bytes", &bytes)])
            );
            return 1;
        }
        // `requests` above takes every request body already.
        Pasted::Request(params) => {
            print_request(&params);
            return 0;
        }
        Pasted::Reply {
            http_status,
            format,
            parsed,
        } => {
            let r = &parsed.reply;
            let records: Vec<Vec<(String, String)>> =
                r.records.iter().map(|rec| pairs(&mut rec.iter())).collect();
            let format = match format {
                ReplyFormat::Payment => "payment",
                ReplyFormat::Reference => "reference",
                ReplyFormat::FilePayment => "file_payment",
            };
            let error = parsed
                .error
                .as_ref()
                .map(|e| text(&e.warning_text(paygent_core::Dialect::Php)));
            if args.json {
                json!({
                    "kind": "reply",
                    "format": format,
                    "http_status": http_status,
                    "result": text(&r.result_status),
                    "response_code": text(&r.response_code),
                    "response_detail": text(&r.response_detail),
                    "records": records.iter().map(|items| object(items)).collect::<Vec<_>>(),
                    "error": error,
                })
            } else {
                println!("{}", msg.get("decode.reply", &[("format", format)]));
                let mut head = vec![
                    ("result".to_string(), text(&r.result_status)),
                    ("response_code".to_string(), text(&r.response_code)),
                    ("response_detail".to_string(), text(&r.response_detail)),
                ];
                if let Some(s) = http_status {
                    head.insert(0, ("http_status".into(), s.to_string()));
                }
                print_aligned(&head);
                for (i, items) in records.iter().enumerate() {
                    println!(
                        "{}",
                        msg.get("decode.record", &[("n", &(i + 1).to_string())])
                    );
                    print_aligned(items);
                }
                if let Some(e) = error {
                    let e = crate::term::visible(&e, false);
                    println!("{}", msg.get("decode.parse_error", &[("error", &e)]));
                }
                return 0;
            }
        }
    };
    println!("{}", crate::term::json(&out));
    0
}

/// Windows-31J bytes as UTF-8 (what the gateway and the modules exchange).
fn text(b: &[u8]) -> String {
    encoding_rs::SHIFT_JIS.decode(b).0.into_owned()
}

fn object(items: &[(String, String)]) -> Value {
    Value::Object(
        items
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect::<Map<_, _>>(),
    )
}

/// `key  value` lines, keys aligned; control characters of keys and values shown as escapes
/// ([`crate::term::visible`]).
pub fn print_aligned(items: &[(String, String)]) {
    let items: Vec<(String, String)> = items
        .iter()
        .map(|(k, v)| {
            (
                crate::term::visible(k, false).into_owned(),
                // A multi-line value (out_acs_html) keeps its lines, indented under the key.
                crate::term::visible(&v.replace("\r\n", "\n"), true).into_owned(),
            )
        })
        .collect();
    let width = items
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let pad = " ".repeat(width + 4);
    for (k, v) in &items {
        let v = v.replace('\n', &format!("\n{pad}"));
        println!("  {k:<width$}  {v}");
    }
}
