//! `paygent`: the merchant's command-line tool. It holds no protocol logic: configuration,
//! telegrams, transport and reply parsing are paygent-core's. This file only dispatches and
//! turns outcomes into exit codes (a usage error: 64, usage.rs).

mod config;
mod confirm;
mod decode;
mod doctor;
mod i18n;
mod manpages;
mod notices;
mod output;
mod remedy;
mod send;
mod term;
mod usage;
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
    /// Write the manual pages (one per command) in the --lang language: for packaging.
    #[command(hide = true)]
    Manpages(manpages::Args),
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
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let msg = i18n::Messages::new(i18n::Lang::from_args_or_env(&args));
    // A Shift_JIS or EUC-JP locale: everything written from here on is re-encoded.
    let recoder = output::locale_charset().and_then(output::install);
    let code = run(args, &msg);
    if let Some(r) = recoder {
        r.finish();
    }
    ExitCode::from(code)
}

/// What shell completion offers: `cmd` without its hidden subcommands (`manpages` is run by the
/// packaging, not by an operator). clap_complete lists hidden subcommands too, and clap cannot
/// remove one, so the tree is copied without them.
fn completable(cmd: &clap::Command) -> clap::Command {
    let mut out = clap::Command::new(cmd.get_name().to_owned()).args(cmd.get_arguments().cloned());
    if let Some(about) = cmd.get_about() {
        out = out.about(about.clone());
    }
    for s in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        out = out.subcommand(completable(s));
    }
    out
}

fn run(args: Vec<std::ffi::OsString>, msg: &i18n::Messages) -> u8 {
    // Built at run time (the OpenSSL in use), leaked once: clap wants a static string.
    let version: &'static str = Box::leak(version().into_boxed_str());
    let command = usage::localise(Cli::command().version(version), msg);
    let parsed = command
        .clone()
        .try_get_matches_from(args)
        .and_then(|m| Cli::from_arg_matches(&m).map(|c| (c, m)));
    let (cli, matches) = match parsed {
        Ok(p) => p,
        Err(e) => return argument_error(&e, msg),
    };
    // --lang given after an argument clap refused is not seen above; it is here.
    let other;
    let msg = match cli.lang {
        Some(l) if l != msg.lang() => {
            other = i18n::Messages::new(l);
            &other
        }
        _ => msg,
    };
    if matches!(
        cli.command,
        Command::Send(_) | Command::Confirm(_) | Command::Notices(_)
    ) {
        // Doctor reports it among its checks.
        if let Some(w) = user::root_warning(config_argument(&matches).as_deref(), msg) {
            eprintln!("{w}");
        }
    }
    // Never a panic or a backtrace in front of an operator: a bug is a message and exit 2.
    paygent_core::boundary::install_quiet_panic_hook();
    let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match cli.command {
        Command::Doctor(a) => doctor::run(a, msg),
        Command::Send(a) => send::run(a, msg),
        Command::Decode(a) => decode::run(a, msg),
        Command::Confirm(a) => confirm::run(a, msg),
        Command::Completions { shell } => {
            let mut command = completable(&Cli::command()).version(version);
            clap_complete::generate(shell, &mut command, "paygent", &mut std::io::stdout());
            0
        }
        Command::Notices(a) => notices::run(a, msg),
        // From the definition again, localised in the language finally chosen.
        Command::Manpages(a) => manpages::run(
            &a,
            usage::localise(Cli::command().version(version), msg),
            msg,
        ),
    }));
    code.unwrap_or_else(|payload| {
        if closed_pipe(&*payload) {
            // `| head`, `| true`: the reader went away; end quietly as a shell tool does.
            return CLOSED_PIPE;
        }
        eprintln!("{}", msg.get("internal_error", &[]));
        2
    })
}

/// `--help` and `--version` (exit 0), or a usage error in the operator's language (exit 64).
fn argument_error(e: &clap::Error, msg: &i18n::Messages) -> u8 {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            0
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            // `paygent` or `paygent notices` alone: the help, as a usage error.
            eprint!("{}", e.render());
            usage::USAGE
        }
        _ => {
            eprintln!("{}", usage::render(e, msg));
            usage::USAGE
        }
    }
}

/// The configuration file the command will read, for the root warning's advice: `--config`,
/// else the first default candidate that exists.
fn config_argument(matches: &clap::ArgMatches) -> Option<std::path::PathBuf> {
    let mut m = matches;
    while let Some((_, sub)) = m.subcommand() {
        m = sub;
    }
    let given = m
        .try_get_one::<std::path::PathBuf>("config")
        .ok()
        .flatten()
        .cloned();
    given.or_else(config::default_path)
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
