//! Listener, one thread per connection, and the routing of a request: case mode (`/case/<id>`),
//! simulator controls (`/sim/...`), gateway mode (`/n/...`), else 404.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::{ServerConfig, ServerConnection, StreamOwned};

use crate::gateway::Gateway;
use crate::http::{self, Fault, Request, Response};
use crate::record::{Peer, Recorder};
use crate::{ServeOptions, case, tls};

struct Sim {
    tls: Arc<ServerConfig>,
    idle: Duration,
    /// Seconds announced in `Keep-Alive: timeout=N` (0: no header).
    announce_idle: u64,
    cases: Option<PathBuf>,
    recorder: Recorder,
    gateway: Gateway,
}

pub fn run(o: ServeOptions) -> Result<(), String> {
    // Before any thread exists, so that every thread inherits it: SIGTERM/SIGINT wait for the
    // signal thread (below), which saves the state first.
    let signals = block_signals();
    paygent_testpki::generate(&o.pki).map_err(|e| format!("pki {}: {e}", o.pki.display()))?;
    let config = tls::server_config(&o.pki, o.tls, o.client_auth)?;
    let sim = Arc::new(Sim {
        tls: Arc::new(config),
        idle: Duration::from_secs(o.keep_alive_timeout),
        announce_idle: if o.no_keep_alive_header {
            0
        } else {
            o.keep_alive_timeout
        },
        cases: o.cases.clone(),
        recorder: Recorder::open(o.record.as_deref())?,
        gateway: Gateway::new(
            o.purge_before,
            o.file_ready_after,
            o.seed_notices,
            o.state.as_deref(),
        )?,
    });
    if let Some(path) = &o.state {
        // The state as loaded (or seeded) is on disk at once; then every change, soon after.
        sim.gateway.save_if_changed(path)?;
        let (sim, path) = (sim.clone(), path.clone());
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(100));
                if let Err(e) = sim.gateway.save_if_changed(&path) {
                    eprintln!("paygent-sim: {e}");
                }
            }
        });
    }
    {
        let (sim, state) = (sim.clone(), o.state.clone());
        std::thread::spawn(move || {
            let sig = wait_signal(&signals);
            stop(&sim, state.as_deref());
            die_of(sig);
        });
    }
    let listener = TcpListener::bind(&o.listen).map_err(|e| format!("listen {}: {e}", o.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    // Ready file first: whoever reads the stdout line may look at the file at once.
    if let Some(ready) = &o.ready_file {
        write_ready(ready, addr.port())?;
    }
    println!("paygent-sim listening on {addr}");
    let _ = std::io::stdout().flush();
    if o.exit_on_stdin_eof {
        let (sim, state) = (sim.clone(), o.state.clone());
        std::thread::spawn(move || {
            let mut sink = [0u8; 256];
            let mut stdin = std::io::stdin();
            while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
            stop(&sim, state.as_deref());
            std::process::exit(0);
        });
    }
    let mut accepted = 0u64;
    for tcp in listener.incoming() {
        let Ok(tcp) = tcp else { continue };
        accepted += 1;
        if let Some(file) = &o.connections {
            // Before the connection is served: a harness that saw its reply sees it counted.
            let _ = write_atomically(file, &accepted.to_string());
        }
        let sim = sim.clone();
        std::thread::spawn(move || connection(&sim, tcp, accepted));
    }
    Ok(())
}

/// The end of the simulator: no telegram changes the state any more, the state file is written,
/// the record line being written is finished. The locks stay held until the process ends.
fn stop(sim: &Sim, state: Option<&Path>) {
    std::mem::forget(sim.gateway.stop(state));
    sim.recorder.stop();
}

/// SIGTERM and SIGINT blocked in this thread (and so in every thread it starts).
fn block_signals() -> libc::sigset_t {
    // SAFETY: sigemptyset/sigaddset initialise the set; pthread_sigmask only reads it.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        set
    }
}

fn wait_signal(set: &libc::sigset_t) -> i32 {
    let mut sig = 0;
    // SAFETY: a set initialised by block_signals; sig is a valid out pointer.
    while unsafe { libc::sigwait(set, &mut sig) } != 0 {}
    sig
}

/// End the process as the signal would have (its exit status says which signal).
fn die_of(sig: i32) -> ! {
    // SAFETY: the default action back, the signal unblocked for this thread, then raised: the
    // process ends by it.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(sig);
    }
    std::process::exit(128 + sig)
}

fn write_ready(path: &Path, port: u16) -> Result<(), String> {
    write_atomically(path, &port.to_string())
        .map_err(|e| format!("ready file {}: {e}", path.display()))
}

/// Written under a temporary name and renamed, so a reader never sees a partial number.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, text).and_then(|_| std::fs::rename(&tmp, path))
}

fn connection(sim: &Sim, tcp: TcpStream, seq: u64) {
    let _ = tcp.set_nodelay(true);
    // Idle keep-alive connections end eventually, like a real server's KeepAliveTimeout.
    let _ = tcp.set_read_timeout(Some(sim.idle));
    let Ok(conn) = ServerConnection::new(sim.tls.clone()) else {
        return;
    };
    let mut s = StreamOwned::new(conn, tcp);
    // Finish the handshake first: a missing or untrusted client certificate ends here.
    while s.conn.is_handshaking() {
        if s.conn.complete_io(&mut s.sock).is_err() {
            let _ = s.sock.shutdown(Shutdown::Both);
            return;
        }
    }
    let peer = match s.conn.peer_certificates() {
        Some(certs) if !certs.is_empty() => Peer {
            leaf: Some(certs[0].to_vec()),
            chain_len: certs.len(),
            conn: seq,
        },
        _ => Peer {
            leaf: None,
            chain_len: 0,
            conn: seq,
        },
    };
    let mut reader = http::Reader::new();
    loop {
        let req = match reader.next(&mut s) {
            Ok(Some(req)) => req,
            Ok(None) => break,
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                let msg = format!("{e}\n");
                let head = format!(
                    "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    msg.len()
                );
                let _ = s.write_all([head, msg].concat().as_bytes());
                break;
            }
            Err(_) => break,
        };
        sim.recorder.record(&req, &peer);
        let resp = respond(sim, &req);
        if resp.delay_ms > 0 {
            std::thread::sleep(Duration::from_millis(resp.delay_ms));
        }
        let written = http::write(&mut s, &req, &resp, sim.announce_idle);
        if resp.fault == Some(http::Fault::Reset) {
            reset(&s.sock);
            return;
        }
        match written {
            Ok(true) => continue,
            _ if matches!(resp.fault, Some(Fault::CutMidLine | Fault::CutAtLineEnd)) => {
                // A bare FIN: no close_notify.
                let _ = s.flush();
                let _ = s.sock.shutdown(Shutdown::Both);
                return;
            }
            _ => break,
        }
    }
    s.conn.send_close_notify();
    let _ = s.flush();
    let _ = s.sock.shutdown(Shutdown::Both);
}

/// Close with a TCP reset (SO_LINGER 0), no TLS close_notify: the client's next read fails.
fn reset(tcp: &TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket descriptor and a linger value of the right size.
    unsafe {
        libc::setsockopt(
            tcp.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}

fn respond(sim: &Sim, req: &Request) -> Response {
    let route = req.route();
    if let Some(id) = route.strip_prefix("/case/") {
        return case::respond(sim.cases.as_deref(), id);
    }
    if let Some(control) = route.strip_prefix("/sim/") {
        // `GET /sim/seed?n=10`: the query string is the form when there is no body.
        let query = req.path.split_once('?').map_or("", |(_, q)| q);
        let form = if req.body.is_empty() {
            query.as_bytes()
        } else {
            &req.body
        };
        return sim.gateway.control(control, form);
    }
    match sim.gateway.respond(route, &req.body) {
        Some(resp) => resp,
        None => Response::text(404, "Not Found\n"),
    }
}
