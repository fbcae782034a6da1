//! The command line's own texts in the operator's language: every about, argument help and
//! exit code table comes from the message files (`help.<command path>[.<argument id>]`), the
//! headings too, and an argument error is written from clap's error context with the message
//! files' words. A usage error exits [`USAGE`], apart from every command's own codes.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command};

use crate::i18n::{Lang, Messages};

/// Exit status of a usage error (bad or missing arguments): sysexits.h's EX_USAGE, distinct
/// from every command's own codes (0–6) and from 141 (closed pipe).
pub const USAGE: u8 = 64;

/// `cmd` and its subcommands with every text from the message files.
pub fn localise(cmd: Command, msg: &Messages) -> Command {
    let mut cmd = walk(cmd, "paygent", msg, true);
    // The `help` subcommand clap adds is only there once built.
    cmd.build();
    fix_help_subcommands(&mut cmd, msg);
    cmd
}

fn walk(mut cmd: Command, path: &str, msg: &Messages, root: bool) -> Command {
    let key = format!("help.{path}");
    if msg.has(&key) {
        cmd = cmd.about(msg.get(&key, &[])).long_about(None);
    }
    let after = format!("{key}.after");
    if msg.has(&after) {
        cmd = cmd.after_help(msg.get(&after, &[])).after_long_help(None);
    }
    let ja = msg.lang() == Lang::Ja;
    let ids: Vec<(String, bool)> = cmd
        .get_arguments()
        .map(|a| (a.get_id().to_string(), a.is_positional()))
        .collect();
    for (id, positional) in ids {
        let k = format!("{key}.{id}");
        let text = msg.has(&k).then(|| msg.get(&k, &[]));
        let heading = ja.then(|| heading(msg, positional));
        cmd = cmd.mut_arg(&id, |a| {
            let a = match text {
                Some(t) => a.help(t).long_help(None),
                None => a,
            };
            match heading {
                Some(h) => bracketed(a.help_heading(h), msg),
                None => a,
            }
        });
    }
    let mut help = Arg::new("help")
        .short('h')
        .long("help")
        .action(ArgAction::Help)
        .global(false)
        .help(msg.get("help.flag.help", &[]));
    if ja {
        help = help.help_heading(heading(msg, false));
    }
    cmd = cmd.disable_help_flag(true).arg(help);
    if root {
        let mut version = Arg::new("version")
            .short('V')
            .long("version")
            .action(ArgAction::Version)
            .help(msg.get("help.flag.version", &[]));
        if ja {
            version = version.help_heading(heading(msg, false));
        }
        cmd = cmd.disable_version_flag(true).arg(version);
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        let child = format!("{path}.{name}");
        cmd = cmd.mut_subcommand(&name, |s| walk(s, &child, msg, false));
    }
    if ja {
        cmd = cmd
            .subcommand_help_heading(msg.text("help.heading.commands"))
            .help_template(format!(
                "{{before-help}}{{about-with-newline}}\n{} {{usage}}\n\n{{all-args}}{{after-help}}",
                msg.get("usage.heading", &[])
            ));
    }
    cmd
}

/// clap's own `[possible values: …]`, `[default: …]`, `[env: …]` after an argument's help, in
/// the message files' words.
fn bracketed(a: Arg, msg: &Messages) -> Arg {
    if !a.get_action().takes_values() {
        return a;
    }
    let mut extra = Vec::new();
    let values: Vec<String> = a
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect();
    if !values.is_empty() {
        extra.push(msg.get("help.bracket.values", &[("values", &values.join(", "))]));
    }
    let defaults: Vec<String> = a
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() {
        extra.push(msg.get("help.bracket.default", &[("value", &defaults.join(", "))]));
    }
    if let Some(env) = a.get_env() {
        extra.push(msg.get("help.bracket.env", &[("name", &env.to_string_lossy())]));
    }
    if extra.is_empty() {
        return a;
    }
    let help = a.get_help().map(ToString::to_string).unwrap_or_default();
    a.help(format!("{help} {}", extra.join(" ")))
        .hide_possible_values(true)
        .hide_default_value(true)
        .hide_env(true)
}

fn heading(msg: &Messages, positional: bool) -> &'static str {
    msg.text(if positional {
        "help.heading.arguments"
    } else {
        "help.heading.options"
    })
}

/// The about of clap's own `help` subcommands (`paygent help`, `paygent notices help`).
fn fix_help_subcommands(cmd: &mut Command, msg: &Messages) {
    for sub in cmd.get_subcommands_mut() {
        if sub.get_name() == "help" {
            *sub = std::mem::take(sub).about(msg.get("help.help", &[]));
        } else {
            fix_help_subcommands(sub, msg);
        }
    }
}

/// A clap error (not `--help`/`--version`) written in the operator's language: what is wrong,
/// a suggestion when clap has one, the usage line and where to read more.
pub fn render(e: &clap::Error, msg: &Messages) -> String {
    let s = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(v)) => Some(v.clone()),
        Some(ContextValue::Strings(v)) => Some(v.join(", ")),
        Some(ContextValue::StyledStr(v)) => Some(v.to_string()),
        Some(ContextValue::StyledStrs(v)) => Some(
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Some(ContextValue::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let arg = s(ContextKind::InvalidArg).unwrap_or_default();
    let value = s(ContextKind::InvalidValue).unwrap_or_default();
    let what = match e.kind() {
        ErrorKind::UnknownArgument => msg.get("usage.unknown_argument", &[("arg", &arg)]),
        ErrorKind::InvalidValue if value.is_empty() => {
            msg.get("usage.missing_value", &[("arg", &arg)])
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation | ErrorKind::TooManyValues => {
            let mut t = msg.get("usage.invalid_value", &[("arg", &arg), ("value", &value)]);
            if let Some(valid) = s(ContextKind::ValidValue) {
                t.push_str(&msg.get("usage.possible_values", &[("values", &valid)]));
            }
            t
        }
        ErrorKind::InvalidSubcommand => {
            let name = s(ContextKind::InvalidSubcommand).unwrap_or_default();
            msg.get("usage.invalid_subcommand", &[("name", &name)])
        }
        ErrorKind::MissingRequiredArgument => msg.get("usage.missing_required", &[("args", &arg)]),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let name = s(ContextKind::InvalidSubcommand).unwrap_or_else(|| "paygent".into());
            let valid = s(ContextKind::ValidSubcommand).unwrap_or_default();
            msg.get(
                "usage.missing_subcommand",
                &[("name", &name), ("values", &valid)],
            )
        }
        ErrorKind::ArgumentConflict => {
            let prior = s(ContextKind::PriorArg).unwrap_or_default();
            if prior == arg {
                msg.get("usage.repeated", &[("arg", &arg)])
            } else {
                msg.get("usage.conflict", &[("arg", &arg), ("other", &prior)])
            }
        }
        ErrorKind::InvalidUtf8 => msg.get("usage.invalid_utf8", &[]),
        // NoEquals, TooFewValues, WrongNumberOfValues: no argument of paygent can cause them.
        _ => msg.get("usage.bad_arguments", &[("arg", &arg)]),
    };
    let mut out = msg.get("usage.error", &[("what", &what)]);
    let tip = s(ContextKind::SuggestedArg)
        .or_else(|| s(ContextKind::SuggestedSubcommand))
        .or_else(|| s(ContextKind::SuggestedValue));
    if let Some(tip) = tip {
        out.push_str("\n\n  ");
        out.push_str(&msg.get("usage.tip", &[("value", &tip)]));
    }
    if let Some(usage) = s(ContextKind::Usage) {
        let usage = usage.trim_start();
        let usage = usage.strip_prefix("Usage:").unwrap_or(usage).trim_start();
        out.push_str("\n\n");
        out.push_str(&msg.get("usage.heading", &[]));
        out.push(' ');
        out.push_str(usage);
    }
    out.push_str("\n\n");
    out.push_str(&msg.get("usage.more", &[("code", &USAGE.to_string())]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every command and argument has its text in the message files (so none stays English
    /// under --lang ja), and every help key names a real command or argument.
    #[test]
    fn every_command_and_argument_has_its_text() {
        let msg = Messages::new(Lang::En);
        let mut missing = Vec::new();
        let mut known = vec![
            "help.bracket.values".to_string(),
            "help.bracket.default".into(),
            "help.bracket.env".into(),
            "help.flag.help".into(),
            "help.flag.version".into(),
            "help.help".into(),
            "help.heading.commands".into(),
            "help.heading.arguments".into(),
            "help.heading.options".into(),
        ];
        fn visit(
            c: &Command,
            path: &str,
            msg: &Messages,
            missing: &mut Vec<String>,
            known: &mut Vec<String>,
        ) {
            let key = format!("help.{path}");
            // `.after` is the exit code table: every command has one (the attributes of the
            // command structs are not read; the message files are the only source).
            for k in [key.clone(), format!("{key}.after")] {
                if !msg.has(&k) {
                    missing.push(k.clone());
                }
                known.push(k);
            }
            for a in c.get_arguments() {
                let k = format!("{key}.{}", a.get_id());
                if !msg.has(&k) {
                    missing.push(k.clone());
                }
                known.push(k);
            }
            for s in c.get_subcommands() {
                visit(s, &format!("{path}.{}", s.get_name()), msg, missing, known);
            }
        }
        visit(
            &crate::Cli::command(),
            "paygent",
            &msg,
            &mut missing,
            &mut known,
        );
        assert!(missing.is_empty(), "no text for: {missing:?}");
        let stray: Vec<&str> = crate::i18n::keys()
            .into_iter()
            .filter(|k| k.starts_with("help.") && !known.iter().any(|n| n == k))
            .collect();
        assert!(stray.is_empty(), "help keys of nothing: {stray:?}");
    }

    #[test]
    fn errors_are_written_in_the_language() {
        let ja = Messages::new(Lang::Ja);
        let cmd = localise(crate::Cli::command().version("0"), &ja);
        let e = cmd
            .clone()
            .try_get_matches_from(["paygent", "doctor", "--nope"])
            .err()
            .map(|e| render(&e, &ja))
            .unwrap_or_default();
        assert!(e.contains("--nope") && e.contains("使い方:"), "{e}");
    }
}
