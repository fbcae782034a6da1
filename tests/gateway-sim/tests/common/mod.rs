//! Starts `paygent-sim` on port 0 and talks to it with an OpenSSL client holding the kit PEM.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]
#![allow(
    dead_code,
    reason = "each test binary uses a part of the shared helpers"
)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use openssl::pkey::PKey;
use openssl::ssl::{SslConnector, SslMethod, SslStream, SslVersion};
use openssl::x509::X509;

/// One test PKI in cargo's test tmp dir, shared by the test processes.
pub fn pki() -> &'static Path {
    static PKI: OnceLock<PathBuf> = OnceLock::new();
    PKI.get_or_init(|| {
        paygent_testpki::shared(Path::new(env!("CARGO_TARGET_TMPDIR")), "paygent-sim-pki")
            .expect("test PKI")
    })
}

pub struct Sim {
    child: Child,
    pub port: u16,
    pub dir: PathBuf,
}

impl Sim {
    pub fn start(extra: &[&str]) -> Sim {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("paygent-sim-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let ready = dir.join("port");
        let child = Command::new(env!("CARGO_BIN_EXE_paygent-sim"))
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--exit-on-stdin-eof",
                "--pki",
            ])
            .arg(pki())
            .arg("--ready-file")
            .arg(&ready)
            .arg("--record")
            .arg(dir.join("record.jsonl"))
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut sim = Sim {
            child,
            port: 0,
            dir,
        };
        let t0 = Instant::now();
        while !ready.exists() {
            assert!(
                t0.elapsed() < Duration::from_secs(30),
                "simulator did not start"
            );
            assert!(sim.child.try_wait().unwrap().is_none(), "simulator exited");
            std::thread::sleep(Duration::from_millis(20));
        }
        sim.port = std::fs::read_to_string(&ready)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        sim
    }

    /// SIGTERM, and the exit status once it ended.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = i32::try_from(self.child.id()).unwrap();
        // SAFETY: a signal to our own child process.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
        // Not `wait()`: it closes stdin first, and --exit-on-stdin-eof would race the signal.
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn records(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.dir.join("record.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    pub fn post(&self, path: &str, form: &[(&str, &[u8])]) -> Reply {
        post(self.port, path, form)
    }

    /// A gateway telegram with the common header filled in.
    pub fn telegram(&self, path: &str, kind: &str, items: &[(&str, &[u8])]) -> Reply {
        let mut form: Vec<(&str, &[u8])> = vec![
            ("merchant_id", b"000000001"),
            ("connect_id", b"test_connect_id"),
            ("connect_password", b"test_connect_pw"),
            ("telegram_kind", kind.as_bytes()),
            ("telegram_version", b"1.0"),
        ];
        form.extend_from_slice(items);
        self.post(path, &form)
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn connector(client_cert: bool, version: Option<SslVersion>) -> SslConnector {
    let mut b = SslConnector::builder(SslMethod::tls_client()).unwrap();
    b.set_ca_file(pki().join("ca.pem")).unwrap();
    if client_cert {
        let kit = std::fs::read(pki().join("client-kit.pem")).unwrap();
        let key = PKey::private_key_from_pem_passphrase(&kit, b"changeit").unwrap();
        let mut certs = X509::stack_from_pem(&kit).unwrap().into_iter();
        b.set_certificate(&certs.next().unwrap()).unwrap();
        for c in certs {
            b.add_extra_chain_cert(c).unwrap();
        }
        b.set_private_key(&key).unwrap();
    }
    if let Some(v) = version {
        b.set_min_proto_version(Some(v)).unwrap();
        b.set_max_proto_version(Some(v)).unwrap();
    }
    b.build()
}

pub fn connect(port: u16, c: &SslConnector) -> Result<SslStream<TcpStream>, String> {
    let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    c.connect("localhost", tcp).map_err(|e| e.to_string())
}

/// Every byte percent-encoded except unreserved ASCII (what a form encoder does).
pub fn form_encode(form: &[(&str, &[u8])]) -> Vec<u8> {
    let enc = |b: &[u8]| -> String {
        b.iter()
            .map(|&c| match c {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                    (c as char).to_string()
                }
                b' ' => "+".into(),
                _ => format!("%{c:02X}"),
            })
            .collect()
    };
    form.iter()
        .map(|(k, v)| format!("{}={}", enc(k.as_bytes()), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

pub fn request(path: &str, body: &[u8], extra_headers: &str) -> Vec<u8> {
    let mut r = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n{extra_headers}\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

/// One request on a fresh connection (`Connection: close`), read to the end.
pub fn exchange(port: u16, raw: &[u8]) -> Result<Vec<u8>, String> {
    let mut s = connect(port, &connector(true, None))?;
    s.write_all(raw).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    match s.read_to_end(&mut out) {
        Ok(_) => Ok(out),
        // An EOF without close_notify still delivers what arrived before it.
        Err(_) if !out.is_empty() => Ok(out),
        Err(e) => Err(e.to_string()),
    }
}

pub fn post(port: u16, path: &str, form: &[(&str, &[u8])]) -> Reply {
    let raw = exchange(
        port,
        &request(path, &form_encode(form), "Connection: close\r\n"),
    )
    .unwrap();
    Reply::parse(&raw).unwrap()
}

pub struct Reply {
    pub status_line: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn parse(raw: &[u8]) -> Option<Reply> {
        let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = String::from_utf8(raw[..end].to_vec()).ok()?;
        let mut lines = head.split("\r\n");
        let status_line = lines.next()?.to_string();
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let headers = lines
            .filter_map(|l| {
                l.split_once(':')
                    .map(|(n, v)| (n.to_string(), v.trim().to_string()))
            })
            .collect();
        Some(Reply {
            status_line,
            status,
            headers,
            body: raw[end + 4..].to_vec(),
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `key=value` CRLF items (before any `_html` item), first `=` splits.
    pub fn items(&self) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        for line in self.body.split(|&b| b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let Some(i) = line.iter().position(|&b| b == b'=') else {
                continue;
            };
            let key = String::from_utf8_lossy(&line[..i]).into_owned();
            let html = key.ends_with("_html");
            out.push((key, line[i + 1..].to_vec()));
            if html {
                break;
            }
        }
        out
    }

    pub fn get(&self, key: &str) -> String {
        let v = self
            .items()
            .into_iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v);
        String::from_utf8_lossy(&v.unwrap_or_else(|| panic!("no item {key} in {}", self.text())))
            .into_owned()
    }

    /// A Windows-31J item decoded (fails the test on bytes that are not Windows-31J).
    pub fn get_sjis(&self, key: &str) -> String {
        let v = self
            .items()
            .into_iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
            .unwrap();
        let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&v);
        assert!(!bad, "{key} is not Windows-31J");
        text.into_owned()
    }

    pub fn text(&self) -> String {
        encoding_rs::SHIFT_JIS.decode(&self.body).0.into_owned()
    }
}
