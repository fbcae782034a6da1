//! `paygent`: the merchant's command-line tool. It holds no protocol logic: configuration,
//! telegrams, transport and reply parsing are paygent-core's. This file only dispatches and turns outcomes into exit codes.

mod config;
mod confirm;
mod decode;
mod doctor;
mod i18n;
mod notices;
mod remedy;
mod send;
mod user;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "paygent",
    about = "PAYGENT connection module tool: check the set-up, send a telegram, read wire data, keep the payment notices"
)]
struct Cli {
    /// Message language (default: from LC_ALL / LC_MESSAGES / LANG).
    #[arg(long, global = true, value_enum)]
    lang: Option<i18n::Lang>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check the configuration, credentials, TLS path and (with --ping) the gateway account.
    Doctor(doctor::Args),
    /// Send one telegram built as the modules build it and print the parsed reply.
    Send(send::Args),
    /// Turn a pasted request body or raw reply into readable UTF-8.
    Decode(decode::Args),
    /// Ask the gateway (094) what became of a payment after a "maybe sent" failure.
    Confirm(confirm::Args),
    /// Print the shell completion script (bash, zsh, fish…) for this command.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Payment notices (091 差分照会) into SQLite, PostgreSQL or MySQL: init, sync, list, gaps.
    Notices(notices::Args),
}

/// `paygent --version`: the version, the default TLS backend and the OpenSSL it runs with.
fn version() -> String {
    format!(
        "{} (TLS: OpenSSL by default, rustls with tls_backend=rustls; {})",
        paygent_core::VERSION,
        paygent_core::transport::tls_library_version()
    )
}

fn main() -> ExitCode {
    // Built at run time (the OpenSSL in use), leaked once: clap wants a static string.
    let version: &'static str = Box::leak(version().into_boxed_str());
    let matches = Cli::command().version(version).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    let msg = i18n::Messages::new(cli.lang.unwrap_or_else(i18n::Lang::from_env));
    // Never a panic or a backtrace in front of an operator: a bug is a message and exit 2.
    paygent_core::boundary::install_quiet_panic_hook();
    let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match cli.command {
        Command::Doctor(a) => doctor::run(a, &msg),
        Command::Send(a) => send::run(a, &msg),
        Command::Decode(a) => decode::run(a, &msg),
        Command::Confirm(a) => confirm::run(a, &msg),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "paygent",
                &mut std::io::stdout(),
            );
            0
        }
        Command::Notices(a) => notices::run(a, &msg),
    }));
    ExitCode::from(code.unwrap_or_else(|payload| {
        if closed_pipe(&*payload) {
            // `| head`, `| true`: the reader went away; end quietly as a shell tool does.
            return CLOSED_PIPE;
        }
        eprintln!("{}", msg.get("internal_error", &[]));
        2
    }))
}

/// The exit status of a process that SIGPIPE ended (128 + 13), which is what a shell tool ending
/// at a closed pipe shows.
const CLOSED_PIPE: u8 = 141;

/// `println!` (and a writer's `expect`) panics when standard output is a pipe whose reader has
/// gone: SIGPIPE stays ignored, as in every Rust program, so that a socket write reports EPIPE
/// instead of killing the process in the middle of a payment.
fn closed_pipe(payload: &(dyn std::any::Any + Send)) -> bool {
    let text = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("");
    text.contains("Broken pipe")
}
