//! `paygent doctor` with the real binary against the simulator: a good configuration passes
//! (exit 0, with --ping too), and each planted fault is reported by its check id as a failure
//! (exit 1) — expired client certificate, certificate/key mismatch, wrong passphrase, CA that did
//! not sign the server, server certificate for another host name, closed port — and a client
//! certificate expiring in 10 days as a warning. JSON checked with a JSON parser.

use std::path::Path;
use std::process::{Child, Command, Stdio};

use paygent_conformance::sim::Sim;
use serde_json::Value;

fn doctor(config: &Path, extra: &[&str]) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_paygent"))
        .arg("doctor")
        .arg("--config")
        .arg(config)
        .arg("--json")
        .args(extra)
        .env("LANG", "C")
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap_or(-1), v)
}

/// The status of check `id` (the worst of its lines).
fn status(v: &Value, id: &str) -> String {
    let rank = |s: &str| {
        ["skip", "ok", "warn", "fail"]
            .iter()
            .position(|x| *x == s)
            .unwrap_or(0)
    };
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == id)
        .map(|c| c["status"].as_str().unwrap().to_string())
        .max_by_key(|s| rank(s))
        .unwrap_or_else(|| panic!("no check {id}: {v}"))
}

fn config(dir: &Path, sim: &Sim, name: &str, extra: &str) -> std::path::PathBuf {
    let d = dir.join(name);
    std::fs::create_dir_all(&d).unwrap();
    sim.php_properties(&d, 5, extra)
}

#[test]
fn a_good_setup_passes_and_each_planted_fault_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(dir.path(), &paygent_conformance::cases_dir()).unwrap();
    let pki = sim.pki.display().to_string();

    let good = config(dir.path(), &sim, "good", "");
    let (code, v) = doctor(&good, &["--ping", "--merchant-id", "10000"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["failures"], 0);
    assert_eq!(v["config"], good.display().to_string());
    for id in [
        "config.parse",
        "urls",
        "client_cert.load",
        "client_cert.key_match",
        "client_cert.expiry",
        "ca.load",
        "tls.connect",
        "tls.server_name",
        "tls.server_cert_expiry",
        "cache_dir",
        "log_file",
        "gateway.ping",
    ] {
        assert_eq!(status(&v, id), "ok", "{id}: {v}");
    }

    let faults = [
        (
            "expired",
            format!("paygentB2Bmodule.client_file_path={pki}/client-expired.pem\n"),
            "client_cert.expiry",
        ),
        (
            "mismatch",
            format!(
                "paygentB2Bmodule.client_file_path={pki}/client.crt\npaygentB2Bmodule.client_key_file_path={pki}/client-other.key\n"
            ),
            "client_cert.key_match",
        ),
        (
            "passphrase",
            "paygentB2Bmodule.client_key_password=wrong\n".to_string(),
            "client_cert.load",
        ),
        (
            "rogue-ca",
            format!("paygentB2Bmodule.ca_file_path={pki}/rogue-ca.pem\n"),
            "tls.connect",
        ),
        (
            "closed",
            format!(
                "paygentB2Bmodule.url.02=https://127.0.0.1:{}/n/card/request\n",
                closed_port()
            ),
            "tls.connect",
        ),
    ];
    for (name, extra, id) in faults {
        let (code, v) = doctor(&config(dir.path(), &sim, name, &extra), &[]);
        assert_eq!(code, 1, "{name}: {v}");
        assert_eq!(status(&v, id), "fail", "{name}: {v}");
        let failed = v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id && c["status"] == "fail")
            .unwrap();
        assert!(
            !failed["remedy"].as_str().unwrap().is_empty(),
            "{name}: a remedy"
        );
    }

    // Expiring in 10 days: a warning, not a failure.
    let soon = config(
        dir.path(),
        &sim,
        "expiring",
        &format!("paygentB2Bmodule.client_file_path={pki}/client-expiring.pem\n"),
    );
    let (code, v) = doctor(&soon, &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(status(&v, "client_cert.expiry"), "warn");
    assert!(v["warnings"].as_u64().unwrap() >= 1);

    // An unknown key: a warning naming the closest known key and the line.
    let typo = config(
        dir.path(),
        &sim,
        "typo",
        "paygentB2Bmodule.timeout_valeu=10\n",
    );
    let (_, v) = doctor(&typo, &[]);
    assert_eq!(status(&v, "config.parse"), "warn");
    assert!(
        v.to_string().contains("paygentB2Bmodule.timeout_value"),
        "{v}"
    );

    // A server certificate for another host name: a simulator serving server-wronghost.pem.
    let wrong_pki = dir.path().join("wrong-pki");
    std::fs::create_dir_all(&wrong_pki).unwrap();
    for f in std::fs::read_dir(&sim.pki).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, wrong_pki.join(f.file_name().unwrap())).unwrap();
    }
    std::fs::copy(
        sim.pki.join("server-wronghost.pem"),
        wrong_pki.join("server.pem"),
    )
    .unwrap();
    std::fs::copy(
        sim.pki.join("server-wronghost.key"),
        wrong_pki.join("server.key"),
    )
    .unwrap();
    let (_child, port) = serve(&wrong_pki, dir.path());
    let wrong = config(
        dir.path(),
        &sim,
        "wronghost",
        &format!("paygentB2Bmodule.url.02=https://127.0.0.1:{port}/n/card/request\n"),
    );
    let (code, v) = doctor(&wrong, &[]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(status(&v, "tls.server_name"), "fail", "{v}");
}

fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A second simulator on `pki`; killed when the returned child guard drops.
fn serve(pki: &Path, dir: &Path) -> (Guard, u16) {
    let ready = dir.join("wrong.port");
    let child = Command::new(paygent_conformance::sim::binary().unwrap())
        .args(["serve", "--listen", "127.0.0.1:0", "--pki"])
        .arg(pki)
        .arg("--ready-file")
        .arg(&ready)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let guard = Guard(child);
    for _ in 0..200 {
        if let Ok(p) = std::fs::read_to_string(&ready) {
            if let Ok(port) = p.trim().parse() {
                return (guard, port);
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    panic!("second simulator did not start");
}

struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
