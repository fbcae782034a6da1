//! The small HTTP/1.x server side: request heads via httparse, Content-Length bodies,
//! keep-alive for HTTP/1.1 unless `Connection: close`, close after HTTP/1.0.

use std::io::{self, Read, Write};

const MAX_HEAD: usize = 64 * 1024;
/// File payment telegrams may be 10 MB (protocol.md §8.1); leave room for form encoding.
const MAX_BODY: usize = 40 * 1024 * 1024;

pub struct Request {
    pub method: String,
    pub path: String,
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub version: u8,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    fn header_has(&self, name: &str, token: &str) -> bool {
        self.header(name).is_some_and(|v| {
            String::from_utf8_lossy(v)
                .split(',')
                .any(|t| t.trim().eq_ignore_ascii_case(token))
        })
    }

    pub fn keep_alive(&self) -> bool {
        self.version == 1 && !self.header_has("Connection", "close")
    }

    /// The path without a query string.
    pub fn route(&self) -> &str {
        self.path.split('?').next().unwrap_or("")
    }
}

/// A reply, or a way of not replying properly.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub fault: Option<Fault>,
    pub delay_ms: u64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fault {
    /// Close the connection without a reply.
    Close,
    /// Announce a longer Content-Length than sent, then close.
    Truncate,
    /// Status line `HTX/9 abc`.
    GarbageStatus,
    /// Half the reply (a longer Content-Length announced), then a TCP reset.
    Reset,
    /// A chunked body that never ends (stops when the client hangs up, or after 8 GiB).
    EndlessChunked,
    /// HTTP/1.0 without Content-Length, the body cut in the middle of its last line by a bare
    /// TCP FIN (no TLS close_notify).
    CutMidLine,
    /// HTTP/1.0 without Content-Length, the body cut after its first line (a line end), then a
    /// bare TCP FIN (no TLS close_notify): only the missing close_notify tells it is cut.
    CutAtLineEnd,
}

impl Fault {
    pub fn parse(s: &str) -> Option<Fault> {
        match s {
            "close" => Some(Fault::Close),
            "truncate" => Some(Fault::Truncate),
            "garbage_status" => Some(Fault::GarbageStatus),
            "reset" => Some(Fault::Reset),
            "endless_chunked" => Some(Fault::EndlessChunked),
            "cut_mid_line" => Some(Fault::CutMidLine),
            "cut_at_line_end" => Some(Fault::CutAtLineEnd),
            _ => None,
        }
    }
}

pub const SJIS_HTML: &str = "text/html; charset=Windows-31J";

impl Response {
    pub fn new(status: u16, body: Vec<u8>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), SJIS_HTML.into())],
            body,
            fault: None,
            delay_ms: 0,
        }
    }

    pub fn text(status: u16, text: &str) -> Response {
        let mut r = Response::new(status, text.as_bytes().to_vec());
        r.headers = vec![("Content-Type".into(), "text/plain".into())];
        r
    }
}

/// One connection's read side: bytes read past the current request stay in `buf`.
pub struct Reader {
    buf: Vec<u8>,
}

impl Reader {
    pub fn new() -> Reader {
        Reader { buf: Vec::new() }
    }

    /// The next request, `Ok(None)` on a clean close between requests.
    pub fn next<S: Read + Write>(&mut self, s: &mut S) -> io::Result<Option<Request>> {
        let (head_len, mut req, length) = loop {
            if let Some(parsed) = parse_head(&self.buf)? {
                break parsed;
            }
            if self.buf.len() > MAX_HEAD {
                return Err(bad("request head too long"));
            }
            if !self.fill(s)? {
                return if self.buf.is_empty() {
                    Ok(None)
                } else {
                    Err(bad("eof inside head"))
                };
            }
        };
        self.buf.drain(..head_len);
        if req.header_has("Expect", "100-continue") && self.buf.len() < length {
            s.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
            s.flush()?;
        }
        while self.buf.len() < length {
            if !self.fill(s)? {
                return Err(bad("eof inside body"));
            }
        }
        req.body = self.buf.drain(..length).collect();
        Ok(Some(req))
    }

    fn fill<S: Read>(&mut self, s: &mut S) -> io::Result<bool> {
        let mut chunk = [0u8; 16 * 1024];
        let n = s.read(&mut chunk)?;
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n > 0)
    }
}

fn bad(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

fn parse_head(buf: &[u8]) -> io::Result<Option<(usize, Request, usize)>> {
    let mut headers = [httparse::EMPTY_HEADER; 100];
    let mut parsed = httparse::Request::new(&mut headers);
    let n = match parsed.parse(buf).map_err(|e| bad(&e.to_string()))? {
        httparse::Status::Partial => return Ok(None),
        httparse::Status::Complete(n) => n,
    };
    let req = Request {
        method: parsed.method.unwrap_or("").to_string(),
        path: parsed.path.unwrap_or("").to_string(),
        version: parsed.version.unwrap_or(1),
        headers: parsed
            .headers
            .iter()
            .map(|h| (h.name.to_string(), h.value.to_vec()))
            .collect(),
        body: Vec::new(),
    };
    if req.header("Transfer-Encoding").is_some() {
        return Err(bad(
            "Transfer-Encoding is not supported; send Content-Length",
        ));
    }
    let length = match req.header("Content-Length") {
        None => 0,
        Some(v) => std::str::from_utf8(v)
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|&l| l <= MAX_BODY)
            .ok_or_else(|| bad("bad Content-Length"))?,
    };
    Ok(Some((n, req, length)))
}

/// Writes the reply (honouring its fault); returns whether the connection may stay open.
/// `keep_alive_timeout`: the seconds an idle connection stays open, announced as Apache does
/// (`Keep-Alive: timeout=N`) on a kept-alive reply; 0 announces nothing.
pub fn write<S: Write>(
    s: &mut S,
    req: &Request,
    resp: &Response,
    keep_alive_timeout: u64,
) -> io::Result<bool> {
    if resp.fault == Some(Fault::Close) {
        return Ok(false);
    }
    match resp.fault {
        Some(Fault::EndlessChunked) => return endless_chunked(s),
        Some(Fault::CutMidLine) => {
            let mut out = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n".to_vec();
            // All but the last line end and half of the last line.
            let body = resp.body.strip_suffix(b"\r\n").unwrap_or(&resp.body);
            out.extend_from_slice(&body[..body.len() - body.len().min(4)]);
            s.write_all(&out)?;
            s.flush()?;
            return Ok(false);
        }
        Some(Fault::CutAtLineEnd) => {
            let mut out = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n".to_vec();
            let end = resp
                .body
                .windows(2)
                .position(|w| w == b"\r\n")
                .map_or(0, |i| i + 2);
            out.extend_from_slice(&resp.body[..end]);
            s.write_all(&out)?;
            s.flush()?;
            return Ok(false);
        }
        _ => {}
    }
    let keep = req.keep_alive() && resp.fault.is_none();
    let version = if req.version == 0 {
        "HTTP/1.0"
    } else {
        "HTTP/1.1"
    };
    let mut head = if resp.fault == Some(Fault::GarbageStatus) {
        "HTX/9 abc\r\n".to_string()
    } else {
        format!("{version} {} {}\r\n", resp.status, reason(resp.status))
    };
    let has = |n: &str| resp.headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(n));
    for (n, v) in &resp.headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    let mut body: &[u8] = &resp.body;
    if !has("Content-Length") {
        let announced = match resp.fault {
            // Announce more than is sent: the client sees a partial reply.
            Some(Fault::Truncate | Fault::Reset) => {
                body = &resp.body[..resp.body.len() / 2];
                resp.body.len() + 100
            }
            _ => resp.body.len(),
        };
        head.push_str(&format!("Content-Length: {announced}\r\n"));
    }
    if !has("Connection") {
        head.push_str(if keep {
            "Connection: keep-alive\r\n"
        } else {
            "Connection: close\r\n"
        });
        if keep && keep_alive_timeout > 0 && !has("Keep-Alive") {
            head.push_str(&format!("Keep-Alive: timeout={keep_alive_timeout}\r\n"));
        }
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    if req.method != "HEAD" {
        out.extend_from_slice(body);
    }
    s.write_all(&out)?;
    s.flush()?;
    Ok(keep)
}

fn endless_chunked<S: Write>(s: &mut S) -> io::Result<bool> {
    s.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n",
    )?;
    let mut chunk = b"10000\r\n".to_vec();
    chunk.extend(std::iter::repeat_n(b'a', 0x10000));
    chunk.extend_from_slice(b"\r\n");
    for _ in 0..(8u64 << 30) / 0x10000 {
        s.write_all(&chunk)?;
    }
    Ok(false)
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}
