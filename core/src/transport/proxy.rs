//! HTTP CONNECT tunnel (protocol.md §4.9; optional Basic credentials, protocol.md §9 #22).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Instant;

use super::Proxy;
use super::connect::tcp_connect;
use super::stream::TimedTcp;
use super::url::Target;
use crate::error::TransportFailure;

/// The CONNECT request curl sends.
pub fn connect_request(p: &Proxy, target: &Target) -> Vec<u8> {
    let authority = target.authority();
    let mut head = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
    if let Some((user, password)) = &p.credentials {
        let mut cred = user.clone();
        cred.push(b':');
        cred.extend_from_slice(password);
        head.push_str(&format!("Proxy-Authorization: Basic {}\r\n", base64(&cred)));
    }
    head.push_str("Proxy-Connection: Keep-Alive\r\n\r\n");
    head.into_bytes()
}

/// A TCP stream to the proxy, tunnelled to `target`; TLS then runs inside it.
pub fn tunnel(
    p: &Proxy,
    target: &Target,
    deadline: Instant,
    started: Instant,
) -> Result<TcpStream, TransportFailure> {
    let host = String::from_utf8_lossy(&p.host).into_owned();
    let tcp = tcp_connect(&host, p.port, deadline, started, true)?;
    let mut t = TimedTcp::new(tcp, deadline);
    t.write_all(&connect_request(p, target))
        .map_err(|e| super::http::receive_failure(&e, started, 0))?;
    // Byte by byte: what follows the proxy's head belongs to the TLS layer.
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match t.read(&mut b) {
            Ok(0) => return Err(TransportFailure::new(56, "Proxy CONNECT aborted")),
            Ok(_) => head.push(b[0]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(super::http::receive_failure(&e, started, head.len() as u64)),
        }
        if head.len() > 64 * 1024 {
            return Err(TransportFailure::new(
                56,
                "Proxy CONNECT reply header too large",
            ));
        }
    }
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut res = httparse::Response::new(&mut headers);
    match res.parse(&head) {
        Ok(httparse::Status::Complete(_)) => {}
        _ => {
            return Err(TransportFailure::new(
                56,
                "Proxy CONNECT: weird proxy reply",
            ));
        }
    }
    match res.code {
        Some(200..=299) => Ok(t.tcp),
        Some(code) => Err(TransportFailure::new(
            56,
            format!("CONNECT tunnel failed, response {code}"),
        )),
        None => Err(TransportFailure::new(
            56,
            "Proxy CONNECT: weird proxy reply",
        )),
    }
}

fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for c in data.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials() {
        assert_eq!(
            base64(b"Aladdin:open sesame"),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
        let p = Proxy {
            host: b"127.0.0.1".to_vec(),
            port: 3128,
            credentials: Some((b"u".to_vec(), b"p".to_vec())),
        };
        let t = super::super::url::parse(b"https://localhost:8443/x").unwrap();
        assert_eq!(
            connect_request(&p, &t),
            b"CONNECT localhost:8443 HTTP/1.1\r\nHost: localhost:8443\r\nProxy-Authorization: Basic dTpw\r\nProxy-Connection: Keep-Alive\r\n\r\n"
        );
    }
}
