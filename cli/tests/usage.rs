//! The command line's conventions with the real binary (issue 20 item 2): a usage error exits
//! 64, apart from every command's own codes, and each `--help` says so; `--help` and argument
//! errors follow `--lang` / LANG like the rest (every subcommand's help in Japanese); a
//! Shift_JIS or EUC-JP locale gets its own bytes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

use std::process::Command;

/// `paygent ARGS` with `LANG=lang` (and no other locale variable): (exit code, stdout, stderr)
/// as bytes.
fn paygent(args: &[&str], lang: &str) -> (i32, Vec<u8>, Vec<u8>) {
    let out = Command::new(env!("CARGO_BIN_EXE_paygent"))
        .args(args)
        .env("LANG", lang)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LC_CTYPE")
        .env_remove("PAYGENT_PROPERTIES")
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), out.stdout, out.stderr)
}

fn utf8(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap_or_else(|_| panic!("not UTF-8: {b:?}"))
}

/// Every command path with a help of its own.
const COMMANDS: &[&[&str]] = &[
    &[],
    &["doctor"],
    &["send"],
    &["decode"],
    &["confirm"],
    &["completions"],
    &["notices"],
    &["notices", "init"],
    &["notices", "sync"],
    &["notices", "list"],
    &["notices", "gaps"],
    &["notices", "mark-processed"],
];

#[test]
fn a_usage_error_exits_64_and_every_help_says_so() {
    for args in [
        &["doctor", "--no-such-option"][..],
        &["confirm"],
        &["completions", "no-such-shell"],
        &["no-such-command"],
        &[
            "notices",
            "mark-processed",
            "--db",
            "sqlite:/nonexistent/x.db",
        ],
        &[],
    ] {
        let (code, out, err) = paygent(args, "C");
        assert_eq!(code, 64, "{args:?}: {}{}", utf8(&out), utf8(&err));
        assert!(out.is_empty(), "{args:?}: nothing on stdout");
    }
    // --help and --version are not errors.
    assert_eq!(paygent(&["--help"], "C").0, 0);
    assert_eq!(paygent(&["--version"], "C").0, 0);
    for path in COMMANDS {
        let args = [&path[..], &["--help"]].concat();
        let (code, out, _) = paygent(&args, "C");
        let help = utf8(&out);
        assert_eq!(code, 0, "{args:?}");
        assert!(help.contains("64 a usage error"), "{args:?}: {help}");
    }
    // A command's own failure keeps its own code (not 64).
    let (code, _, _) = paygent(
        &["doctor", "--config", "/nonexistent/modenv_properties.php"],
        "C",
    );
    assert_eq!(code, 2);
}

#[test]
fn help_and_argument_errors_follow_the_language() {
    for path in COMMANDS {
        let args = [&path[..], &["--help"]].concat();
        for (how, lang) in [("--lang", "C"), ("LANG", "ja_JP.UTF-8")] {
            let args: Vec<&str> = if how == "--lang" {
                [&["--lang", "ja"][..], &args].concat()
            } else {
                args.clone()
            };
            let (code, out, _) = paygent(&args, lang);
            let help = utf8(&out);
            assert_eq!(code, 0, "{args:?}");
            for english in [
                "Usage:",
                "Options:",
                "Commands:",
                "Print help",
                "Exit codes",
            ] {
                assert!(
                    !help.contains(english),
                    "{args:?} {how}: {english:?} in {help}"
                );
            }
            assert!(help.contains("使い方:"), "{args:?}: {help}");
            assert!(help.contains("ヘルプを表示します"), "{args:?}: {help}");
            assert!(help.contains("64 使い方の誤り"), "{args:?}: {help}");
        }
    }
    let (code, _, err) = paygent(&["--lang", "ja", "doctor", "--no-such-option"], "C");
    let err = utf8(&err);
    assert_eq!(code, 64);
    assert!(
        err.contains("エラー") && err.contains("--no-such-option") && err.contains("使い方:"),
        "{err}"
    );
    assert!(!err.contains("error:") && !err.contains("Usage:"), "{err}");
    let (_, _, err) = paygent(&["docter"], "ja_JP.UTF-8");
    let err = utf8(&err);
    assert!(
        err.contains("'doctor' ではありませんか"),
        "a suggestion: {err}"
    );
    // --lang wins over LANG, either way.
    let (_, out, _) = paygent(&["--lang", "en", "doctor", "--help"], "ja_JP.UTF-8");
    assert!(utf8(&out).contains("Usage:"));
}

#[test]
fn shift_jis_and_euc_jp_locales_get_their_bytes() {
    for (lang, encoding) in [
        ("ja_JP.SJIS", encoding_rs::SHIFT_JIS),
        ("ja_JP.eucJP", encoding_rs::EUC_JP),
    ] {
        // Help on stdout.
        let (code, out, _) = paygent(&["doctor", "--help"], lang);
        assert_eq!(code, 0);
        assert!(String::from_utf8(out.clone()).is_err(), "{lang}: not UTF-8");
        let (text, _, bad) = encoding.decode(&out);
        assert!(!bad, "{lang}: valid {}", encoding.name());
        assert!(
            text.contains("使い方:") && text.contains("設定"),
            "{lang}: {text}"
        );
        // A command's message on stderr.
        let (code, _, err) = paygent(&["doctor", "--config", "/nonexistent/x.php"], lang);
        assert_eq!(code, 2);
        let (text, _, bad) = encoding.decode(&err);
        assert!(
            !bad && text.contains("設定ファイル /nonexistent/x.php を読めません"),
            "{lang}: {text}"
        );
        // An argument error on stderr.
        let (code, _, err) = paygent(&["doctor", "--nope"], lang);
        assert_eq!(code, 64);
        let (text, _, bad) = encoding.decode(&err);
        assert!(
            !bad && text.contains("不明な引数 '--nope'"),
            "{lang}: {text}"
        );
        // The doctor's marks, which these charsets lack, become ones they have (✓ ○, ✗ ×).
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("modenv_properties.php");
        std::fs::write(
            &cfg,
            "<?php\npaygentB2Bmodule.not_use_client_cert=true\npaygentB2Bmodule.not_use_ca_cert=true\n\
             paygentB2Bmodule.timeout_value=2\npaygentB2Bmodule.log_output_path=\n\
             paygentB2Bmodule.select_max_cnt=2000\n\
             paygentB2Bmodule.url.02=https://no-such-host.invalid/n/card/request\n?>\n",
        )
        .unwrap();
        let (code, out, _) = paygent(&["doctor", "--config", cfg.to_str().unwrap()], lang);
        assert_eq!(code, 1);
        let (text, _, bad) = encoding.decode(&out);
        assert!(!bad, "{lang}: {text}");
        assert!(text.contains("○ config.parse"), "{lang}: {text}");
        assert!(text.contains("× dns"), "{lang}: {text}");
        assert!(text.contains("名前解決できません"), "{lang}: {text}");
    }
    // UTF-8 and C locales are left as they are.
    let (_, out, _) = paygent(&["doctor", "--help"], "ja_JP.UTF-8");
    assert!(utf8(&out).contains("使い方:"));
}

/// Completion offers what an operator runs: every visible command and subcommand with its
/// options, not the hidden `manpages` (run by the packaging).
#[test]
fn completion_offers_the_visible_commands_only() {
    for shell in ["bash", "zsh", "fish"] {
        let (code, out, err) = paygent(&["completions", shell], "C.UTF-8");
        assert_eq!(code, 0, "{shell}: {}", utf8(&err));
        let out = utf8(&out);
        for word in [
            "doctor",
            "notices",
            "sync",
            "mark-processed",
            "exec",
            "lang",
        ] {
            assert!(out.contains(word), "{shell}: no {word}");
        }
        assert!(
            !out.contains("manpages"),
            "{shell}: offers the hidden manpages"
        );
    }
}
