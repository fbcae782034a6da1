//! `paygent manpages` with the real binary (issue 21 item 3): a page per command in English and
//! Japanese, the Japanese about in the Japanese NAME line, the exit codes in each page, and
//! (with man-db) every page renders in a UTF-8 locale without a groff warning.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

use std::process::Command;

const JA: &str = include_str!("../messages/ja.txt");

fn message(key: &str) -> String {
    JA.lines()
        .find_map(|l| l.strip_prefix(&format!("{key} = ")))
        .unwrap_or_else(|| panic!("no {key}"))
        .to_string()
}

/// The subcommand names `paygent [PATH] --help` lists (LANG=C), clap's `help` left out.
fn subcommands(path: &[&str]) -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_paygent"))
        .args(path)
        .arg("--help")
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn every_command_has_a_page_in_english_and_japanese() {
    let dir = tempfile::tempdir().unwrap();
    for lang in ["en", "ja"] {
        let out = Command::new(env!("CARGO_BIN_EXE_paygent"))
            .args(["--lang", lang, "manpages", "--out"])
            .arg(dir.path().join(lang))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
    }
    // Every command path --help shows, walked from the root.
    let mut paths: Vec<Vec<String>> = vec![vec![]];
    let mut i = 0;
    while i < paths.len() {
        let p = paths[i].clone();
        let refs: Vec<&str> = p.iter().map(String::as_str).collect();
        for s in subcommands(&refs) {
            let mut q = p.clone();
            q.push(s);
            paths.push(q);
        }
        i += 1;
    }
    assert!(paths.len() >= 12, "{paths:?}");
    for p in &paths {
        let name = std::iter::once("paygent".to_string())
            .chain(p.iter().cloned())
            .collect::<Vec<_>>()
            .join("-");
        let key = std::iter::once("help.paygent".to_string())
            .chain(p.iter().cloned())
            .collect::<Vec<_>>()
            .join(".");
        for lang in ["en", "ja"] {
            let file = dir.path().join(lang).join(format!("{name}.1"));
            let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{file:?}: {e}"));
            let page = String::from_utf8(bytes).expect("UTF-8 roff");
            assert!(page.contains("\\fB64\\fR"), "{file:?}: no exit code 64");
            if lang == "ja" {
                // The NAME section (input lines joined, roff's \- as -) holds the about.
                let name_section: String = page
                    .lines()
                    .skip_while(|l| *l != ".SH 名前")
                    .skip(1)
                    .take_while(|l| !l.starts_with(".SH"))
                    .collect::<String>()
                    .replace("\\-", "-");
                let about = message(&key);
                assert!(
                    name_section.contains(&about),
                    "{file:?}: {name_section} lacks {about}"
                );
                assert!(page.contains(".SH 終了ステータス"), "{file:?}");
            }
        }
    }
    render_with_man(dir.path());
}

/// Each page through man-db and groff (`man --warnings -l`) in C.UTF-8: no warning, and the
/// Japanese pages show their Japanese heading. man-db missing: a failure under CI.
fn render_with_man(dir: &std::path::Path) {
    let found = Command::new("man").arg("--version").output().is_ok();
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "man (man-db) missing: scripts/install-deps.sh installs it"
        );
        eprintln!("SKIP: man (man-db) not installed");
        return;
    }
    for lang in ["en", "ja"] {
        for entry in std::fs::read_dir(dir.join(lang)).unwrap() {
            let file = entry.unwrap().path();
            let out = Command::new("man")
                .args(["--warnings", "-l"])
                .arg(&file)
                .env("LANG", "C.UTF-8")
                .env("MANWIDTH", "80")
                .env_remove("LC_ALL")
                .env_remove("MANPAGER")
                .env("PAGER", "cat")
                .output()
                .unwrap();
            let raw = String::from_utf8(out.stdout).expect("UTF-8 rendering");
            // Bold and underline as a terminal gets them (X BACKSPACE X): the text alone.
            let mut text = String::new();
            for c in raw.chars() {
                if c == '\u{8}' {
                    text.pop();
                } else {
                    text.push(c);
                }
            }
            // groff 1.23 (Debian 13) says "cannot adjust line" where a Japanese line has no
            // space to stretch for justification: the text is whole, only the right edge is
            // ragged. Every other warning fails.
            let err: String = String::from_utf8_lossy(&out.stderr)
                .lines()
                .filter(|l| !l.contains("cannot adjust line"))
                .collect();
            assert!(
                out.status.success() && err.trim().is_empty(),
                "{file:?}: {err}"
            );
            let heading = if lang == "ja" {
                "終了ステータス"
            } else {
                "EXIT STATUS"
            };
            assert!(text.contains(heading), "{file:?}: {text}");
        }
    }
}
