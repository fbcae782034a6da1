//! Character sets: the V3 UTF-8 kinds (§4.7) and the opt-in caller encoding (decisions.md 13).
//! Windows-31J is encoding_rs's `SHIFT_JIS` (the WHATWG Shift_JIS, i.e. CP932 with the NEC and
//! IBM extensions); EUC-JP stands in for CP51932.

use encoding_rs::{EUC_JP, Encoding, SHIFT_JIS, UTF_8};

/// What to do with the reply body before parsing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReplyCharset {
    /// Leave the bytes as received (normal telegrams).
    #[default]
    Raw,
    /// UTF-8 reply → Windows-31J (V3 kind with `setEncoding("Shift_JIS")`).
    Utf8ToCp932,
    /// UTF-8 reply → EUC-JP (V3 kind with `setEncoding("EUC-JP")`).
    Utf8ToEucJp,
    /// Windows-31J reply → UTF-8 (caller_encoding=UTF-8, normal kinds).
    Cp932ToUtf8,
    /// Windows-31J reply → EUC-JP (caller_encoding=EUC-JP, normal kinds).
    Cp932ToEucJp,
}

/// A request-side charset: what the caller's bytes are in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Charset {
    /// Windows-31J (CP932): the gateway's charset for normal telegrams (§4.7).
    Cp932,
    /// UTF-8: the V3 UTF-8 kinds, or `caller_encoding=UTF-8`.
    Utf8,
    /// EUC-JP, standing in for CP51932.
    EucJp,
}

impl Charset {
    fn encoding(self) -> &'static Encoding {
        match self {
            Self::Cp932 => SHIFT_JIS,
            Self::Utf8 => UTF_8,
            Self::EucJp => EUC_JP,
        }
    }
}

/// Re-encode `value` from `from` to `to`; `None` when a byte sequence is not valid in `from`
/// or a character has no form in `to` (never a `?` substitute).
pub fn convert_strict(value: &[u8], from: Charset, to: Charset) -> Option<Vec<u8>> {
    if from == to {
        return Some(value.to_vec());
    }
    let text = from
        .encoding()
        .decode_without_bom_handling_and_without_replacement(value)?;
    if to == Charset::Utf8 {
        return Some(text.into_owned().into_bytes());
    }
    let (bytes, _, unmappable) = to.encoding().encode(&text);
    (!unmappable).then(|| bytes.into_owned())
}

/// Re-encode leniently, like `mb_convert_encoding`: malformed input becomes U+FFFD, and a
/// character with no form in `to` becomes `?`.
pub fn convert_lossy(value: &[u8], from: Charset, to: Charset) -> Vec<u8> {
    if from == to {
        return value.to_vec();
    }
    let (text, _) = from.encoding().decode_without_bom_handling(value);
    if to == Charset::Utf8 {
        return text.into_owned().into_bytes();
    }
    let mut encoder = to.encoding().new_encoder();
    let mut out = Vec::with_capacity(text.len() + 16);
    let mut rest: &str = &text;
    loop {
        let cap = encoder
            .max_buffer_length_from_utf8_without_replacement(rest.len())
            .unwrap_or(rest.len() * 4 + 16);
        let start = out.len();
        out.resize(start + cap, 0);
        let (result, read, written) =
            encoder.encode_from_utf8_without_replacement(rest, &mut out[start..], true);
        out.truncate(start + written);
        rest = &rest[read..];
        match result {
            encoding_rs::EncoderResult::InputEmpty => break,
            encoding_rs::EncoderResult::Unmappable(_) => out.push(b'?'),
            encoding_rs::EncoderResult::OutputFull => {}
        }
    }
    out
}

/// Convert a reply body as `how` says.
pub fn convert_reply(body: Vec<u8>, how: ReplyCharset) -> Vec<u8> {
    let (from, to) = match how {
        ReplyCharset::Raw => return body,
        ReplyCharset::Utf8ToCp932 => (Charset::Utf8, Charset::Cp932),
        ReplyCharset::Utf8ToEucJp => (Charset::Utf8, Charset::EucJp),
        ReplyCharset::Cp932ToUtf8 => (Charset::Cp932, Charset::Utf8),
        ReplyCharset::Cp932ToEucJp => (Charset::Cp932, Charset::EucJp),
    };
    convert_lossy(&body, from, to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extended_kanji_round_trips_through_cp932() {
        // 髙 (IBM extension) is FB FC in Windows-31J.
        assert_eq!(
            convert_strict(&[0xFB, 0xFC], Charset::Cp932, Charset::Utf8).unwrap(),
            "髙".as_bytes()
        );
        assert_eq!(
            convert_strict("髙".as_bytes(), Charset::Utf8, Charset::Cp932).unwrap(),
            [0xFB, 0xFC]
        );
        assert_eq!(
            convert_reply("認証".as_bytes().to_vec(), ReplyCharset::Utf8ToCp932),
            [0x94, 0x46, 0x8F, 0xD8]
        );
        assert_eq!(
            convert_reply(vec![0x94, 0x46, 0x8F, 0xD8], ReplyCharset::Cp932ToUtf8),
            "認証".as_bytes()
        );
        let euc = convert_reply("認証".as_bytes().to_vec(), ReplyCharset::Utf8ToEucJp);
        assert_eq!(
            convert_reply(vec![0x94, 0x46, 0x8F, 0xD8], ReplyCharset::Cp932ToEucJp),
            euc
        );
        assert_eq!(
            convert_strict(&euc, Charset::EucJp, Charset::Utf8).unwrap(),
            "認証".as_bytes()
        );
    }

    #[test]
    fn strict_refuses_what_lossy_replaces() {
        assert_eq!(
            convert_strict("a😀b".as_bytes(), Charset::Utf8, Charset::Cp932),
            None
        );
        assert_eq!(
            convert_lossy("a😀b".as_bytes(), Charset::Utf8, Charset::Cp932),
            b"a?b"
        );
        assert_eq!(convert_strict(b"\xff", Charset::Utf8, Charset::Cp932), None);
        assert_eq!(convert_strict(&[0x82], Charset::Cp932, Charset::Utf8), None);
        assert_eq!(
            convert_reply(b"result=0\r\n".to_vec(), ReplyCharset::Raw),
            b"result=0\r\n"
        );
        let long = "認".repeat(5000) + "😀";
        let out = convert_lossy(long.as_bytes(), Charset::Utf8, Charset::Cp932);
        assert_eq!(out.len(), 10_001);
        assert_eq!(out.last(), Some(&b'?'));
    }
}
