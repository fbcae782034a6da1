//! Half-width kana conversion of the `…_kana` parameters (§4.5), table implemented directly.
//!
//! The table works on characters; three byte walkers (Windows-31J, UTF-8, EUC-JP) find the
//! characters it maps and copy every other byte sequence unchanged, so bytes that are not
//! valid text in the charset survive as they are.

/// Keys (compared lower-cased) whose values are converted.
pub const KANA_KEYS: [&str; 5] = [
    "customer_family_name_kana",
    "customer_name_kana",
    "payment_detail_kana",
    "claim_kana",
    "receipt_name_kana",
];

/// Whether `key` names a kana field (ASCII case-insensitive).
pub fn is_kana_key(key: &[u8]) -> bool {
    KANA_KEYS
        .iter()
        .any(|k| k.as_bytes().eq_ignore_ascii_case(key))
}

/// Half-width forms of U+30A1 ァ … U+30F4 ヴ (`mb_convert_kana` mode `k`): voiced kana become
/// base + ﾞ/ﾟ; ヮ→ﾜ, ヰ→ｲ, ヱ→ｴ. ヵ U+30F5 and ヶ U+30F6 have no half-width form and stay.
#[rustfmt::skip]
const KATAKANA: [&str; 84] = [
    "ｧ", "ｱ", "ｨ", "ｲ", "ｩ", "ｳ", "ｪ", "ｴ", "ｫ", "ｵ",
    "ｶ", "ｶﾞ", "ｷ", "ｷﾞ", "ｸ", "ｸﾞ", "ｹ", "ｹﾞ", "ｺ", "ｺﾞ",
    "ｻ", "ｻﾞ", "ｼ", "ｼﾞ", "ｽ", "ｽﾞ", "ｾ", "ｾﾞ", "ｿ", "ｿﾞ",
    "ﾀ", "ﾀﾞ", "ﾁ", "ﾁﾞ", "ｯ", "ﾂ", "ﾂﾞ", "ﾃ", "ﾃﾞ", "ﾄ",
    "ﾄﾞ", "ﾅ", "ﾆ", "ﾇ", "ﾈ", "ﾉ", "ﾊ", "ﾊﾞ", "ﾊﾟ", "ﾋ",
    "ﾋﾞ", "ﾋﾟ", "ﾌ", "ﾌﾞ", "ﾌﾟ", "ﾍ", "ﾍﾞ", "ﾍﾟ", "ﾎ", "ﾎﾞ",
    "ﾎﾟ", "ﾏ", "ﾐ", "ﾑ", "ﾒ", "ﾓ", "ｬ", "ﾔ", "ｭ", "ﾕ",
    "ｮ", "ﾖ", "ﾗ", "ﾘ", "ﾙ", "ﾚ", "ﾛ", "ﾜ", "ﾜ", "ｲ",
    "ｴ", "ｦ", "ﾝ", "ｳﾞ",
];

/// The half-width form of one character, or `None` to keep it.
fn half_width(c: char) -> Option<&'static str> {
    match c {
        '\u{30A1}'..='\u{30F4}' => Some(KATAKANA[c as usize - 0x30A1]),
        '、' => Some("､"),
        '。' => Some("｡"),
        '「' => Some("｢"),
        '」' => Some("｣"),
        '゛' => Some("ﾞ"),
        '゜' => Some("ﾟ"),
        '・' => Some("･"),
        'ー' => Some("ｰ"),
        _ => None,
    }
}

/// Half-width katakana U+FF61…U+FF9F as its single JIS X 0201 byte 0xA1…0xDF.
fn jis_x0201(c: char) -> u8 {
    (c as u32 - 0xFF61 + 0xA1) as u8
}

/// Convert full-width katakana and the listed punctuation in Windows-31J bytes to half-width.
pub fn to_half_width_sjis(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len());
    let mut i = 0;
    while i < value.len() {
        let lead = value[i];
        let trail = value
            .get(i + 1)
            .copied()
            .filter(|&t| matches!(t, 0x40..=0x7E | 0x80..=0xFC));
        match (lead, trail) {
            (0x81..=0x9F | 0xE0..=0xFC, Some(t)) => {
                match sjis_char(lead, t).and_then(half_width) {
                    Some(h) => out.extend(h.chars().map(jis_x0201)),
                    None => out.extend_from_slice(&[lead, t]),
                }
                i += 2;
            }
            _ => {
                out.push(lead);
                i += 1;
            }
        }
    }
    out
}

/// The characters of the table in Windows-31J (row 1 punctuation and the katakana row).
fn sjis_char(lead: u8, trail: u8) -> Option<char> {
    let cp = match (lead, trail) {
        (0x83, 0x40..=0x7E) => 0x30A1 + u32::from(trail - 0x40),
        (0x83, 0x80..=0x96) => 0x30E0 + u32::from(trail - 0x80),
        (0x81, 0x41) => 0x3001,
        (0x81, 0x42) => 0x3002,
        (0x81, 0x45) => 0x30FB,
        (0x81, 0x4A) => 0x309B,
        (0x81, 0x4B) => 0x309C,
        (0x81, 0x5B) => 0x30FC,
        (0x81, 0x75) => 0x300C,
        (0x81, 0x76) => 0x300D,
        _ => return None,
    };
    char::from_u32(cp)
}

/// The same for UTF-8 bytes (caller encoding UTF-8, §11). Invalid sequences are kept.
pub fn to_half_width_utf8(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len());
    for chunk in value.utf8_chunks() {
        let valid = chunk.valid();
        let mut start = 0;
        for (pos, c) in valid.char_indices() {
            if let Some(h) = half_width(c) {
                out.extend_from_slice(&valid.as_bytes()[start..pos]);
                out.extend_from_slice(h.as_bytes());
                start = pos + c.len_utf8();
            }
        }
        out.extend_from_slice(&valid.as_bytes()[start..]);
        out.extend_from_slice(chunk.invalid());
    }
    out
}

/// The same for EUC-JP bytes (half-width kana as `8E xx`).
pub fn to_half_width_euc_jp(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len());
    let mut i = 0;
    while i < value.len() {
        let b = value[i];
        let width = match b {
            0x8E => 2,
            0x8F => 3,
            0xA1..=0xFE => 2,
            _ => 1,
        };
        let seq = &value[i..value.len().min(i + width)];
        let mapped = match seq {
            [l @ 0xA1..=0xFE, t @ 0xA1..=0xFE] => euc_char(*l, *t).and_then(half_width),
            _ => None,
        };
        match mapped {
            Some(h) => h
                .chars()
                .for_each(|c| out.extend_from_slice(&[0x8E, jis_x0201(c)])),
            None => out.extend_from_slice(seq),
        }
        i += seq.len();
    }
    out
}

/// The characters of the table in EUC-JP (JIS X 0208 rows 1 and 5).
fn euc_char(lead: u8, trail: u8) -> Option<char> {
    let cp = match (lead, trail) {
        (0xA5, 0xA1..=0xF6) => 0x30A1 + u32::from(trail - 0xA1),
        (0xA1, 0xA2) => 0x3001,
        (0xA1, 0xA3) => 0x3002,
        (0xA1, 0xA6) => 0x30FB,
        (0xA1, 0xAB) => 0x309B,
        (0xA1, 0xAC) => 0x309C,
        (0xA1, 0xBC) => 0x30FC,
        (0xA1, 0xD6) => 0x300C,
        (0xA1, 0xD7) => 0x300D,
        _ => return None,
    };
    char::from_u32(cp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{EUC_JP, SHIFT_JIS};

    fn sjis(s: &str) -> Vec<u8> {
        let (b, _, bad) = SHIFT_JIS.encode(s);
        assert!(!bad, "{s}");
        b.into_owned()
    }

    fn euc(s: &str) -> Vec<u8> {
        let (b, _, bad) = EUC_JP.encode(s);
        assert!(!bad, "{s}");
        b.into_owned()
    }

    /// Every character of the table, and its expected half-width form.
    fn table() -> Vec<(char, &'static str)> {
        let mut v: Vec<(char, &str)> = (0x30A1..=0x30F4)
            .map(|cp| (char::from_u32(cp).unwrap(), KATAKANA[cp as usize - 0x30A1]))
            .collect();
        v.extend([
            ('、', "､"),
            ('。', "｡"),
            ('「', "｢"),
            ('」', "｣"),
            ('゛', "ﾞ"),
            ('゜', "ﾟ"),
        ]);
        v.extend([('・', "･"), ('ー', "ｰ")]);
        v
    }

    #[test]
    fn the_manual_example_bytes() {
        let v = to_half_width_sjis(&sjis("ヤマダ・ガッコウ"));
        assert_eq!(
            v,
            [0xD4, 0xCF, 0xC0, 0xDE, 0xA5, 0xB6, 0xDE, 0xAF, 0xBA, 0xB3]
        );
    }

    #[test]
    fn special_rows_and_unchanged_characters() {
        let s = "ヴヵヶヮヰヱー　あＡ１";
        let want = "ｳﾞヵヶﾜｲｴｰ　あＡ１";
        assert_eq!(to_half_width_sjis(&sjis(s)), sjis(want));
        assert_eq!(to_half_width_utf8(s.as_bytes()), want.as_bytes());
        assert_eq!(to_half_width_euc_jp(&euc(s)), euc(want));
        let kept = "ヽヾ漢字ｱｲ－～abc 123髙";
        assert_eq!(to_half_width_sjis(&sjis(kept)), sjis(kept));
        assert_eq!(to_half_width_utf8(kept.as_bytes()), kept.as_bytes());
    }

    #[test]
    fn whole_table_in_every_charset() {
        for (full, half) in table() {
            let f = full.to_string();
            assert_eq!(to_half_width_sjis(&sjis(&f)), sjis(half), "sjis {full}");
            assert_eq!(
                to_half_width_utf8(f.as_bytes()),
                half.as_bytes(),
                "utf8 {full}"
            );
            assert_eq!(to_half_width_euc_jp(&euc(&f)), euc(half), "euc {full}");
        }
        // Every other Windows-31J double-byte character is left alone.
        let mapped: Vec<Vec<u8>> = table().iter().map(|(c, _)| sjis(&c.to_string())).collect();
        for lead in (0x81..=0x9Fu8).chain(0xE0..=0xFC) {
            for trail in (0x40..=0x7Eu8).chain(0x80..=0xFC) {
                let pair = [lead, trail];
                if !mapped.iter().any(|m| m == &pair) {
                    assert_eq!(to_half_width_sjis(&pair), pair, "{lead:02X}{trail:02X}");
                }
            }
        }
    }

    #[test]
    fn non_text_bytes_survive() {
        // A katakana trail byte after a lead byte is not a katakana; broken tails stay.
        assert_eq!(to_half_width_sjis(&[0x88, 0x83, 0x40]), [0x88, 0x83, 0x40]);
        assert_eq!(to_half_width_sjis(&[b'a', 0x83]), [b'a', 0x83]);
        assert_eq!(
            to_half_width_sjis(&[0x83, 0x0A, 0x83, 0x41]),
            [0x83, 0x0A, 0xB1]
        );
        assert_eq!(
            to_half_width_utf8(b"\xff\xe3\x82\xa2\xe3"),
            b"\xff\xef\xbd\xb1\xe3"
        );
        assert_eq!(
            to_half_width_euc_jp(&[0x8F, 0xA5, 0xA2, 0xA5, 0xA2]),
            [0x8F, 0xA5, 0xA2, 0x8E, 0xB1]
        );
    }

    #[test]
    fn keys_match_case_insensitively() {
        assert!(is_kana_key(b"CUSTOMER_NAME_KANA"));
        assert!(is_kana_key(b"claim_kana"));
        assert!(!is_kana_key(b"customer_family_name"));
    }
}
