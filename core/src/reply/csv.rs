//! CSVTokenizer (§6.4.2): byte-oriented, separator `,`, envelope `"` or none.
//!
//! Compat mode reproduces the official tokenizer: the reply is split on CRLF first, and once a
//! field of a line begins with the envelope, quote processing stays on for the rest of that line
//! (the "sticky" flag). RFC 4180 mode (opt-in, §9 #18) lets a quoted field hold CRLF and applies
//! quote processing only to fields that begin with the envelope.

use std::borrow::Cow;

use crate::config::CsvMode;

const SEPARATOR: u8 = b',';
/// The quote (envelope) character of reference replies.
pub const ENVELOPE: u8 = b'"';

/// Split one line (no CRLF) into fields, exactly as the official tokenizer (compat mode).
/// `envelope` = `Some(b'"')` for reference replies, `None` for file payment.
pub fn tokenize(line: &[u8], envelope: Option<u8>) -> Vec<Vec<u8>> {
    owned(line, envelope, true)
}

/// RFC 4180 mode: quote processing only for fields that begin with `"`; a quoted field may hold
/// any byte, CRLF included (the record was cut by [`split_records`]).
pub fn tokenize_rfc4180(record: &[u8]) -> Vec<Vec<u8>> {
    owned(record, Some(ENVELOPE), false)
}

/// Tokenize one record in `mode` (reference replies, envelope `"`).
pub fn tokenize_mode(record: &[u8], mode: CsvMode) -> Vec<Vec<u8>> {
    let mut fields = Vec::new();
    tokenize_mode_into(record, mode, &mut fields);
    fields.into_iter().map(Cow::into_owned).collect()
}

/// [`tokenize_mode`] into a caller's (cleared) buffer, fields borrowed from `record`: a field
/// is copied only when quote processing changes its bytes (`""`, text around quotes). A 027
/// reply of thousands of lines reuses one buffer and allocates almost nothing here.
pub fn tokenize_mode_into<'a>(record: &'a [u8], mode: CsvMode, fields: &mut Vec<Cow<'a, [u8]>>) {
    fields.clear();
    tokenize_with(record, Some(ENVELOPE), mode == CsvMode::Compat, fields);
}

fn owned(line: &[u8], envelope: Option<u8>, sticky: bool) -> Vec<Vec<u8>> {
    let mut fields = Vec::new();
    tokenize_with(line, envelope, sticky, &mut fields);
    fields.into_iter().map(Cow::into_owned).collect()
}

fn tokenize_with<'a>(
    line: &'a [u8],
    envelope: Option<u8>,
    sticky: bool,
    fields: &mut Vec<Cow<'a, [u8]>>,
) {
    let mut quote_processing = false;
    let mut position = 0;
    // `<=`: a line ending in `,` (or an empty line) yields a final empty field.
    while position <= line.len() {
        let end = field_end(line, position, envelope);
        let raw = &line[position..end];
        let quoted = envelope.is_some_and(|q| raw.first() == Some(&q));
        if sticky {
            quote_processing |= quoted;
        } else {
            quote_processing = quoted;
        }
        fields.push(match envelope {
            Some(q) if quote_processing => unquote(raw, q),
            _ => Cow::Borrowed(raw),
        });
        position = end + 1;
    }
}
/// Index of the separator ending the field that starts at `start` (or `line.len()`). A field
/// that begins with the envelope flips an inside/outside state at each envelope byte, and only
/// a separator outside ends it; any other field ends at the next separator.
fn field_end(line: &[u8], start: usize, envelope: Option<u8>) -> usize {
    let rest = &line[start.min(line.len())..];
    let quoted = envelope.is_some_and(|q| rest.first() == Some(&q));
    let mut inside = false;
    for (i, &b) in rest.iter().enumerate() {
        if quoted && Some(b) == envelope {
            inside = !inside;
        } else if b == SEPARATOR && !inside {
            return start + i;
        }
    }
    line.len()
}

/// Quote processing of one field: the first `"` opens; inside, `""` is one `"` and a single `"`
/// closes; outside, bytes are literal and a `"` reopens. The common shapes — no quote, `"x"`,
/// `"x` — are a sub-slice of `raw`; only the others are rebuilt.
fn unquote(raw: &[u8], q: u8) -> Cow<'_, [u8]> {
    match raw.iter().position(|&b| b == q) {
        None => return Cow::Borrowed(raw),
        Some(0) => match raw[1..].iter().position(|&b| b == q) {
            None => return Cow::Borrowed(&raw[1..]),
            Some(i) if i + 2 == raw.len() => return Cow::Borrowed(&raw[1..i + 1]),
            Some(_) => {}
        },
        Some(_) => {}
    }
    Cow::Owned(unquote_owned(raw, q))
}

fn unquote_owned(raw: &[u8], q: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut inside = false;
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if b != q {
            out.push(b);
        } else if !inside {
            inside = true;
        } else if raw.get(i + 1) == Some(&q) {
            out.push(q);
            i += 1;
        } else {
            inside = false;
        }
        i += 1;
    }
    out
}

/// Split a reply body into records. Compat: on every CRLF (PHP `explode`, so a body ending in
/// CRLF gives a final empty fragment). RFC 4180: a CRLF inside a quoted field does not split.
pub fn split_records(body: &[u8], mode: CsvMode) -> Vec<&[u8]> {
    match mode {
        CsvMode::Compat => super::split_crlf(body),
        CsvMode::Rfc4180 => split_rfc4180(body),
    }
}

fn split_rfc4180(body: &[u8]) -> Vec<&[u8]> {
    let mut records = Vec::new();
    let mut start = 0;
    let mut field_start = true;
    let mut quoted = false;
    let mut inside = false;
    let mut i = 0;
    while i < body.len() {
        let b = body[i];
        if field_start {
            quoted = b == ENVELOPE;
            field_start = false;
        }
        if quoted && b == ENVELOPE {
            inside = !inside;
        } else if !inside && b == SEPARATOR {
            field_start = true;
        } else if !inside && b == b'\r' && body.get(i + 1) == Some(&b'\n') {
            records.push(&body[start..i]);
            start = i + 2;
            i += 2;
            field_start = true;
            quoted = false;
            continue;
        }
        i += 1;
    }
    records.push(&body[start..]);
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(s: &str) -> Vec<String> {
        tokenize(s.as_bytes(), Some(b'"'))
            .into_iter()
            .map(|f| String::from_utf8(f).unwrap())
            .collect()
    }

    fn rfc(s: &str) -> Vec<String> {
        tokenize_rfc4180(s.as_bytes())
            .into_iter()
            .map(|f| String::from_utf8(f).unwrap())
            .collect()
    }

    // The verified examples of §6.4.2, one by one.
    #[test]
    fn quoted_comma_is_kept() {
        assert_eq!(tok(r#""a,b",c"#), ["a,b", "c"]);
    }

    #[test]
    fn doubled_quote_inside_quotes_is_one_quote() {
        assert_eq!(tok(r#""a""b""#), [r#"a"b"#]);
    }

    #[test]
    fn quote_inside_unquoted_field_is_literal() {
        assert_eq!(tok(r#"a"b"#), [r#"a"b"#]);
    }

    #[test]
    fn text_after_closing_quote_is_appended() {
        assert_eq!(tok(r#""a"b"#), ["ab"]);
    }

    #[test]
    fn trailing_space_after_quote_is_kept() {
        assert_eq!(tok(r#""x" ,y"#), ["x ", "y"]);
    }

    #[test]
    fn leading_space_makes_the_field_literal() {
        assert_eq!(tok(r#" "a""#), [r#" "a""#]);
    }

    #[test]
    fn quote_flag_is_sticky_for_the_rest_of_the_line() {
        assert_eq!(tok(r#""a",b"c"#), ["a", "bc"]);
        // without an earlier quoted field the same field is literal
        assert_eq!(tok(r#"a,b"c"#), ["a", r#"b"c"#]);
    }

    #[test]
    fn lone_quote_is_one_empty_field() {
        assert_eq!(tok(r#"""#), [""]);
    }

    #[test]
    fn unterminated_quote_runs_to_the_end_of_the_line() {
        assert_eq!(tok(r#""x,y"#), ["x,y"]);
    }

    #[test]
    fn loop_runs_to_position_equal_length() {
        assert_eq!(tok(""), [""]);
        assert_eq!(tok("a,"), ["a", ""]);
        assert_eq!(tok(","), ["", ""]);
        assert_eq!(tok("a"), ["a"]);
        assert_eq!(tok(r#""a","""#), ["a", ""]);
    }

    #[test]
    fn empty_quoted_fields() {
        assert_eq!(tok(r#""1","0","","""#), ["1", "0", "", ""]);
    }

    #[test]
    fn comma_in_unquoted_field_separates_even_when_sticky() {
        assert_eq!(tok(r#""a",b"c,d""#), ["a", "bc", "d"]);
    }

    #[test]
    fn reopening_after_close() {
        assert_eq!(tok(r#""a" "b",c"#), ["a b", "c"]);
    }

    #[test]
    fn no_envelope_keeps_quotes_literal() {
        let f = tokenize(br#"1,,"x,y",""#, None);
        assert_eq!(
            f,
            vec![
                b"1".to_vec(),
                b"".to_vec(),
                b"\"x".to_vec(),
                b"y\"".to_vec(),
                b"\"".to_vec()
            ]
        );
    }

    #[test]
    fn shift_jis_bytes_pass_through() {
        // 0x82 0x22 never occurs in SJIS, but trail bytes like 0x5c, 0x7c must stay untouched
        let f = tokenize(b"\"\x83\x5c,\x95\x7c\",\xc3\xbd", Some(b'"'));
        assert_eq!(f, vec![b"\x83\x5c,\x95\x7c".to_vec(), b"\xc3\xbd".to_vec()]);
    }

    #[test]
    fn compat_split_cuts_quoted_crlf() {
        let body = b"\"3\",\"first line\r\nsecond line\"\r\n";
        let r = split_records(body, CsvMode::Compat);
        assert_eq!(r, vec![&b"\"3\",\"first line"[..], b"second line\"", b""]);
    }

    #[test]
    fn rfc4180_split_keeps_quoted_crlf() {
        let body = b"\"3\",\"first line\r\nsecond line\"\r\n\"4\",\"1\"\r\n";
        let r = split_records(body, CsvMode::Rfc4180);
        assert_eq!(
            r,
            vec![
                &b"\"3\",\"first line\r\nsecond line\""[..],
                b"\"4\",\"1\"",
                b""
            ]
        );
        assert_eq!(tokenize_rfc4180(r[0])[1], b"first line\r\nsecond line");
    }

    #[test]
    fn rfc4180_split_ignores_quotes_inside_unquoted_fields() {
        let r = split_records(b"a\"b,c\r\nd", CsvMode::Rfc4180);
        assert_eq!(r, vec![&b"a\"b,c"[..], b"d"]);
    }

    #[test]
    fn rfc4180_quote_processing_is_not_sticky() {
        assert_eq!(rfc(r#""a",b"c"#), ["a", r#"b"c"#]);
        assert_eq!(rfc(r#""a""b",c"#), [r#"a"b"#, "c"]);
    }

    #[test]
    fn borrowed_unquote_agrees_with_the_byte_loop() {
        // every string of up to 6 bytes over `a`, `"`, `,`
        let alphabet = [b'a', b'"', b','];
        let mut raws = vec![Vec::new()];
        for len in 1..=6 {
            let mut next = Vec::new();
            for r in raws.iter().filter(|r: &&Vec<u8>| r.len() == len - 1) {
                for &b in &alphabet {
                    let mut r = r.clone();
                    r.push(b);
                    next.push(r);
                }
            }
            raws.extend(next);
        }
        for raw in &raws {
            assert_eq!(
                &*unquote(raw, b'"'),
                &unquote_owned(raw, b'"')[..],
                "{raw:?}"
            );
        }
    }
}
