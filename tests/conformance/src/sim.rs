//! Start paygent-sim for a test run: PKI, cases dir, request record, port.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub struct Sim {
    child: Child,
    pub port: u16,
    pub pki: PathBuf,
    pub record: PathBuf,
}

/// The simulator binary: `$PAYGENT_SIM_BIN`, else `paygent-sim` in the target dir of the running
/// test executable (cargo builds every workspace binary before it runs tests).
pub fn binary() -> Result<PathBuf, String> {
    if let Ok(p) = std::env::var("PAYGENT_SIM_BIN") {
        return Ok(PathBuf::from(p));
    }
    if let Some(p) = built() {
        return Ok(p);
    }
    // `cargo test -p paygent-conformance` alone does not build the simulator: build it now.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let release = built_dir().is_some_and(|d| d.ends_with("release"));
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "-q", "-p", "paygent-sim"]);
    if release {
        cmd.arg("--release");
    }
    let status = cmd
        .status()
        .map_err(|e| format!("cargo build -p paygent-sim: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build -p paygent-sim: {status}"));
    }
    built().ok_or_else(|| "paygent-sim not found after building it (set PAYGENT_SIM_BIN)".into())
}

/// The profile dir (`target/debug`) of the running test executable.
fn built_dir() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    exe.parent().map(|d| {
        if d.ends_with("deps") {
            d.parent().unwrap_or(d)
        } else {
            d
        }
        .to_path_buf()
    })
}

fn built() -> Option<PathBuf> {
    built_dir()
        .map(|d| d.join("paygent-sim"))
        .filter(|p| p.is_file())
}

impl Sim {
    pub fn start(work: &Path, cases: &Path) -> Result<Self, String> {
        Self::start_with(work, cases, &[])
    }

    /// [`Sim::start`] with further `serve` options (`--seed-notices N`, `--purge-before N`…).
    pub fn start_with(work: &Path, cases: &Path, extra: &[&str]) -> Result<Self, String> {
        let pki = work.join("pki");
        paygent_testpki::generate(&pki).map_err(|e| format!("pki: {e}"))?;
        let record = work.join("requests.jsonl");
        let ready = work.join("sim.port");
        let _ = std::fs::remove_file(&ready);
        let child = Command::new(binary()?)
            .arg("serve")
            .args(["--listen", "127.0.0.1:0", "--exit-on-stdin-eof"])
            .arg("--pki")
            .arg(&pki)
            .arg("--cases")
            .arg(cases)
            .arg("--record")
            .arg(&record)
            .arg("--ready-file")
            .arg(&ready)
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("start paygent-sim: {e}"))?;
        let mut sim = Sim {
            child,
            port: 0,
            pki,
            record,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(s) = std::fs::read_to_string(&ready)
                && let Ok(p) = s.trim().parse()
            {
                sim.port = p;
                return Ok(sim);
            }
            if let Ok(Some(st)) = sim.child.try_wait() {
                return Err(format!("paygent-sim exited: {st}"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err("paygent-sim did not become ready".into())
    }

    /// Recorded requests for a path, oldest first.
    pub fn requests_for(&self, path: &str) -> Vec<Value> {
        let Ok(f) = std::fs::File::open(&self.record) else {
            return Vec::new();
        };
        std::io::BufReader::new(f)
            .lines()
            .map_while(Result::ok)
            .filter_map(|l| serde_json::from_str::<Value>(&l).ok())
            .filter(|v| v.get("path").and_then(Value::as_str) == Some(path))
            .collect()
    }
}

impl Sim {
    /// A simulator control (`/sim/notices`, `/sim/purge`, `/sim/seed`…) over mutual TLS:
    /// POST `form`, return the status and the body.
    pub fn control(&self, path: &str, form: &str) -> Result<(u16, Vec<u8>), String> {
        use openssl::ssl::{SslConnector, SslFiletype, SslMethod};
        use std::io::{Read, Write};
        let err = |e: &dyn std::fmt::Display| format!("{path}: {e}");
        let mut b = SslConnector::builder(SslMethod::tls_client()).map_err(|e| err(&e))?;
        b.set_ca_file(self.pki.join("ca.pem"))
            .map_err(|e| err(&e))?;
        b.set_certificate_chain_file(self.pki.join("client.crt"))
            .map_err(|e| err(&e))?;
        b.set_private_key_file(self.pki.join("client.key"), SslFiletype::PEM)
            .map_err(|e| err(&e))?;
        let tcp = std::net::TcpStream::connect(("127.0.0.1", self.port)).map_err(|e| err(&e))?;
        tcp.set_read_timeout(Some(Duration::from_secs(60)))
            .map_err(|e| err(&e))?;
        let mut tls = b.build().connect("127.0.0.1", tcp).map_err(|e| err(&e))?;
        write!(
            tls,
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
            form.len()
        )
        .map_err(|e| err(&e))?;
        let mut raw = Vec::new();
        // Up to 256 MiB; an EOF without close_notify still delivers what arrived.
        let _ = Read::by_ref(&mut tls).take(256 << 20).read_to_end(&mut raw);
        let end = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or_else(|| err(&"no HTTP reply"))?;
        let status = String::from_utf8_lossy(&raw[..end])
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        Ok((status, raw[end + 4..].to_vec()))
    }

    /// A `modenv_properties.php` in `dir` for the gateway mode: the test PKI's kit PEM and CA,
    /// default connect id/password, `timeout_value`, every kind prefix's path, then `extra`
    /// lines. Returns its path.
    pub fn php_properties(&self, dir: &Path, timeout_secs: u32, extra: &str) -> PathBuf {
        let pki = self.pki.display();
        let host = format!("https://127.0.0.1:{}", self.port);
        let mut text = format!(
            "<?php\npaygentB2Bmodule.client_file_path={pki}/client-kit.pem\n\
             paygentB2Bmodule.ca_file_path={pki}/ca.pem\n\
             paygentB2Bmodule.default_id=test_connect_id\n\
             paygentB2Bmodule.default_password=test_connect_pw\n\
             paygentB2Bmodule.timeout_value={timeout_secs}\npaygentB2Bmodule.log_output_path=\n\
             paygentB2Bmodule.select_max_cnt=2000\npaygentB2Bmodule.telegram_kind.ref=027,090\n"
        );
        for (prefix, path) in [
            ("01", "/n/atm/request"),
            ("02", "/n/card/request"),
            ("03", "/n/conveni/request"),
            ("04", "/n/conveni/request_print"),
            ("06", "/n/bank/requestasp"),
            ("07", "/n/virtualaccount/request"),
            ("091", "/n/ref/paynotice"),
            ("094", "/n/ref/paymentref"),
            ("20", "/n/o/requestdata"),
        ] {
            text.push_str(&format!("paygentB2Bmodule.url.{prefix}={host}{path}\n"));
        }
        text.push_str(extra);
        text.push_str("?>\n");
        let path = dir.join("modenv_properties.php");
        std::fs::write(&path, text).expect("write modenv_properties.php");
        path
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
