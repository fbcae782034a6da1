//! Compile `tests/smoke.c` with the system C compiler against the staticlib and run it: proves
//! the committed header and the exported symbols agree, from C.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The staticlib cargo built for this test run: the newest `deps/libpaygent_capi-*.a` next to
/// the test binary (cargo test builds it there but only `cargo build` copies it up).
fn staticlib() -> PathBuf {
    let exe = std::env::current_exe().expect("test exe path");
    let deps = exe.parent().expect("deps dir");
    let newest = std::fs::read_dir(deps)
        .expect("read deps dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with("libpaygent_capi-") && name.ends_with(".a")
        })
        .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok());
    newest.expect("libpaygent_capi-*.a not built")
}

#[test]
fn c_smoke_test_passes() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lib = staticlib();
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("paygent-smoke");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let status = Command::new(cc)
        .args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-I"])
        .arg(crate_dir.join("include"))
        .arg(crate_dir.join("tests/smoke.c"))
        .arg(&lib)
        .args([
            "-lssl",
            "-lcrypto",
            "-lgcc_s",
            "-lutil",
            "-lrt",
            "-lpthread",
            "-lm",
            "-ldl",
            "-lc",
        ])
        .arg("-o")
        .arg(&out)
        .status()
        .expect("run cc");
    assert!(status.success(), "cc failed");
    let run = Command::new(&out).output().expect("run smoke");
    let text = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "smoke failed:\n{text}");
}
