//! TCP connect with the exchange deadline, trying each resolved address in turn (a failure
//! before any request byte is written is safe to retry elsewhere: decision 18).
//!
//! The connect is split in two, `start` and `Connecting::finish`, so that a process can set up
//! TLS (OpenSSL context, session file: a millisecond or more in a fresh CGI process) while the
//! SYN and SYN-ACK travel to the gateway and back.

use std::io;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::os::fd::AsRawFd;

use socket2::{Domain, Protocol, Socket, Type};
use std::time::{Duration, Instant};

use crate::error::TransportFailure;

/// A connect in flight: the address being tried and those left.
pub struct Connecting {
    host: String,
    port: u16,
    proxy: bool,
    addrs: std::vec::IntoIter<SocketAddr>,
    current: Option<TcpStream>,
    last: Option<io::Error>,
}

/// Resolve `host` and start connecting to its first address; returns without waiting.
pub fn start(host: &str, port: u16, proxy: bool) -> Result<Connecting, TransportFailure> {
    let unresolved = || {
        if proxy {
            TransportFailure::new(5, format!("Could not resolve proxy: {host}"))
        } else {
            TransportFailure::new(6, format!("Could not resolve host: {host}"))
        }
    };
    // getaddrinfo cannot be bounded without a thread; the system resolver's own timeout applies.
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|_| unresolved())?
        .collect();
    if addrs.is_empty() {
        return Err(unresolved());
    }
    Ok(Connecting::to(host, port, proxy, addrs))
}

/// `start` and `finish` in one go.
pub fn tcp_connect(
    host: &str,
    port: u16,
    deadline: Instant,
    started: Instant,
    proxy: bool,
) -> Result<TcpStream, TransportFailure> {
    start(host, port, proxy)?.finish(deadline, started)
}

impl Connecting {
    /// Start connecting to the first of `addrs` (resolved from `host`).
    fn to(host: &str, port: u16, proxy: bool, addrs: Vec<SocketAddr>) -> Self {
        let mut c = Connecting {
            host: host.to_string(),
            port,
            proxy,
            addrs: addrs.into_iter(),
            current: None,
            last: None,
        };
        c.next();
        c
    }

    /// Start on the next address that does not fail at once.
    fn next(&mut self) {
        for a in self.addrs.by_ref() {
            match initiate(a) {
                Ok(s) => {
                    self.current = Some(s);
                    return;
                }
                Err(e) => self.last = Some(e),
            }
        }
    }

    /// Wait for the connection (trying the next addresses after a refusal) until `deadline`.
    pub fn finish(
        mut self,
        deadline: Instant,
        started: Instant,
    ) -> Result<TcpStream, TransportFailure> {
        while let Some(s) = self.current.take() {
            match established(&s, deadline) {
                Ok(()) => {
                    s.set_nonblocking(false)
                        .map_err(|e| self.failure(Some(e), started))?;
                    let _ = s.set_nodelay(true);
                    return Ok(s);
                }
                Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                    self.last = Some(e);
                    break;
                }
                Err(e) => {
                    self.last = Some(e);
                    self.next();
                }
            }
        }
        let last = self.last.take();
        Err(self.failure(last, started))
    }

    fn failure(&self, last: Option<io::Error>, started: Instant) -> TransportFailure {
        let (host, port) = (&self.host, self.port);
        match last {
            Some(e) if e.kind() != io::ErrorKind::TimedOut => {
                let what = if self.proxy { "proxy " } else { "" };
                TransportFailure::new(
                    7,
                    format!(
                        "Failed to connect to {what}{host} port {port}: {}",
                        super::reason(&e)
                    ),
                )
            }
            _ => TransportFailure::new(
                28,
                format!(
                    "Connection timed out after {} milliseconds",
                    started.elapsed().as_millis()
                ),
            ),
        }
    }
}

/// A non-blocking socket with its connect under way (or already done, on loopback).
fn initiate(a: SocketAddr) -> io::Result<TcpStream> {
    // socket2 opens it close-on-exec, so a merchant's exec'd child never holds the gateway socket.
    let sock = Socket::new(Domain::for_address(a), Type::STREAM, Some(Protocol::TCP))?;
    sock.set_nonblocking(true)?;
    match sock.connect(&a.into()) {
        Ok(()) => Ok(sock.into()),
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => Ok(sock.into()),
        Err(e) => Err(e),
    }
}

/// Wait until the connect completes, fails, or `deadline` passes.
fn established(s: &TcpStream, deadline: Instant) -> io::Result<()> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "connect timed out"));
        }
        // Round up: poll's 0 would mean "do not wait".
        let ms = left
            .max(Duration::from_millis(1))
            .as_millis()
            .min(i32::MAX as u128) as i32;
        let mut p = libc::pollfd {
            fd: s.as_raw_fd(),
            events: libc::POLLOUT,
            revents: 0,
        };
        // SAFETY: one valid pollfd, alive for the call.
        let r = unsafe { libc::poll(&mut p, 1, ms) };
        if r < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if r == 0 {
            continue; // the loop re-checks the deadline
        }
        return match s.take_error()? {
            None => Ok(()),
            Some(e) => Err(e),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    fn far() -> Instant {
        Instant::now() + Duration::from_secs(5)
    }

    #[test]
    fn connects_to_a_listener_and_returns_a_blocking_socket() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let c = start("127.0.0.1", port, false).unwrap();
        let (_peer, _) = l.accept().unwrap();
        let s = c.finish(far(), Instant::now()).unwrap();
        assert!(s.nodelay().unwrap());
        // Blocking again: a read with a timeout waits instead of failing with WouldBlock.
        s.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
        let mut b = [0u8; 1];
        let e = std::io::Read::read(&mut &s, &mut b).unwrap_err();
        assert!(matches!(
            e.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        ));
    }

    #[test]
    fn connects_over_ipv6() {
        let Ok(l) = TcpListener::bind("[::1]:0") else {
            return; // no IPv6 loopback on this machine
        };
        let port = l.local_addr().unwrap().port();
        let s = tcp_connect("::1", port, far(), Instant::now(), false).unwrap();
        let (peer, _) = l.accept().unwrap();
        assert_eq!(peer.peer_addr().unwrap(), s.local_addr().unwrap());
    }

    #[test]
    fn a_refused_address_falls_through_to_the_next() {
        let refused = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let open = l.local_addr().unwrap();
        let c = Connecting::to("gw.example", 443, false, vec![refused, open]);
        let s = c.finish(far(), Instant::now()).unwrap();
        assert_eq!(s.peer_addr().unwrap(), open);
        // All refused: the last error, worded with the configured host name.
        let c = Connecting::to("gw.example", 443, false, vec![refused, refused]);
        let e = c.finish(far(), Instant::now()).unwrap_err();
        assert_eq!(e.errno, 7);
        assert!(
            e.text
                .starts_with("Failed to connect to gw.example port 443: "),
            "{}",
            e.text
        );
    }

    #[test]
    fn a_refused_port_is_error_7_with_curl_wording() {
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let e = tcp_connect("127.0.0.1", port, far(), Instant::now(), false).unwrap_err();
        assert_eq!(e.errno, 7, "{e:?}");
        assert!(
            e.text
                .starts_with(&format!("Failed to connect to 127.0.0.1 port {port}: ")),
            "{}",
            e.text
        );
        let e = tcp_connect("127.0.0.1", port, far(), Instant::now(), true).unwrap_err();
        assert!(e.text.contains("to proxy 127.0.0.1"), "{}", e.text);
    }

    #[test]
    fn unresolvable_names_are_5_or_6() {
        let e = start("no-such-host.invalid", 443, false).err().unwrap();
        assert_eq!(
            (e.errno, e.text.as_str()),
            (6, "Could not resolve host: no-such-host.invalid")
        );
        let e = start("no-such-host.invalid", 443, true).err().unwrap();
        assert_eq!(e.errno, 5);
    }

    #[test]
    fn an_unanswered_connect_times_out_as_28_at_the_deadline() {
        // A listener whose accept queue is full drops further SYNs: the connect hangs.
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        // SAFETY: re-listen on our own listening socket with the smallest backlog.
        assert_eq!(unsafe { libc::listen(l.as_raw_fd(), 0) }, 0);
        let port = l.local_addr().unwrap().port();
        let mut held = Vec::new();
        let t0 = Instant::now();
        let e = loop {
            match tcp_connect(
                "127.0.0.1",
                port,
                Instant::now() + Duration::from_millis(300),
                t0,
                false,
            ) {
                Ok(s) => held.push(s), // still room in the queue
                Err(e) => break e,
            }
            assert!(held.len() < 16, "the accept queue never filled");
        };
        assert_eq!(e.errno, 28, "{e:?}");
        assert!(
            e.text.starts_with("Connection timed out after "),
            "{}",
            e.text
        );
        assert!(t0.elapsed() < Duration::from_secs(3));
    }
}
