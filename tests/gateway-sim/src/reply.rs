//! Wire formats of the gateway: the form body of a telegram, and the three reply shapes —
//! `key=value` CRLF lines (§6.3), the 4-record-type reference CSV (§6.4) and the file payment
//! result CSV (§6.5). Japanese text goes out as Windows-31J.

/// The decoded form body: names as text, values as raw bytes (Windows-31J), in order.
pub struct Form(Vec<(String, Vec<u8>)>);

impl Form {
    pub fn parse(body: &[u8]) -> Form {
        let pairs = body
            .split(|&b| b == b'&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = match p.iter().position(|&b| b == b'=') {
                    Some(i) => (&p[..i], &p[i + 1..]),
                    None => (p, &b""[..]),
                };
                (String::from_utf8_lossy(&decode(k)).into_owned(), decode(v))
            })
            .collect();
        Form(pairs)
    }

    /// The value of `name`; if it was sent twice, the last one.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_slice())
    }

    /// The value, or "" when absent.
    pub fn val(&self, name: &str) -> &[u8] {
        self.get(name).unwrap_or(b"")
    }

    /// The value as text (lossy), or "".
    pub fn text(&self, name: &str) -> String {
        String::from_utf8_lossy(self.val(name)).into_owned()
    }

    /// Present and not blank.
    pub fn has(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.iter().any(|b| !b.is_ascii_whitespace()))
    }
}

/// `%XX` and `+` of application/x-www-form-urlencoded, to bytes.
fn decode(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < s.len() => {
                match std::str::from_utf8(&s[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// Text to Windows-31J (encoding_rs's Shift_JIS encoder is the WHATWG one, i.e. Windows-31J).
pub fn sjis(text: &str) -> Vec<u8> {
    encoding_rs::SHIFT_JIS.encode(text).0.into_owned()
}

/// A `key=value` reply: result, response_code, response_detail, then the items in order.
pub struct KeyValue {
    body: Vec<u8>,
}

impl KeyValue {
    pub fn ok() -> KeyValue {
        KeyValue::head("0", "", b"")
    }

    pub fn error(code: &str, detail: &str) -> KeyValue {
        KeyValue::head("1", code, &sjis(detail))
    }

    fn head(result: &str, code: &str, detail: &[u8]) -> KeyValue {
        let mut kv = KeyValue { body: Vec::new() };
        kv.item("result", result.as_bytes())
            .item("response_code", code.as_bytes());
        kv.item("response_detail", detail);
        kv
    }

    pub fn item(&mut self, key: &str, value: &[u8]) -> &mut KeyValue {
        self.body.extend_from_slice(key.as_bytes());
        self.body.push(b'=');
        self.body.extend_from_slice(value);
        self.body.extend_from_slice(b"\r\n");
        self
    }

    /// The `_html` item: last in the reply, its text on the following lines (§6.3).
    pub fn html(&mut self, key: &str, html: &[u8]) -> &mut KeyValue {
        self.item(key, b"");
        self.body.extend_from_slice(html);
        self
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.body
    }
}

/// One line of the reference CSV: every field quoted, `"` doubled (fixture 04 style).
pub fn csv_line(fields: &[&[u8]]) -> Vec<u8> {
    let mut line = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            line.push(b',');
        }
        line.push(b'"');
        for &b in *f {
            if b == b'"' {
                line.push(b'"');
            }
            line.push(b);
        }
        line.push(b'"');
    }
    line.extend_from_slice(b"\r\n");
    line
}

/// A reference-CSV error reply: header `1` with the error, trailer `4` with count 0 (fixture 09).
pub fn csv_error(code: &str, detail: &str) -> Vec<u8> {
    let mut body = csv_line(&[b"1", b"1", code.as_bytes(), &sjis(detail)]);
    body.extend(csv_line(&[b"4", b"0"]));
    body
}

/// A file-payment error reply: result in column 6 of the header (fixture 08).
pub fn file_error(code: &str, detail: &str) -> Vec<u8> {
    let mut body = format!("1,,,,,,1,{code},\"").into_bytes();
    body.extend(sjis(detail));
    body.extend_from_slice(b"\"\r\n4,,,,,,\r\n");
    body
}

/// Today (UTC) plus `days`, as `YYYYMMDD`.
pub fn date_after(days: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (y, m, d) = civil(now / 86_400 + days);
    format!("{y:04}{m:02}{d:02}")
}

/// Now (UTC) as `YYYYMMDDhhmmss`.
pub fn timestamp() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (y, m, d) = civil(now / 86_400);
    let s = now % 86_400;
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// Days since 1970-01-01 to (year, month, day); Howard Hinnant's civil_from_days.
fn civil(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_details_are_windows_31j() {
        let body = KeyValue::error("2003", "カード情報の入力内容に誤りがあります。").into_bytes();
        assert!(body.starts_with(b"result=1\r\nresponse_code=2003\r\nresponse_detail="));
        let detail =
            &body[b"result=1\r\nresponse_code=2003\r\nresponse_detail=".len()..body.len() - 2];
        // Not UTF-8 on the wire: ka (カ) is 83 4A in Shift_JIS.
        assert_eq!(&detail[..2], b"\x83\x4a");
        assert!(std::str::from_utf8(detail).is_err());
        let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(detail);
        assert!(!bad);
        assert_eq!(text, "カード情報の入力内容に誤りがあります。");
        // A Windows-31J-only character (NEC row 13 circled one) survives.
        assert_eq!(sjis("①"), b"\x87\x40");
    }

    #[test]
    fn form_decoding_gives_bytes() {
        let f = Form::parse(b"a=%83%4A+x&b=1%3D2&c&d=%zz%4");
        assert_eq!(f.val("a"), b"\x83\x4a x");
        assert_eq!(f.val("b"), b"1=2");
        assert_eq!(f.get("c"), Some(&b""[..]));
        assert_eq!(f.val("d"), b"%zz%4");
        assert!(!f.has("c") && f.has("a"));
    }

    #[test]
    fn reference_csv_quotes_and_error_shape() {
        assert_eq!(
            csv_line(&[b"3", b"a\"b", b"x,y"]),
            b"\"3\",\"a\"\"b\",\"x,y\"\r\n"
        );
        let fixture = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/09_reference_027_error.body"
        ))
        .unwrap();
        assert_eq!(
            csv_error(
                "P026",
                "指定した顧客ID、顧客カードIDのカード情報はありません。"
            ),
            fixture
        );
        let fixture = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/08_file_payment_201_error.body"
        ))
        .unwrap();
        assert_eq!(
            file_error("9103", "指定された受付番号のファイル決済は処理中です。"),
            fixture
        );
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(19_782), (2024, 2, 29));
        assert_eq!(civil(20_454), (2026, 1, 1));
    }
}
