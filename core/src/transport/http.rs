//! A small HTTP/1.x client: the request exactly as protocol.md §4.9, the reply head parsed with
//! httparse, the body framed by Content-Length, chunked, or EOF.

use std::io::{self, Read};
use std::time::Instant;

use super::url::Target;
use crate::error::TransportFailure;

/// The request bytes (head and body in one buffer: one write, no Nagle pause).
pub fn request(target: &Target, body: &[u8], user_agent: &str, keep_alive: bool) -> Vec<u8> {
    let version = if keep_alive { "HTTP/1.1" } else { "HTTP/1.0" };
    // A header value must not smuggle a line break.
    let ua: String = user_agent.chars().filter(|c| !c.is_control()).collect();
    let mut out = format!(
        "POST {} {version}\r\nHost: {}\r\nAccept: */*\r\nContent-Length: {}\r\nUser-Agent: {ua}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\n\r\n",
        target.path,
        target.host_header(),
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// A reply, and whether its connection may carry another request.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
    pub reusable: bool,
    /// How long the server keeps the connection open while idle (`Keep-Alive: timeout=N`).
    pub server_idle: Option<std::time::Duration>,
    /// The body ran to the end of the connection (no Content-Length, not chunked): a cut
    /// connection looks the same as a complete reply.
    pub until_eof: bool,
}

/// Longest reply header line, and most header lines, we accept (a real server sends a few
/// short ones).
pub const HEADER_LINE_MAX: usize = 8 * 1024;
pub const HEADER_COUNT_MAX: usize = 100;
/// The whole reply head (status line and headers).
const HEAD_MAX: usize = 64 * 1024;
/// Interim (1xx) replies skipped before the real one.
const INTERIM_MAX: usize = 10;

fn too_large(limit: usize) -> TransportFailure {
    TransportFailure::new(
        63,
        format!(
            "Maximum file size exceeded: the reply is larger than {limit} bytes \
             (reply_max_size, file_reply_max_size for kind 201)"
        ),
    )
}

fn weird_head(what: String) -> TransportFailure {
    TransportFailure::new(8, format!("Weird server reply ({what})"))
}

/// Reads from the connection, counting bytes for curl-style timeout texts.
/// The first read's size, and the most one read takes (see `Reader::chunk`).
const READ_CHUNK_MIN: usize = 2 * 1024;
const READ_CHUNK_MAX: usize = 16 * 1024;

struct Reader<'a, R> {
    inner: &'a mut R,
    buf: Vec<u8>,
    pos: usize,
    /// The read buffer: small at first (a payment reply is a few hundred bytes), doubled up to
    /// [`READ_CHUNK_MAX`] when a read fills it, so a small reply does not pay for zeroing a
    /// large one.
    chunk: Vec<u8>,
    received: u64,
    started: Instant,
    /// Most body bytes accepted.
    limit: usize,
    /// The connection ended without TLS close_notify (tls.rs reports that as `UnexpectedEof`):
    /// the peer, or anyone on the path, may have cut it.
    unclean_end: bool,
}

impl<R: Read> Reader<'_, R> {
    /// Read more bytes into the buffer; `Ok(false)` at EOF.
    fn fill(&mut self) -> Result<bool, TransportFailure> {
        // Drop what was consumed, so the buffer holds at most one unread line or read.
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        if self.chunk.is_empty() {
            self.chunk = vec![0; READ_CHUNK_MIN];
        }
        loop {
            match self.inner.read(&mut self.chunk) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    self.buf.extend_from_slice(&self.chunk[..n]);
                    if n == self.chunk.len() && n < READ_CHUNK_MAX {
                        self.chunk.resize(n * 2, 0);
                    }
                    self.received += n as u64;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // An end all the same: framed bodies see what is missing; a body framed by the
                // end alone is refused (`response`).
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    self.unclean_end = true;
                    return Ok(false);
                }
                Err(e) => return Err(receive_failure(&e, self.started, self.received)),
            }
        }
    }

    fn available(&self) -> &[u8] {
        &self.buf[self.pos..]
    }

    /// One CRLF-terminated line (without the line end); `None` at EOF.
    fn line(&mut self) -> Result<Option<Vec<u8>>, TransportFailure> {
        loop {
            if let Some(i) = self.available().iter().position(|&b| b == b'\n') {
                let mut line = self.available()[..i].to_vec();
                self.pos += i + 1;
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(Some(line));
            }
            if self.available().len() > 64 * 1024 {
                return Err(TransportFailure::new(
                    56,
                    "Problem in the chunked-encoded data (line too long)",
                ));
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// Exactly `n` body bytes; errno 18 when the connection ends first, 63 when the body would
    /// pass the limit (checked before reading).
    fn exact(&mut self, n: usize, out: &mut Vec<u8>) -> Result<(), TransportFailure> {
        if out.len().saturating_add(n) > self.limit {
            return Err(too_large(self.limit));
        }
        let mut left = n;
        while left > 0 {
            if self.available().is_empty() && !self.fill()? {
                return Err(partial(left));
            }
            let take = left.min(self.available().len());
            out.extend_from_slice(&self.available()[..take]);
            self.pos += take;
            left -= take;
        }
        Ok(())
    }
}

/// A body delimited only by the end of the connection (HTTP/1.0 without Content-Length) whose
/// end came without TLS close_notify: a cut reply cannot be told from a whole one.
fn cut_at_end(received: usize) -> TransportFailure {
    TransportFailure::new(
        56,
        format!(
            "TLS connection closed without close_notify after {received} body bytes: the reply \
             (HTTP/1.0 without Content-Length) may be cut short"
        ),
    )
}

fn partial(left: usize) -> TransportFailure {
    TransportFailure::new(
        18,
        format!("transfer closed with {left} bytes remaining to read"),
    )
}

/// A failed read: timeout (28) or receive failure (56, e.g. the server's TLS alert rejecting our
/// certificate after a TLS 1.3 handshake).
pub fn receive_failure(e: &io::Error, started: Instant, received: u64) -> TransportFailure {
    if matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    ) {
        return timed_out(started, received);
    }
    TransportFailure::new(56, format!("Recv failure: {}", super::reason(e)))
}

pub fn timed_out(started: Instant, received: u64) -> TransportFailure {
    TransportFailure::new(
        28,
        format!(
            "Operation timed out after {} milliseconds with {received} bytes received",
            started.elapsed().as_millis()
        ),
    )
}

/// Read one reply (skipping interim 1xx replies); a body longer than `limit` bytes fails with
/// errno 63 as soon as that is known, so memory stays bounded whatever the server sends.
pub fn response<R: Read>(
    conn: &mut R,
    started: Instant,
    limit: usize,
) -> Result<Response, TransportFailure> {
    let mut r = Reader {
        inner: conn,
        buf: Vec::new(),
        pos: 0,
        chunk: Vec::new(),
        received: 0,
        started,
        limit,
        unclean_end: false,
    };
    // Interim 1xx replies before the real one: a few at most.
    for _ in 0..INTERIM_MAX {
        let (status, version, head_len, framing, close, server_idle) = loop {
            let mut headers = [httparse::EMPTY_HEADER; HEADER_COUNT_MAX];
            let mut res = httparse::Response::new(&mut headers);
            match res.parse(r.available()) {
                Ok(httparse::Status::Complete(n)) => {
                    let status = res.code.unwrap_or(0);
                    let version = res.version.unwrap_or(0);
                    if let Some(h) = res
                        .headers
                        .iter()
                        .find(|h| h.name.len() + h.value.len() + 2 > HEADER_LINE_MAX)
                    {
                        return Err(weird_head(format!(
                            "header line {} longer than {HEADER_LINE_MAX} bytes",
                            h.name
                        )));
                    }
                    let (framing, close) = framing(res.headers)?;
                    let idle = keep_alive_timeout(res.headers);
                    break (status, version, n, framing, close, idle);
                }
                Ok(httparse::Status::Partial) => {
                    check_partial_head(r.available())?;
                    if !r.fill()? {
                        return Err(if r.received == 0 {
                            TransportFailure::new(52, "Empty reply from server")
                        } else {
                            TransportFailure::new(8, "Weird server reply (the header ended early)")
                        });
                    }
                }
                Err(httparse::Error::TooManyHeaders) => {
                    return Err(weird_head(format!(
                        "more than {HEADER_COUNT_MAX} header lines"
                    )));
                }
                Err(e) => return Err(weird_head(e.to_string())),
            }
        };
        r.pos += head_len;
        if (100..200).contains(&status) {
            continue; // 100 Continue and the like: the real reply follows
        }
        let mut body = Vec::new();
        let framed = if status == 204 || status == 304 {
            true
        } else {
            match framing {
                Framing::Chunked => {
                    chunked(&mut r, &mut body)?;
                    true
                }
                Framing::Length(n) => {
                    // Within the limit (else exact fails first): one allocation, no regrowth.
                    if n <= r.limit {
                        body.reserve_exact(n);
                    }
                    r.exact(n, &mut body)?;
                    true
                }
                Framing::Eof => {
                    loop {
                        if body.len() + r.available().len() > r.limit {
                            return Err(too_large(r.limit));
                        }
                        body.extend_from_slice(r.available());
                        r.pos = r.buf.len();
                        if !r.fill()? {
                            break;
                        }
                    }
                    if r.unclean_end {
                        return Err(cut_at_end(body.len()));
                    }
                    false
                }
            }
        };
        let until_eof = !framed;
        // Bytes after the reply, or anything but HTTP/1.1 keep-alive, end the connection's use.
        let reusable = framed && version == 1 && !close && r.available().is_empty();
        return Ok(Response {
            status,
            body,
            reusable,
            server_idle,
            until_eof,
        });
    }
    Err(weird_head(format!(
        "more than {INTERIM_MAX} interim 1xx replies"
    )))
}

/// A head still incomplete: fail once it, or its unfinished line, passes the limits.
fn check_partial_head(head: &[u8]) -> Result<(), TransportFailure> {
    if head.len() > HEAD_MAX {
        return Err(weird_head(format!(
            "reply header larger than {HEAD_MAX} bytes"
        )));
    }
    let open_line = head
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(head.len(), |i| head.len() - i - 1);
    if open_line > HEADER_LINE_MAX {
        return Err(weird_head(format!(
            "header line longer than {HEADER_LINE_MAX} bytes"
        )));
    }
    Ok(())
}

enum Framing {
    Chunked,
    Length(usize),
    Eof,
}

/// Body framing and `Connection: close` from the reply headers.
fn framing(headers: &[httparse::Header<'_>]) -> Result<(Framing, bool), TransportFailure> {
    let mut chunked = false;
    let mut length: Option<usize> = None;
    let mut close = false;
    for h in headers {
        let value = String::from_utf8_lossy(h.value).to_ascii_lowercase();
        if h.name.eq_ignore_ascii_case("transfer-encoding") {
            chunked |= value.split(',').any(|t| t.trim() == "chunked");
        } else if h.name.eq_ignore_ascii_case("content-length") {
            let n: usize = value.trim().parse().map_err(|_| {
                TransportFailure::new(8, "Weird server reply (invalid Content-Length)")
            })?;
            if length.is_some_and(|m| m != n) {
                return Err(TransportFailure::new(
                    8,
                    "Weird server reply (conflicting Content-Length)",
                ));
            }
            length = Some(n);
        } else if h.name.eq_ignore_ascii_case("connection") {
            close |= value.split(',').any(|t| t.trim() == "close");
        }
    }
    let f = if chunked {
        Framing::Chunked
    } else if let Some(n) = length {
        Framing::Length(n)
    } else {
        Framing::Eof
    };
    Ok((f, close))
}

/// `Keep-Alive: timeout=N[, max=M]` (RFC 2068 §19.7.1.1): the server closes the connection after
/// N idle seconds.
fn keep_alive_timeout(headers: &[httparse::Header<'_>]) -> Option<std::time::Duration> {
    let h = headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("keep-alive"))?;
    let value = std::str::from_utf8(h.value).ok()?;
    value.split(',').find_map(|part| {
        let (k, v) = part.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("timeout")
            .then(|| v.trim().parse::<u64>().ok())?
            .map(std::time::Duration::from_secs)
    })
}

fn chunked<R: Read>(r: &mut Reader<'_, R>, body: &mut Vec<u8>) -> Result<(), TransportFailure> {
    let bad = || TransportFailure::new(56, "Problem (2) in the Chunked-Encoded data");
    let ended =
        || TransportFailure::new(18, "transfer closed with outstanding read data remaining");
    loop {
        let line = r.line()?.ok_or_else(ended)?;
        let size = line.split(|&b| b == b';').next().unwrap_or_default();
        let size = std::str::from_utf8(size).map_err(|_| bad())?.trim();
        let size = usize::from_str_radix(size, 16).map_err(|_| bad())?;
        if size == 0 {
            // Trailers up to the empty line, no more of them than header lines.
            for _ in 0..=HEADER_COUNT_MAX {
                match r.line()? {
                    None => return Err(ended()),
                    Some(l) if l.is_empty() => return Ok(()),
                    Some(_) => {}
                }
            }
            return Err(weird_head(format!(
                "more than {HEADER_COUNT_MAX} trailer lines"
            )));
        }
        r.exact(size, body)
            .map_err(|e| if e.errno == 18 { ended() } else { e })?;
        match r.line()? {
            Some(l) if l.is_empty() => {}
            Some(_) => return Err(bad()),
            None => return Err(ended()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &[u8]) -> Result<Response, TransportFailure> {
        response(&mut &raw[..], Instant::now(), 1 << 20)
    }

    #[test]
    fn request_head_is_the_official_one() {
        let t = super::super::url::parse(b"https://module.paygent.co.jp/n/atm/request").unwrap();
        let r = request(&t, b"a=1", "curl_php", false);
        assert_eq!(
            r,
            b"POST /n/atm/request HTTP/1.0\r\nHost: module.paygent.co.jp\r\nAccept: */*\r\n\
              Content-Length: 3\r\nUser-Agent: curl_php\r\n\
              Content-Type: application/x-www-form-urlencoded\r\n\r\na=1"
        );
        assert!(request(&t, b"", "x", true).starts_with(b"POST /n/atm/request HTTP/1.1\r\n"));
    }

    #[test]
    fn bodies() {
        let r = parse(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc").unwrap();
        assert_eq!(
            (r.status, &r.body[..], r.reusable),
            (200, &b"abc"[..], true)
        );
        let r = parse(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n").unwrap();
        assert_eq!((&r.body[..], r.reusable), (&b"abcde"[..], true));
        let r = parse(b"HTTP/1.0 500 Oops\r\n\r\nall of it").unwrap();
        assert_eq!(
            (r.status, &r.body[..], r.reusable),
            (500, &b"all of it"[..], false)
        );
        let r = parse(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").unwrap();
        assert_eq!((r.status, r.body.len(), r.reusable), (200, 0, false));
    }

    #[test]
    fn keep_alive_timeout_is_read() {
        let r = parse(
            b"HTTP/1.1 200 OK\r\nKeep-Alive: timeout=2, max=100\r\nContent-Length: 0\r\n\r\n",
        )
        .unwrap();
        assert_eq!(r.server_idle, Some(std::time::Duration::from_secs(2)));
        let r =
            parse(b"HTTP/1.1 200 OK\r\nkeep-alive: max=5,TIMEOUT = 7\r\nContent-Length: 0\r\n\r\n")
                .unwrap();
        assert_eq!(r.server_idle, Some(std::time::Duration::from_secs(7)));
        let r = parse(b"HTTP/1.1 200 OK\r\nKeep-Alive: timeout=x\r\nContent-Length: 0\r\n\r\n")
            .unwrap();
        assert_eq!(r.server_idle, None);
    }

    #[test]
    fn faults() {
        assert_eq!(parse(b"").unwrap_err().errno, 52);
        assert_eq!(parse(b"GARBAGE\r\n\r\n").unwrap_err().errno, 8);
        assert_eq!(
            parse(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc")
                .unwrap_err()
                .errno,
            18
        );
        assert_eq!(
            parse(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab")
                .unwrap_err()
                .errno,
            18
        );
        assert_eq!(
            parse(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
                .unwrap_err()
                .errno,
            56
        );
        assert_eq!(
            parse(b"HTTP/1.1 200 OK\r\nContent-Le").unwrap_err().errno,
            8
        );
        let interims = b"HTTP/1.1 100 Continue\r\n\r\n".repeat(11);
        assert_eq!(parse(&interims).unwrap_err().errno, 8);
    }

    #[test]
    fn limits() {
        let limited = |raw: &[u8], limit| response(&mut &raw[..], Instant::now(), limit);
        let big = b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world";
        assert_eq!(limited(big, 10).unwrap_err().errno, 63);
        assert_eq!(limited(big, 11).unwrap().body, b"hello world");
        let chunks = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n";
        assert_eq!(limited(chunks, 10).unwrap_err().errno, 63);
        assert_eq!(limited(chunks, 11).unwrap().body, b"hello world");
        let eof = b"HTTP/1.0 200 OK\r\n\r\nhello world";
        assert_eq!(limited(eof, 10).unwrap_err().errno, 63);
        let r = limited(eof, 11).unwrap();
        assert!(r.until_eof && r.body == b"hello world");
        let mut long = b"HTTP/1.1 200 OK\r\nX: ".to_vec();
        long.extend(std::iter::repeat_n(b'a', HEADER_LINE_MAX));
        long.extend_from_slice(b"\r\nContent-Length: 0\r\n\r\n");
        assert_eq!(limited(&long, 100).unwrap_err().errno, 8);
        let many = [
            &b"HTTP/1.1 200 OK\r\n"[..],
            &b"X: y\r\n".repeat(101),
            b"\r\n",
        ]
        .concat();
        assert_eq!(limited(&many, 100).unwrap_err().errno, 8);
        let trailers = [
            &b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"[..],
            &b"T: 1\r\n".repeat(101),
            b"\r\n",
        ]
        .concat();
        assert_eq!(limited(&trailers, 100).unwrap_err().errno, 8);
    }
}
