//! The socket under TLS: every read and write is bounded by the exchange deadline, and a pooled
//! connection can be probed for liveness without touching the TLS layer.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A TCP stream whose every read/write times out at `deadline` (whole-exchange timeout, §4.9).
pub struct TimedTcp {
    pub tcp: TcpStream,
    pub deadline: Instant,
}

impl TimedTcp {
    pub fn new(tcp: TcpStream, deadline: Instant) -> Self {
        Self { tcp, deadline }
    }

    fn arm(&self, read: bool) -> io::Result<()> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "deadline passed"));
        }
        // A zero Duration is rejected by std; at least 1 ms.
        let left = Some(left.max(Duration::from_millis(1)));
        if read {
            self.tcp.set_read_timeout(left)
        } else {
            self.tcp.set_write_timeout(left)
        }
    }

    /// Whether an idle pooled connection still looks usable: nothing readable and no EOF.
    /// Any byte waiting (close_notify, a stray reply) means the server is done with it.
    pub fn looks_alive(&self) -> bool {
        if self.tcp.set_nonblocking(true).is_err() {
            return false;
        }
        let mut b = [0u8; 1];
        let alive =
            matches!(self.tcp.peek(&mut b), Err(e) if e.kind() == io::ErrorKind::WouldBlock);
        self.tcp.set_nonblocking(false).is_ok() && alive
    }
}

/// Timeouts surface as `TimedOut` (not `WouldBlock`), so TLS libraries do not treat them as
/// "retry later".
fn timed(e: io::Error) -> io::Error {
    if e.kind() == io::ErrorKind::WouldBlock {
        io::Error::new(io::ErrorKind::TimedOut, "timed out")
    } else {
        e
    }
}

impl Read for TimedTcp {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.arm(true)?;
        self.tcp.read(buf).map_err(timed)
    }
}

impl Write for TimedTcp {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.arm(false)?;
        self.tcp.write(buf).map_err(timed)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}
