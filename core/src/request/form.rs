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

/// The inverse of [`encode`]: a form body back to its parameters (`+` → space, `%XX` → the byte;
/// a malformed escape stays as it is), in order, later duplicates winning as `reqPut` would.
pub fn decode(body: &[u8]) -> Params {
    let mut params = Params::new();
    for pair in body.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let (k, v) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &b""[..]),
        };
        params.put(&urldecode(k), &urldecode(v));
    }
    params
}

/// PHP `urldecode`.
pub fn urldecode(b: &[u8]) -> Vec<u8> {
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn decode_is_the_inverse_of_encode() {
        let mut p = crate::params::Params::new();
        p.put(b"telegram_kind", b"020");
        p.put(b"k y", b"a+b%*~\x83\x41&=");
        p.put(b"empty", b"");
        assert_eq!(super::decode(&super::encode(&p)), p);
        assert_eq!(super::urldecode(b"100%"), b"100%");
        assert_eq!(super::urldecode(b"%zz%4"), b"%zz%4");
    }

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
