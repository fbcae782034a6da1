//! Core owns the protocol (issue 22): the production code of the crates around it (CLI, bindings,
//! notices, bench driver, simulator, conformance harness) names no telegram parameter
//! `telegram_kind` and no telegram kind number — those switches read core's table of kinds
//! (`telegram::KINDS`, `Config::telegram`). Comments, documentation and `#[cfg(test)] mod tests`
//! are left out. Each remaining place is allow-listed below with its reason; an allow-list entry
//! that no longer matches fails too, so the list only shrinks.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

use std::path::{Path, PathBuf};

/// The sources read, relative to the workspace root.
const SOURCES: &[&str] = &[
    "cli/src",
    "php-ext/src",
    "perl-xs/capi/src",
    "perl-xs/B2B.xs",
    "perl-xs/lib",
    "notices/src",
    "bench/rust/src",
    "tests/gateway-sim/src",
    "tests/conformance/src",
];

/// (file or directory prefix, the literal, why it may stay).
const ALLOWED: &[(&str, &str, &str)] = &[
    (
        "tests/gateway-sim/src/",
        "*",
        "the simulator is the gateway's side of the wire, written apart from core on purpose (a \
         client test must not pass because both sides share a mistake); its test \
         reply_shapes_agree_with_cores_table_of_kinds holds its reply formats to core's table",
    ),
    (
        "bench/rust/src/",
        "*",
        "the bench driver builds sample telegrams (020, 027, 091) as a merchant script does: \
         kinds as request values, not switches",
    ),
    (
        "tests/conformance/src/sim.rs",
        "*",
        "the conformance harness writes a modenv_properties.php with url.091/url.094 keys for the \
         simulator: configuration written by a test harness",
    ),
    (
        "cli/src/doctor.rs",
        "*",
        "doctor builds one 094 inquiry to run core's own validation (nothing sent): a request \
         value, not a switch",
    ),
    (
        "cli/src/confirm.rs",
        "\"telegram_kind\"",
        "the JSON field name of a journal record in `paygent confirm --pending --json` (documented \
         output), not a telegram parameter",
    ),
    (
        "cli/src/confirm.rs",
        "\"094\"",
        "the `answered_by` value of `paygent confirm --pending --jsonl` (documented output: \
         which source resolved the row), not a switch on a kind",
    ),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            files(&p, out);
        }
    } else if path
        .extension()
        .is_some_and(|e| e == "rs" || e == "xs" || e == "pm")
    {
        out.push(path.to_path_buf());
    }
}

/// The production code of a source file: no test module, no POD, no comment lines.
fn production_lines(path: &Path, text: &str) -> Vec<(usize, String)> {
    let end = if path.extension().is_some_and(|e| e == "pm") {
        text.find("\n__END__").unwrap_or(text.len())
    } else {
        text.find("#[cfg(test)]\nmod tests {").unwrap_or(text.len())
    };
    text[..end]
        .lines()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim_start();
            !(t.starts_with("//")
                || t.starts_with('#') && !t.starts_with("#[")
                || t.starts_with('*')
                || t.starts_with("/*"))
        })
        .map(|(i, l)| (i + 1, l.to_string()))
        .collect()
}

/// The protocol literals in one line: `"telegram_kind"` (also `b"…"`), and a quoted three-digit
/// kind number (`"020"`, `b"201"`, Perl `'027'`).
fn literals(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    if line.contains("\"telegram_kind\"") {
        found.push("\"telegram_kind\"".to_string());
    }
    let b = line.as_bytes();
    for i in 0..b.len().saturating_sub(4) {
        let q = b[i];
        if (q == b'"' || q == b'\'')
            && b[i + 1..i + 4].iter().all(u8::is_ascii_digit)
            && b[i + 4] == q
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'b')
        {
            found.push(line[i..i + 5].to_string());
        }
    }
    found
}

#[test]
fn no_protocol_literal_outside_core() {
    let root = root();
    let mut all = Vec::new();
    for s in SOURCES {
        let p = root.join(s);
        assert!(p.exists(), "{s} is gone: update SOURCES");
        files(&p, &mut all);
    }
    assert!(all.len() > 20, "too few sources read: {}", all.len());
    let mut used = vec![false; ALLOWED.len()];
    let mut bad = Vec::new();
    for f in &all {
        let rel = f
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in production_lines(f, &text) {
            for lit in literals(&line) {
                let allow = ALLOWED
                    .iter()
                    .position(|(p, l, _)| rel.starts_with(p) && (*l == "*" || *l == lit));
                match allow {
                    Some(i) => used[i] = true,
                    None => bad.push(format!("{rel}:{n}: {lit}: {}", line.trim())),
                }
            }
        }
    }
    assert!(
        bad.is_empty(),
        "protocol literals outside core (read core's table of kinds, \
         paygent_core::telegram, or allow-list with a reason):\n{}",
        bad.join("\n")
    );
    let stale: Vec<_> = ALLOWED
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|((p, l, _), _)| format!("{p} {l}"))
        .collect();
    assert!(
        stale.is_empty(),
        "allow-list entries that match nothing: {stale:?}"
    );
}

#[test]
fn the_scanner_finds_what_it_looks_for() {
    assert_eq!(
        literals(r#"m.req_put(b"telegram_kind", b"094");"#),
        ["\"telegram_kind\"", "\"094\""]
    );
    assert_eq!(
        literals(r#"["200", "201"].contains(k)"#),
        ["\"200\"", "\"201\""]
    );
    assert_eq!(literals("telegram_kind => '020',"), ["'020'"]);
    assert!(literals(r#"telegram_kind.ref "0201" "20" x"#).is_empty());
    let rs = Path::new("x.rs");
    let code = "let a = 1;\n// \"020\"\n#[cfg(test)]\nmod tests {\n\"020\"\n}\n";
    assert_eq!(production_lines(rs, code).len(), 1);
}
