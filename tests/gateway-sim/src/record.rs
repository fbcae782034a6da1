//! `--record FILE`: one JSON object per request, one line each, written with one `write(2)`
//! (no user-space buffer), so a harness can read what the module sent while the simulator keeps
//! running, and a SIGTERM (which waits for the line being written, server.rs) never leaves half
//! a line.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::http::Request;

pub struct Recorder {
    file: Option<Mutex<(u64, File)>>,
}

/// Client certificate facts of one connection. The subject is decoded only when a request is
/// recorded: parsing a certificate costs more than the rest of a resumed connection.
pub struct Peer {
    pub leaf: Option<Vec<u8>>,
    pub chain_len: usize,
    /// Which accepted TCP connection (1-based, counting those that failed the handshake):
    /// harnesses count connections per telegram with it.
    pub conn: u64,
}

impl Recorder {
    pub fn open(path: Option<&Path>) -> Result<Recorder, String> {
        let file = match path {
            None => None,
            Some(p) => Some(Mutex::new((
                0,
                OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)
                    .map_err(|e| format!("record file {}: {e}", p.display()))?,
            ))),
        };
        Ok(Recorder { file })
    }

    pub fn record(&self, req: &Request, peer: &Peer) {
        let Some(file) = &self.file else { return };
        let mut guard = file.lock().unwrap_or_else(|p| p.into_inner());
        guard.0 += 1;
        let mut line = to_json(guard.0, req, peer).to_string().into_bytes();
        line.push(b'\n');
        // One write of the whole line (an unbuffered file): a failed write must not take the
        // server down; the harness sees a missing line.
        let _ = guard.1.write_all(&line);
    }

    /// Wait for a line being written and keep every later one out (shutdown).
    pub fn stop(&self) {
        if let Some(file) = &self.file {
            std::mem::forget(file.lock().unwrap_or_else(|p| p.into_inner()));
        }
    }
}

fn to_json(seq: u64, req: &Request, peer: &Peer) -> serde_json::Value {
    let time_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let headers: Vec<[String; 2]> = req
        .headers
        .iter()
        .map(|(n, v)| [n.clone(), latin1(v)])
        .collect();
    serde_json::json!({
        "seq": seq,
        "time_ms": time_ms,
        "method": req.method,
        "path": req.path,
        "version": if req.version == 0 { "HTTP/1.0" } else { "HTTP/1.1" },
        "headers": headers,
        "body": latin1(&req.body),
        "body_hex": hex(&req.body),
        "client_cert_subject": peer.leaf.as_deref().map(crate::tls::subject).unwrap_or_default(),
        "client_chain_len": peer.chain_len,
        "conn": peer.conn,
    })
}

/// Each byte as the code point of the same value: lossless, and ASCII stays readable.
pub fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| b as char).collect()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
