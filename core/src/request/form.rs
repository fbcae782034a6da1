//! PHP `urlencode()` and the form body (§4.8).

use crate::params::Params;

/// PHP `urlencode`: `A–Z a–z 0–9 - _ .` kept, space → `+`, everything else `%XX` upper-case.
pub fn urlencode_into(out: &mut Vec<u8>, b: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &c in b {
        match c {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(c),
            b' ' => out.push(b'+'),
            _ => out.extend_from_slice(&[b'%', HEX[usize::from(c >> 4)], HEX[usize::from(c & 15)]]),
        }
    }
}

/// `k1=v1&k2=v2…` in parameter order.
pub fn encode(params: &Params) -> Vec<u8> {
    encode_with(params, |_, _| None)
}

/// [`encode`] with some values replaced before encoding (`replace` returns the replacement).
pub fn encode_with(params: &Params, replace: impl Fn(&[u8], &[u8]) -> Option<Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, (k, v)) in params.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        urlencode_into(&mut out, k);
        out.push(b'=');
        match replace(k, v) {
            Some(r) => urlencode_into(&mut out, &r),
            None => urlencode_into(&mut out, v),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(b: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        urlencode_into(&mut v, b);
        v
    }

    #[test]
    fn php_urlencode_bytes() {
        assert_eq!(
            enc("a b*~-_.&=+/%あ".as_bytes()),
            b"a+b%2A%7E-_.%26%3D%2B%2F%25%E3%81%82"
        );
        assert_eq!(
            enc(b"!'()\x00\xff\r\nAZaz09"),
            b"%21%27%28%29%00%FF%0D%0AAZaz09"
        );
        // Every byte outside the kept set becomes exactly three characters.
        for c in 0..=255u8 {
            let kept = c.is_ascii_alphanumeric() || b"-_.".contains(&c);
            assert_eq!(
                enc(&[c]).len(),
                if kept || c == b' ' { 1 } else { 3 },
                "{c}"
            );
        }
    }

    #[test]
    fn pairs_in_order_keys_encoded_empty_values_kept() {
        let mut p = Params::new();
        p.put(b"telegram_kind", b"020");
        p.put(b"a key", b"");
        p.put(b"card_number", b"4111111111111111");
        assert_eq!(
            encode(&p),
            b"telegram_kind=020&a+key=&card_number=4111111111111111"
        );
        let masked = encode_with(&p, |k, _| (k == b"card_number").then(|| b"X X".to_vec()));
        assert_eq!(masked, b"telegram_kind=020&a+key=&card_number=X+X");
    }
}
