//! Test-only: the one reader of the shared test data (tests/conformance/cases/*.json, format in
//! tests/conformance/README.md, and tests/fixtures/) for every suite — core's integration
//! tests, the conformance harness and the gateway simulator.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The repository's `tests/` directory (byte values' `{"file"}` paths are relative to it).
pub fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The wire fixtures of the specification (`tests/fixtures/`).
pub fn fixtures_dir() -> PathBuf {
    tests_dir().join("fixtures")
}

/// One wire fixture's bytes.
pub fn fixture(name: &str) -> Result<Vec<u8>, String> {
    let p = fixtures_dir().join(name);
    std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))
}

/// The conformance cases whose file name starts with `prefix` (`req-`, `reply-`, or `""` for
/// all), as `(file name, case)`, sorted by name.
pub fn cases(prefix: &str) -> Result<Vec<(String, Value)>, String> {
    let dir = tests_dir().join("conformance/cases");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(prefix) && n.ends_with(".json"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let text = std::fs::read_to_string(dir.join(&n)).map_err(|e| format!("{n}: {e}"))?;
            let case = serde_json::from_str(&text).map_err(|e| format!("{n}: {e}"))?;
            Ok((n, case))
        })
        .collect()
}

/// A byte value of the case format: a string (its UTF-8), `{"hex"}`, `{"file"}` (relative to
/// `tests/`), or `{"repeat", "times"}`.
pub fn bytes(v: &Value, tests_dir: &Path) -> Result<Vec<u8>, String> {
    match v {
        Value::String(s) => Ok(s.as_bytes().to_vec()),
        Value::Number(n) => Ok(n.to_string().into_bytes()),
        Value::Bool(b) => Ok(if *b { b"1".to_vec() } else { Vec::new() }),
        Value::Object(o) => {
            if let Some(Value::String(h)) = o.get("hex") {
                return hex(h);
            }
            if let Some(Value::String(f)) = o.get("file") {
                return std::fs::read(tests_dir.join(f)).map_err(|e| format!("{f}: {e}"));
            }
            if let (Some(Value::String(r)), Some(t)) = (o.get("repeat"), o.get("times")) {
                let n = t.as_u64().ok_or("times must be a number")? as usize;
                return Ok(r.as_bytes().repeat(n));
            }
            Err(format!("not a byte value: {v}"))
        }
        _ => Err(format!("not a byte value: {v}")),
    }
}

/// Bytes from hex digits (whitespace ignored).
pub fn hex(h: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<u8> = h.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    if !digits.len().is_multiple_of(2) {
        return Err(format!("odd hex: {h}"));
    }
    digits
        .chunks(2)
        .map(|p| {
            let s = std::str::from_utf8(p).map_err(|e| e.to_string())?;
            u8::from_str_radix(s, 16).map_err(|e| format!("{s}: {e}"))
        })
        .collect()
}

/// Bytes shown for a failure message: text when printable, else hex.
pub fn show(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) if !s.chars().any(|c| c.is_control() && c != '\r' && c != '\n') => format!("{s:?}"),
        _ => format!(
            "hex[{}]",
            b.iter()
                .map(|x| format!("{x:02x}"))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    }
}

/// The properties file text: base with placeholders filled, then the case's overrides.
pub fn properties(base: &str, overrides: Option<&Value>, fill: &dyn Fn(&str) -> String) -> String {
    let mut lines: Vec<String> = base.lines().map(fill).collect();
    let mut extra = Vec::new();
    if let Some(Value::Object(o)) = overrides {
        for (k, v) in o {
            let prefix = format!("{k}=");
            let pos = lines.iter().position(|l| l.starts_with(&prefix));
            match (v, pos) {
                (Value::Null, Some(i)) => {
                    lines.remove(i);
                }
                (Value::Null, None) => {}
                (v, pos) => {
                    let text = match v {
                        Value::String(s) => fill(s),
                        other => other.to_string(),
                    };
                    let line = format!("{k}={text}");
                    match pos {
                        Some(i) => lines[i] = line,
                        None => extra.push(line),
                    }
                }
            }
        }
    }
    let end = lines
        .iter()
        .rposition(|l| l.trim() == "?>")
        .unwrap_or(lines.len());
    let tail = lines.split_off(end);
    lines.extend(extra);
    lines.extend(tail);
    lines.join("\n") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_replace_delete_and_append_before_the_php_end_tag() {
        let base = "<?php\na=1\nb={tmp}\n?>\n";
        let o: Value = serde_json::json!({"a": "2", "b": null, "c": "{tmp}/x"});
        let text = properties(base, Some(&o), &|s| s.replace("{tmp}", "/t"));
        assert_eq!(text, "<?php\na=2\nc=/t/x\n?>\n");
    }

    #[test]
    fn byte_values() {
        let d = Path::new(".");
        assert_eq!(
            bytes(&serde_json::json!({"hex": "8a bf"}), d).unwrap(),
            vec![0x8a, 0xbf]
        );
        assert_eq!(
            bytes(&serde_json::json!({"repeat": "ab", "times": 2}), d).unwrap(),
            b"abab"
        );
        assert!(bytes(&serde_json::json!({"hex": "8"}), d).is_err());
    }
}
