//! Text from a reply, a paste or the database, made safe to print: a value must not drive the
//! operator's terminal (`ESC ]0;…` retitles the window, `ESC [2J` clears it, a lone CR
//! overwrites what was printed). One place for `send`, `decode` and `notices`.

use std::borrow::Cow;

use serde_json::Value;

fn is_control(c: char) -> bool {
    c.is_control() // C0, DEL and C1: U+0000–U+001F, U+007F–U+009F
}

/// `s` with every control character as a visible escape: C0 controls and DEL as `\x1b`,
/// `\x7f`, C1 controls as `\u{9b}` — `\n` kept when `keep_newlines` (the caller prints a
/// multi-line value line by line). A backslash is left as it is: in Windows-31J text it is the
/// yen sign, and doubling it would garble every such value.
pub fn visible(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !s
        .chars()
        .any(|c| is_control(c) && !(keep_newlines && c == '\n'))
    {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' if keep_newlines => out.push('\n'),
            c if (c as u32) < 0x80 && is_control(c) => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if is_control(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// JSON text of `v` for stdout: serde_json escapes C0 controls but writes DEL and C1 controls
/// as they are; they are escaped here too (`\u007f`, `\u009b`), still valid JSON with the same
/// value. Outside strings JSON text is ASCII punctuation, so only string content changes.
pub fn json(v: &Value) -> String {
    let text = v.to_string();
    if !text.chars().any(is_control) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_control(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_visible() {
        assert_eq!(visible("plain 山田", false), "plain 山田");
        assert_eq!(
            visible("a\u{1b}]0;owned\u{7}b\rc\u{7f}\u{9b}2J\u{0}", false),
            "a\\x1b]0;owned\\x07b\\x0dc\\x7f\\u{9b}2J\\x00"
        );
        assert_eq!(visible("one\ntwo\t", true), "one\ntwo\\x09");
        assert_eq!(visible("one\ntwo", false), "one\\x0atwo");
        assert_eq!(visible("C:\\dir ¥", false), "C:\\dir ¥");
    }

    #[test]
    fn json_has_no_raw_control_and_the_same_value() {
        let v = serde_json::json!({"k": "a\u{1b}b\u{7f}c\u{80}d\u{9f}"});
        let text = json(&v);
        assert!(!text.chars().any(char::is_control), "{text:?}");
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), v);
    }
}
