//! `paygent confirm`: after a `maybe_sent` failure, what did the gateway do with that telegram?
//! The 094 payment information inquiry of paygent-core (`confirm::inquire`); this file only
//! reads arguments and prints.

use std::path::PathBuf;

use paygent_core::confirm::{Confirmation, inquire};

use crate::config;
use crate::i18n::Messages;

/// Exit codes: 0 found, 1 not found (yet), 2 unknown (the inquiry failed, or no configuration).
#[derive(clap::Args)]
#[command(
    after_help = "Exit codes: 0 found; 1 not found (the gateway has no such payment yet: \
it may still be in flight, ask again later); 2 unknown (the inquiry itself failed, or the \
configuration could not be read)."
)]
pub struct Args {
    /// modenv_properties.php or paygent.properties (default: $PAYGENT_PROPERTIES,
    /// ./modenv_properties.php, ./paygent.properties).
    #[arg(long)]
    config: Option<PathBuf>,
    /// The trading_id the lost telegram carried.
    #[arg(long, required_unless_present = "payment_id")]
    trading_id: Option<String>,
    /// The payment_id, when known.
    #[arg(long)]
    payment_id: Option<String>,
    /// merchant_id to send (when the configuration does not add it).
    #[arg(long)]
    merchant_id: Option<String>,
    /// One JSON object on stdout.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args, msg: &Messages) -> u8 {
    let Some(found) = config::find_for_command(args.config.as_deref(), msg, args.json) else {
        return 2;
    };
    let merchant = args.merchant_id.unwrap_or_default();
    let common: Vec<(&[u8], &[u8])> = if merchant.is_empty() {
        Vec::new()
    } else {
        vec![(b"merchant_id", merchant.as_bytes())]
    };
    let c = inquire(
        found.dialect,
        found.source,
        args.trading_id.unwrap_or_default().as_bytes(),
        args.payment_id.unwrap_or_default().as_bytes(),
        &common,
    );
    let items: Vec<(String, String)> = c
        .items()
        .into_iter()
        .map(|(k, v)| (String::from_utf8_lossy(k).into_owned(), decode(v)))
        .collect();
    if args.json {
        let obj: serde_json::Map<String, serde_json::Value> =
            items.into_iter().map(|(k, v)| (k, v.into())).collect();
        println!("{}", crate::term::json(&serde_json::Value::Object(obj)));
    } else {
        println!("{}", msg.get(&format!("confirm.{}", c.outcome()), &[]));
        for (k, v) in items.iter().skip(1) {
            let (k, v) = (
                crate::term::visible(k, false),
                crate::term::visible(v, false),
            );
            println!("  {k:<15} {v}");
        }
        if c == Confirmation::NotFound {
            eprintln!("{}", msg.get("confirm.not_found_remedy", &[]));
        } else if matches!(c, Confirmation::Unknown { .. }) {
            eprintln!("{}", msg.get("confirm.unknown_remedy", &[]));
        }
    }
    match c {
        Confirmation::Found { .. } => 0,
        Confirmation::NotFound => 1,
        Confirmation::Unknown { .. } => 2,
    }
}

/// Reply bytes are Windows-31J: shown as UTF-8.
fn decode(v: &[u8]) -> String {
    encoding_rs::SHIFT_JIS.decode(v).0.into_owned()
}
