//! `paygent confirm` (scaffold: to be built).

use crate::i18n::Messages;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args, msg: &Messages) -> u8 {
    eprintln!("{}", msg.get("not_implemented", &[("command", "confirm")]));
    2
}
