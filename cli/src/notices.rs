//! `paygent notices …` (scaffold: to be built on paygent-notices).

use crate::i18n::Messages;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Create or migrate the notices tables.
    Init {},
}

pub fn run(_cmd: Command, msg: &Messages) -> u8 {
    eprintln!("{}", msg.get("not_implemented", &[("command", "notices")]));
    2
}
