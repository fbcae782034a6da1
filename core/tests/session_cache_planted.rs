//! A planted TLS session must never carry a telegram to a server that was not verified (issue 19
//! item 1). A resumed handshake carries no certificate, so a session file obtained from a rogue
//! server, put where the module looks for its cache, used to skip server verification: card
//! number and connect password went to the rogue server and `post()` returned true.
//!
//! - (a) the server chain stored with the session is verified against the configured CA and host
//!   name before the session is offered;
//! - (b) the cache directory is opened once, every component of its path checked (a parent that
//!   another user can write refuses the cache), and files are opened relative to that
//!   descriptor, so a directory swapped in after `init()` is never read.
//!
//! Each post runs in a forked child (a fresh process, as php-cgi is). Its own test binary: one
//! test, so no other test thread holds a lock when it forks.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

mod transport_support;

use std::os::unix::fs::{PermissionsExt, chown};
use std::path::{Path, PathBuf};

use paygent_core::config::TlsBackend;
use paygent_core::transport::{TransportSettings, session_cache_directory};
use transport_support::*;

const NOBODY: u32 = 65534;

fn dir_with_mode(path: &Path, mode: u32) -> PathBuf {
    let _ = std::fs::remove_dir_all(path);
    std::fs::create_dir_all(path).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    path.to_path_buf()
}

/// The scope part of a session file name (`localhost_<port>_<scope>.tlssession`): computable by
/// anyone who can read the kit, CA and passphrase; here taken from a file the victim wrote.
fn scope_of(file: &Path) -> String {
    let name = file.file_name().unwrap().to_str().unwrap();
    let stem = name.strip_suffix(".tlssession").unwrap();
    stem.rsplit('_').next().unwrap().to_string()
}

/// A session the rogue server issued, obtained by its owner with settings that verify nothing,
/// copied to the name the victim's module looks for.
fn rogue_session(rogue: &Server, scratch: &Path, victim_scope: &str, into: &Path) {
    let own = dir_with_mode(scratch, 0o700);
    let mut s = settings(TlsBackend::OpenSsl);
    s.keep_alive = false;
    s.ca_file = None;
    s.verify_host = false;
    s.session_cache_dir = Some(cache_dir(&own));
    post(&rogue.url("localhost"), &s).expect("the rogue server's own client connects");
    let from = session_file(&own, rogue.port);
    let to = into.join(format!(
        "localhost_{}_{victim_scope}.tlssession",
        rogue.port
    ));
    std::fs::copy(&from, &to).unwrap();
    std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o600)).unwrap();
}

fn victim_settings(dir: &Path) -> TransportSettings {
    let mut s = settings(TlsBackend::OpenSsl);
    s.keep_alive = false;
    s.session_cache_dir = Some(cache_dir(dir));
    s
}

/// The child's post must fail with a verification error (errno 60) and send nothing.
fn refused(s: &TransportSettings, rogue: &Server, what: &str) {
    let url = rogue.url("localhost");
    // the rogue server's own client posted once to obtain the session
    let before = rogue.log().requests.len();
    in_child(what, || match post(&url, s) {
        Err(e) if e.errno == 60 => Ok(()),
        r => Err(format!("want errno 60, got {r:?}")),
    });
    std::thread::sleep(std::time::Duration::from_millis(50));
    assert_eq!(
        rogue.log().requests.len(),
        before,
        "{what}: a telegram reached a server that was never verified"
    );
}

#[test]
fn planted_sessions_never_skip_server_verification() {
    // Under the system's temp dir, not the target dir: the attacker (nobody) must reach these
    // directories, and a checkout may sit under a directory closed to others (/root, a 0700
    // `mktemp -d`).
    let scratch = tempfile::Builder::new()
        .prefix("paygent-planted-")
        .tempdir()
        .unwrap();
    let base = scratch.path().join("t");
    dir_with_mode(&base, 0o755);
    std::fs::set_permissions(scratch.path(), std::fs::Permissions::from_mode(0o755)).unwrap();

    // The victim's own cache, with a session from the real gateway: gives the scope.
    let gateway = tls_server(
        ServerOpts {
            max_version: cached_max_version(),
            ..Default::default()
        },
        always(ok(b"ok")),
    );
    let cache = dir_with_mode(&base.join("victim/cache"), 0o700);
    let s = victim_settings(&cache);
    assert_eq!(post(&gateway.url("localhost"), &s).unwrap().body, b"ok");
    let scope = scope_of(&session_file(&cache, gateway.port));

    // (a) A session from a server with a certificate of the trusted CA for another host, and
    // one from a server whose CA is not trusted at all: both refused, nothing sent.
    for (what, cert, key) in [
        (
            "another host's certificate",
            "server-wronghost.pem",
            "server-wronghost.key",
        ),
        ("an untrusted CA", "client-rogue.pem", "client-rogue.pem"),
    ] {
        let rogue = tls_server(
            ServerOpts {
                cert,
                key,
                max_version: cached_max_version(),
                ..Default::default()
            },
            always(ok(b"ok")),
        );
        rogue_session(&rogue, &base.join("attacker"), &scope, &cache);
        refused(&s, &rogue, what);
    }

    // (b) The directory swapped after init(): a session that would resume is put in a new
    // directory under the cache's name. The open directory is used, not the name: no
    // resumption, a full handshake.
    let gateway2 = tls_server(
        ServerOpts {
            max_version: cached_max_version(),
            ..Default::default()
        },
        always(ok(b"ok")),
    );
    let legit = dir_with_mode(&base.join("legit"), 0o700);
    let mut other = victim_settings(&legit);
    post(&gateway2.url("localhost"), &other).unwrap();
    let good = session_file(&legit, gateway2.port);
    let swapped = victim_settings(&cache); // init(): the directory is opened here
    std::fs::rename(&cache, base.join("victim/cache.old")).unwrap();
    let planted = dir_with_mode(&cache, 0o700);
    std::fs::copy(&good, planted.join(good.file_name().unwrap())).unwrap();
    let url = gateway2.url("localhost");
    in_child("swap after init", || {
        post(&url, &swapped)
            .map(|_| ())
            .map_err(|e| format!("{e:?}"))
    });
    let resumed: Vec<bool> = gateway2.log().requests.iter().map(|r| r.resumed).collect();
    assert_eq!(
        resumed,
        [false, false],
        "the swapped-in session was not used"
    );
    other.session_cache_dir = None;
    drop(other);

    // (b) A parent another user owns: that user can swap the cache directory at any time, so
    // it is refused at init() (the module makes full handshakes). The attacker, a second Unix
    // user, then swaps in a directory holding the rogue server's session.
    let attacker_home = dir_with_mode(&base.join("shared"), 0o755);
    let victim = dir_with_mode(&attacker_home.join("cache"), 0o700);
    match chown(&attacker_home, Some(NOBODY), Some(NOBODY)) {
        Ok(()) => {}
        Err(e) => {
            missing_real_part(
                "parent owned by another user",
                &format!("chown: {e} (needs root)"),
            );
            return;
        }
    }
    let cache_path = victim.as_os_str().as_encoded_bytes();
    assert_eq!(
        session_cache_directory(cache_path),
        None,
        "a cache under a directory of uid {NOBODY} is refused"
    );
    let why = paygent_core::transport::session_cache_refusal(cache_path).unwrap();
    assert!(why.contains("another user can replace cache"), "{why}");
    let rogue = tls_server(
        ServerOpts {
            cert: "server-wronghost.pem",
            key: "server-wronghost.key",
            max_version: cached_max_version(),
            ..Default::default()
        },
        always(ok(b"ok")),
    );
    let loot = dir_with_mode(&base.join("loot"), 0o755);
    rogue_session(&rogue, &base.join("attacker2"), &scope, &loot);
    for f in std::fs::read_dir(&loot).unwrap() {
        // the attacker's own file: readable by the attacker
        std::fs::set_permissions(f.unwrap().path(), std::fs::Permissions::from_mode(0o644))
            .unwrap();
    }
    let mut s3 = settings(TlsBackend::OpenSsl);
    s3.keep_alive = false;
    s3.session_cache_dir = session_cache_directory(cache_path); // what init() does: None
    let (home, loot2) = (attacker_home.clone(), loot.clone());
    // The attacker's swap, as uid 65534.
    in_child("the attacker swaps the directory", || {
        // SAFETY: plain syscalls in the forked child.
        if unsafe { libc::setgid(NOBODY) != 0 || libc::setuid(NOBODY) != 0 } {
            return Err("setuid".into());
        }
        std::fs::rename(home.join("cache"), home.join("cache.victim"))
            .map_err(|e| e.to_string())?;
        std::fs::create_dir(home.join("cache")).map_err(|e| e.to_string())?;
        for f in std::fs::read_dir(&loot2).map_err(|e| e.to_string())? {
            let f = f.map_err(|e| e.to_string())?.path();
            std::fs::copy(&f, home.join("cache").join(f.file_name().unwrap()))
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    });
    refused(&s3, &rogue, "a directory swapped by another user");
    let _ = std::fs::remove_dir_all(&base);
}
