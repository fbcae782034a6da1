//! `paygent manpages --out DIR` (hidden; for packaging): one manual page per command —
//! paygent(1), paygent-doctor(1), paygent-notices-sync(1), … — written from the same clap
//! definition and message files as `--help`, in the language of `--lang`. clap_mangen writes the
//! synopsis and the arguments; the headings, the exit status table (from each command's
//! `help.<path>.after` text) and the cross references are ours, so that a Japanese page is
//! Japanese throughout.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Command;
use clap_mangen::Man;

use crate::i18n::{Lang, Messages};

#[derive(clap::Args)]
pub struct Args {
    /// Directory to write the pages into (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

/// Writes every page; prints the path of each. 0 written; 2 a page could not be written.
pub fn run(args: &Args, cmd: Command, msg: &Messages) -> u8 {
    let pages = pages(cmd, msg);
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!(
            "{}",
            msg.get(
                "man.write_failed",
                &[
                    ("path", &args.out.display().to_string()),
                    ("error", &e.to_string())
                ]
            )
        );
        return 2;
    }
    for (name, text) in pages {
        let path = args.out.join(format!("{name}.1"));
        if let Err(e) = write(&path, text.as_bytes()) {
            eprintln!(
                "{}",
                msg.get(
                    "man.write_failed",
                    &[
                        ("path", &path.display().to_string()),
                        ("error", &e.to_string())
                    ]
                )
            );
            return 2;
        }
        println!("{}", path.display());
    }
    0
}

fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::File::create(path)?;
    f.write_all(bytes)?;
    f.flush()
}

/// (page name, roff text) for `cmd` (localised, so built: bin names and display names set) and
/// each visible subcommand, depth first.
pub fn pages(mut cmd: Command, msg: &Messages) -> Vec<(String, String)> {
    cmd.build();
    let mut out = Vec::new();
    collect(&cmd, "paygent", &[], msg, &mut out);
    out
}

fn collect(
    cmd: &Command,
    path: &str,
    parents: &[String],
    msg: &Messages,
    out: &mut Vec<(String, String)>,
) {
    let name = page_name(cmd);
    out.push((name.clone(), page(cmd, path, parents, msg)));
    let mut chain = parents.to_vec();
    chain.push(name);
    for sub in visible_subcommands(cmd) {
        collect(sub, &format!("{path}.{}", sub.get_name()), &chain, msg, out);
    }
}

/// Subcommands with a page: not hidden ones (this one), not clap's `help`.
fn visible_subcommands(cmd: &Command) -> impl Iterator<Item = &Command> {
    cmd.get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
}

/// `paygent-notices-sync`: clap's display name once built.
fn page_name(cmd: &Command) -> String {
    cmd.get_display_name()
        .unwrap_or_else(|| cmd.get_name())
        .to_string()
}

/// One page: NAME, SYNOPSIS, DESCRIPTION, the arguments, the subcommands, EXIT STATUS, SEE ALSO.
fn page(cmd: &Command, path: &str, parents: &[String], msg: &Messages) -> String {
    let ja = msg.lang() == Lang::Ja;
    let name = page_name(cmd);
    // The page of this command alone: clap's `help` subcommand and hidden ones left out (their
    // names would otherwise be listed), clap_mangen's own VERSION section too (the --version
    // text names the OpenSSL of the machine that built the package).
    let mut own = cmd.clone();
    let hidden: Vec<String> = own
        .get_subcommands()
        .filter(|s| s.get_name() == "help")
        .map(|s| s.get_name().to_string())
        .collect();
    for h in hidden {
        own = own.mut_subcommand(&h, |s| s.hide(true));
    }
    let man = Man::new(own.clone());
    let mut out = String::new();
    // roff's preamble (the Aq string clap_mangen's text uses), then our own .TH: clap_mangen
    // leaves an empty date unquoted, which shifts the source and manual fields.
    out.extend(
        rendered(&man, Man::render_title)
            .lines()
            .take_while(|l| !l.starts_with(".TH"))
            .map(|l| format!("{l}\n")),
    );
    out.push_str(&format!(
        ".TH {} 1 {} {} {}\n",
        quoted(&name.to_uppercase()),
        quoted(&date()),
        quoted(&format!("paygent {}", paygent_core::VERSION)),
        quoted(&msg.get("man.manual", &[])),
    ));
    // No hyphen inside a command or option name (paygent-con‐ firm).
    out.push_str(".nh\n");
    if ja {
        // Japanese has no spaces to justify at: ragged right.
        out.push_str(".ad l\n");
    }
    out.push_str(&format!(".SH {}\n", heading(msg, "man.heading.name")));
    let name_line = body_of(&man, Man::render_name_section);
    out.push_str(&if ja {
        name_lines(&name_line)
    } else {
        name_line
    });
    out.push_str(&format!(".SH {}\n", heading(msg, "man.heading.synopsis")));
    out.push_str(&body_of(&man, Man::render_synopsis_section));
    let mut body = String::new();
    if let Some(about) = own.get_about() {
        body.push_str(&format!(
            ".SH {}\n",
            heading(msg, "man.heading.description")
        ));
        body.push_str(&text_line(&about.to_string()));
    }
    if own.get_arguments().any(|a| !a.is_hide_set()) {
        // Headings are clap's: OPTIONS in English, the message files' オプション / 引数 in
        // Japanese (usage::localise gives every argument its heading there).
        body.push_str(&section_of(&man, Man::render_options_section));
    }
    if visible_subcommands(&own).next().is_some() {
        body.push_str(&section_of(&man, Man::render_subcommands_section));
    }
    let after = format!("help.{path}.after");
    if msg.has(&after) {
        body.push_str(&format!(
            ".SH {}\n",
            heading(msg, "man.heading.exit_status")
        ));
        body.push_str(&exit_status(&msg.get(&after, &[])));
    }
    let mut see_also: Vec<String> = parents.to_vec();
    see_also.extend(visible_subcommands(&own).map(page_name));
    if !see_also.is_empty() {
        body.push_str(&format!(".SH {}\n", heading(msg, "man.heading.see_also")));
        // A list of names: not stretched to the margin.
        body.push_str(".ad l\n");
        let refs: Vec<String> = see_also
            .iter()
            .map(|p| format!("\\fB{}\\fR(1)", p.replace('-', "\\-")))
            .collect();
        body.push_str(&refs.join(", "));
        body.push('\n');
    }
    if ja {
        body = break_points(&body);
    }
    out.push_str(&body);
    out
}

/// What a clap_mangen renderer writes (roff's preamble, the `Aq` string, first).
fn rendered(man: &Man, render: fn(&Man, &mut dyn Write) -> std::io::Result<()>) -> String {
    let mut buf = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = render(man, &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

/// A section as clap_mangen renders it, without the preamble (needed once, before .TH).
fn section_of(man: &Man, render: fn(&Man, &mut dyn Write) -> std::io::Result<()>) -> String {
    rendered(man, render)
        .lines()
        .skip_while(|l| l.starts_with(".ie ") || l.starts_with(".el "))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// A section's body: clap_mangen's section less its (English) `.SH` line.
fn body_of(man: &Man, render: fn(&Man, &mut dyn Write) -> std::io::Result<()>) -> String {
    section_of(man, render)
        .lines()
        .skip_while(|l| l.starts_with(".SH"))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn heading(msg: &Messages, key: &str) -> String {
    let h = msg.get(key, &[]);
    if h.contains(' ') { quoted(&h) } else { h }
}

/// A macro argument: in double quotes (a quote inside doubled, as groff reads it).
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The NAME line of a Japanese page cut into input lines after 、 or 。 where groff, which
/// breaks a line only at a space, would find none within a terminal line: a `\:` break point
/// would reach the whatis text (lexgrog keeps it as `:`), an input line break is a space. Only
/// the cuts needed are made (the width groff fills: 80 columns less the indent).
fn name_lines(line: &str) -> String {
    const WIDTH: usize = 72;
    let width = |s: &str| -> usize { s.chars().map(|c| if japanese(c) { 2 } else { 1 }).sum() };
    // Pieces: each ends after a space (groff may break there) or after 、/。 (we may cut there).
    let mut pieces: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut chars = line.trim_end().chars().peekable();
    while let Some(c) = chars.next() {
        cur.push(c);
        let next_space = chars.peek().is_some_and(|n| n.is_whitespace());
        if c == ' ' || (matches!(c, '、' | '。') && !next_space) {
            pieces.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        pieces.push(cur);
    }
    let mut out = String::with_capacity(line.len() + 8);
    let mut filled = 0;
    for piece in pieces {
        let w = width(piece.trim_end());
        if filled > 0 && filled + w > WIDTH {
            if !out.ends_with(' ') {
                // After 、 or 。: groff cannot break here; an input line break lets it.
                out.push('\n');
            }
            filled = 0;
        }
        out.push_str(&piece);
        filled += width(&piece);
    }
    out.push('\n');
    out
}

/// The date on the page: SOURCE_DATE_EPOCH's (reproducible builds), else none.
fn date() -> String {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .map(|secs| civil_date(secs.div_euclid(86_400)))
        .unwrap_or_default()
}

/// YYYY-MM-DD of a day count since 1970-01-01 (Howard Hinnant's civil_from_days).
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Text as one roff text line: backslashes and dashes escaped, a leading control character
/// made literal.
fn text_line(s: &str) -> String {
    let mut t = s.replace('\\', "\\e").replace('-', "\\-");
    if t.starts_with('.') || t.starts_with('\'') {
        t.insert_str(0, "\\&");
    }
    t.push('\n');
    t
}

/// A part of a command's exit status text (`help.<path>.after`).
#[derive(Debug, PartialEq)]
pub enum Block {
    /// `Exit codes: 0 …; 1 …; 64 …`: its label, a lead not numbered (`each command's own`),
    /// then (code, meaning) rows.
    Table {
        label: String,
        lead: Option<String>,
        rows: Vec<(String, String)>,
    },
    /// Any other sentence.
    Text(String),
}

/// The exit status text cut into tables (`LABEL: N meaning; N meaning`, or `、` between the
/// rows in Japanese) and sentences. Brackets are respected: nothing inside ( ) or （ ） cuts.
pub fn exit_blocks(text: &str) -> Vec<Block> {
    sentences(text)
        .into_iter()
        .map(|s| table(&s).unwrap_or(Block::Text(s)))
        .collect()
}

fn exit_status(text: &str) -> String {
    let mut out = String::new();
    let mut paragraph = String::new();
    let flush = |out: &mut String, paragraph: &mut String| {
        if !paragraph.is_empty() {
            out.push_str(".PP\n");
            out.push_str(&text_line(paragraph));
            paragraph.clear();
        }
    };
    for (i, block) in exit_blocks(text).into_iter().enumerate() {
        match block {
            Block::Table { label, lead, rows } => {
                flush(&mut out, &mut paragraph);
                // The first label says what the section's heading says (Exit codes /
                // 終了コード), unless a lead follows it.
                match lead {
                    Some(lead) => {
                        out.push_str(".PP\n");
                        out.push_str(&text_line(&format!("{label}: {lead}")));
                    }
                    None if i > 0 => {
                        out.push_str(".PP\n");
                        out.push_str(&text_line(&format!("{label}:")));
                    }
                    None => {}
                }
                for (code, meaning) in rows {
                    out.push_str(".TP\n");
                    out.push_str(&format!("\\fB{code}\\fR\n"));
                    out.push_str(&text_line(&meaning));
                }
            }
            // Sentences in a row make one paragraph.
            Block::Text(s) => {
                if !paragraph.is_empty() && !paragraph.ends_with('。') {
                    paragraph.push(' ');
                }
                paragraph.push_str(&s);
            }
        }
    }
    flush(&mut out, &mut paragraph);
    out
}

fn opens(c: char) -> bool {
    matches!(c, '(' | '（')
}

fn closes(c: char) -> bool {
    matches!(c, ')' | '）')
}

/// Sentences: each ends at `。` or at `.` before a space or the end, outside brackets.
fn sentences(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0usize;
    for (i, &c) in chars.iter().enumerate() {
        if opens(c) {
            depth += 1;
        } else if closes(c) {
            depth = depth.saturating_sub(1);
        }
        cur.push(c);
        let end = depth == 0
            && (c == '。' || (c == '.' && chars.get(i + 1).is_none_or(|n| n.is_whitespace())));
        if end {
            out.push(cur.trim().to_string());
            cur.clear();
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// `LABEL: N meaning; N meaning.` as a table: at least one numbered row, every part but the
/// first numbered.
fn table(sentence: &str) -> Option<Block> {
    let s = sentence.trim_end_matches(['.', '。']);
    let (label, rest) = split_label(s)?;
    let parts = split_rows(rest);
    if parts.len() < 2 {
        return None;
    }
    let mut lead = None;
    let mut rows = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        match numbered(p) {
            Some(row) => rows.push(row),
            None if i == 0 => lead = Some(p.clone()),
            None => return None,
        }
    }
    Some(Block::Table {
        label: label.to_string(),
        lead,
        rows,
    })
}

/// The text before the first `: ` outside brackets, and the rest.
fn split_label(s: &str) -> Option<(&str, &str)> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        if opens(c) {
            depth += 1;
        } else if closes(c) {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && c == ':' && s[i + 1..].starts_with(' ') {
            return Some((s[..i].trim(), s[i + 1..].trim()));
        }
    }
    None
}

/// Rows: cut at `; ` or `、` outside brackets, where the next row begins with a number.
fn split_rows(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if opens(c) {
            depth += 1;
        } else if closes(c) {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && (c == ';' || c == '、') {
            let next = s[i + c.len_utf8()..].trim_start();
            if numbered(next).is_some() {
                out.push(s[start..i].trim().to_string());
                start = i + c.len_utf8();
            }
        }
    }
    out.push(s[start..].trim().to_string());
    out
}

/// `64 a usage error` → ("64", "a usage error").
fn numbered(s: &str) -> Option<(String, String)> {
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    let rest = &s[digits.len()..];
    let meaning = rest.strip_prefix(' ')?;
    Some((digits, meaning.trim().to_string()))
}

/// Japanese text has no spaces for groff to break lines at: a zero-width break point (`\:`)
/// between two characters where one is Japanese, except before closing punctuation and small
/// kana and after opening brackets (the usual line-breaking rules). Control lines are left
/// alone, and so is the NAME section (lexgrog reads it for whatis).
pub fn break_points(roff: &str) -> String {
    let mut out = String::with_capacity(roff.len() * 2);
    for line in roff.lines() {
        if line.starts_with('.') || line.starts_with('\'') {
            out.push_str(line);
        } else {
            let mut prev: Option<char> = None;
            for c in line.chars() {
                let breakable = prev.is_some_and(|p| {
                    (japanese(p) || japanese(c))
                        && !p.is_whitespace()
                        && !c.is_whitespace()
                        && !no_break_after(p)
                        && (!no_break_before(c) || (matches!(p, '、' | '。') && c.is_ascii()))
                });
                if breakable {
                    out.push_str("\\:");
                }
                out.push(c);
                prev = Some(c);
            }
        }
        out.push('\n');
    }
    out
}

fn japanese(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{30FF}'   // punctuation, hiragana, katakana
        | '\u{3400}'..='\u{9FFF}' // kanji
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FF00}'..='\u{FFEF}') // full-width forms
}

fn no_break_before(c: char) -> bool {
    matches!(
        c,
        '、' | '。'
            | '，'
            | '．'
            | '）'
            | '」'
            | '』'
            | '】'
            | '〕'
            | '・'
            | 'ー'
            | '々'
            | 'ぁ'
            | 'ぃ'
            | 'ぅ'
            | 'ぇ'
            | 'ぉ'
            | 'っ'
            | 'ゃ'
            | 'ゅ'
            | 'ょ'
            | 'ゎ'
            | 'ァ'
            | 'ィ'
            | 'ゥ'
            | 'ェ'
            | 'ォ'
            | 'ッ'
            | 'ャ'
            | 'ュ'
            | 'ョ'
            | ')'
            | ']'
            | ','
            | '.'
            | ':'
            | ';'
            | '!'
            | '?'
            | '\\'
    )
}

fn no_break_after(c: char) -> bool {
    matches!(c, '（' | '「' | '『' | '【' | '〔' | '(' | '[' | '\\')
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn localised(lang: Lang) -> (Messages, Command) {
        let msg = Messages::new(lang);
        let cmd = crate::usage::localise(crate::Cli::command().version("0"), &msg);
        (msg, cmd)
    }

    /// Every command's exit code text, in both languages, is a table whose rows include the
    /// usage error (64): a change to how the message files write them shows here, not as a
    /// page of run-on text.
    #[test]
    fn every_exit_code_text_is_a_table_with_64() {
        for lang in [Lang::En, Lang::Ja] {
            let msg = Messages::new(lang);
            let keys: Vec<&str> = crate::i18n::keys()
                .into_iter()
                .filter(|k| k.starts_with("help.paygent") && k.ends_with(".after"))
                .collect();
            assert!(keys.len() >= 12, "{keys:?}");
            for key in keys {
                let text = msg.get(key, &[]);
                let blocks = exit_blocks(&text);
                let Some(Block::Table { rows, .. }) = blocks.first() else {
                    panic!("{lang:?} {key}: not a table: {blocks:?}");
                };
                assert!(
                    rows.iter().any(|(c, m)| c == "64" && !m.is_empty()),
                    "{lang:?} {key}: {rows:?}"
                );
                // Each row is the text's own words (nothing reworded or merged).
                for (code, meaning) in rows {
                    assert!(text.contains(&format!("{code} {meaning}")), "{key}: {code}");
                }
            }
        }
    }

    #[test]
    fn exit_text_cut_into_tables_and_sentences() {
        let blocks = exit_blocks(
            "Exit codes: 0 found; 1 not found (x; 2 y); 64 a usage error. With --pending: 0 ok; \
             2 bad. When several apply: 3, 2, 1.",
        );
        assert_eq!(
            blocks,
            vec![
                Block::Table {
                    label: "Exit codes".into(),
                    lead: None,
                    rows: vec![
                        ("0".into(), "found".into()),
                        ("1".into(), "not found (x; 2 y)".into()),
                        ("64".into(), "a usage error".into()),
                    ],
                },
                Block::Table {
                    label: "With --pending".into(),
                    lead: None,
                    rows: vec![("0".into(), "ok".into()), ("2".into(), "bad".into())],
                },
                Block::Text("When several apply: 3, 2, 1.".into()),
            ]
        );
        let ja =
            exit_blocks("終了コード: 各コマンドのもの(a、1 b)、64 誤り(c。d)。複数は 3、2 の順。");
        assert_eq!(
            ja,
            vec![
                Block::Table {
                    label: "終了コード".into(),
                    lead: Some("各コマンドのもの(a、1 b)".into()),
                    rows: vec![("64".into(), "誤り(c。d)".into())],
                },
                Block::Text("複数は 3、2 の順。".into()),
            ]
        );
    }

    #[test]
    fn break_points_only_in_japanese_text_lines() {
        assert_eq!(
            break_points(".SH 終了ステータス\n設定、証明書(既定: x)\n\\fB64\\fR\n"),
            ".SH 終了ステータス\n設\\:定、\\:証\\:明\\:書\\:(既\\:定: x)\n\\fB64\\fR\n"
        );
    }

    /// groff 1.22 breaks a Japanese line only at a space: the NAME line is cut after 、 where
    /// nothing else would fit, and only there.
    #[test]
    fn long_japanese_name_lines_are_cut_after_a_comma() {
        let short = "paygent\\-x \\- 短い説明、です\n";
        assert_eq!(name_lines(short), short);
        let long = format!("paygent\\-x \\- {}、{}\n", "長".repeat(30), "い".repeat(20));
        assert_eq!(
            name_lines(&long),
            format!(
                "paygent\\-x \\- {}、\n{}\n",
                "長".repeat(30),
                "い".repeat(20)
            )
        );
    }

    #[test]
    fn pages_for_every_visible_command_in_both_languages() {
        for lang in [Lang::En, Lang::Ja] {
            let (msg, cmd) = localised(lang);
            let pages = pages(cmd, &msg);
            let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
            for want in [
                "paygent",
                "paygent-doctor",
                "paygent-send",
                "paygent-decode",
                "paygent-confirm",
                "paygent-notices",
                "paygent-notices-sync",
            ] {
                assert!(names.contains(&want), "{lang:?}: {want} in {names:?}");
            }
            assert!(
                !names
                    .iter()
                    .any(|n| n.contains("manpages") || n.ends_with("-help")),
                "{names:?}"
            );
            for (name, text) in &pages {
                assert!(text.contains(&format!(".TH {} 1 ", quoted(&name.to_uppercase()))));
                assert!(!text.contains("paygent\\-help"), "{name}");
            }
        }
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(1_764_892_800 / 86_400), "2025-12-05");
        assert_eq!(civil_date(11_016), "2000-02-29");
    }
}
