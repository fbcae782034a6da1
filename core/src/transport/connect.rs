//! TCP connect with the exchange deadline, trying each resolved address in turn (a failure
//! before any request byte is written is safe to retry elsewhere: decision 18).

use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::error::TransportFailure;

pub fn tcp_connect(
    host: &str,
    port: u16,
    deadline: Instant,
    started: Instant,
    proxy: bool,
) -> Result<TcpStream, TransportFailure> {
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
    let mut last = None;
    for a in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match TcpStream::connect_timeout(&a, left.max(Duration::from_millis(1))) {
            Ok(s) => {
                let _ = s.set_nodelay(true);
                return Ok(s);
            }
            Err(e) => last = Some(e),
        }
    }
    let ms = started.elapsed().as_millis();
    match last {
        Some(e)
            if !matches!(
                e.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            ) =>
        {
            let what = if proxy { "proxy " } else { "" };
            Err(TransportFailure::new(
                7,
                format!(
                    "Failed to connect to {what}{host} port {port}: {}",
                    super::reason(&e)
                ),
            ))
        }
        _ => Err(TransportFailure::new(
            28,
            format!("Connection timed out after {ms} milliseconds"),
        )),
    }
}
