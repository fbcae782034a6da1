//! `https://host[:port]/path` — the only URL shape the gateway uses (protocol.md §3.4).

use std::net::IpAddr;

use crate::error::TransportFailure;

/// A parsed gateway URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// Host as written, without brackets for IPv6 literals.
    pub host: String,
    pub port: u16,
    /// Path and query, at least `/`.
    pub path: String,
}

impl Target {
    /// The address literal, when the host is one (no SNI, verified against IP SANs).
    pub fn ip(&self) -> Option<IpAddr> {
        self.host.parse().ok()
    }

    /// `host:port` for `Host:` and `CONNECT`, bracketing IPv6 literals.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The `Host:` header value: the port only when it is not the default (as curl).
    pub fn host_header(&self) -> String {
        if self.port == 443 {
            if self.host.contains(':') {
                format!("[{}]", self.host)
            } else {
                self.host.clone()
            }
        } else {
            self.authority()
        }
    }
}

/// Parse the URL; anything but `https://` is errno 1, a malformed one errno 3 (as curl).
pub fn parse(url: &[u8]) -> Result<Target, TransportFailure> {
    let bad = || TransportFailure::new(3, "URL using bad/illegal format or missing URL");
    let text = std::str::from_utf8(url).map_err(|_| bad())?.trim();
    let Some(scheme_end) = text.find("://") else {
        return Err(bad());
    };
    let scheme = &text[..scheme_end];
    if !scheme.eq_ignore_ascii_case("https") {
        return Err(TransportFailure::new(
            1,
            format!("Protocol \"{scheme}\" not supported or disabled in libcurl"),
        ));
    }
    let rest = &text[scheme_end + 3..];
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) if rest.as_bytes()[i] == b'/' => (&rest[..i], rest[i..].to_string()),
        Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
        None => (rest, "/".to_string()),
    };
    let path = path.split('#').next().unwrap_or("/").to_string();
    if authority.contains('@') || path.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(bad());
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let end = v6.find(']').ok_or_else(bad)?;
        let host = &v6[..end];
        host.parse::<std::net::Ipv6Addr>().map_err(|_| bad())?;
        let after = &v6[end + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err(bad()),
        };
        (host.to_string(), port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (authority.to_string(), None),
        }
    };
    let port = match port {
        None => 443,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 => n,
            _ => {
                return Err(TransportFailure::new(
                    3,
                    "Port number was not a decimal number between 0 and 65535",
                ));
            }
        },
    };
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._:".contains(&b));
    if !host_ok {
        return Err(bad());
    }
    Ok(Target {
        host: host.to_ascii_lowercase(),
        port,
        path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateway_urls() {
        let t = parse(b"https://module.paygent.co.jp/n/card/request").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.path.as_str()),
            ("module.paygent.co.jp", 443, "/n/card/request")
        );
        assert_eq!(t.host_header(), "module.paygent.co.jp");
        let t = parse(b"https://127.0.0.1:8443").unwrap();
        assert_eq!(
            (t.port, t.path.as_str(), t.authority().as_str()),
            (8443, "/", "127.0.0.1:8443")
        );
        assert!(t.ip().is_some());
        let t = parse(b"https://[::1]:9/x?y=1").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.path.as_str()),
            ("::1", 9, "/x?y=1")
        );
        assert_eq!(t.authority(), "[::1]:9");
    }

    #[test]
    fn rejects() {
        assert_eq!(parse(b"http://h/x").unwrap_err().errno, 1);
        assert_eq!(parse(b"h/x").unwrap_err().errno, 3);
        assert_eq!(parse(b"https:///x").unwrap_err().errno, 3);
        assert_eq!(parse(b"https://h:99999/x").unwrap_err().errno, 3);
        assert_eq!(parse(b"https://u:p@h/x").unwrap_err().errno, 3);
        assert_eq!(parse(b"https://h/a b").unwrap_err().errno, 3);
    }
}
