//! Shared by the CLI tests that run `paygent` as another user (root warning, doctor's journal
//! checks).

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

/// `paygent`, run as this test's user, or as `uid` from a copy of the binary in `dir` (a
/// directory the test opened to others): the build's own path can pass through directories
/// that user cannot enter (a checkout under /root, or under a `mktemp -d`).
pub fn paygent_as(user: Option<(u32, &Path)>) -> Command {
    let Some((uid, dir)) = user else {
        return Command::new(env!("CARGO_BIN_EXE_paygent"));
    };
    let copy = dir.join("paygent");
    if !copy.exists() {
        std::fs::copy(env!("CARGO_BIN_EXE_paygent"), &copy).expect("copy of paygent");
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755))
            .expect("chmod of the copy");
    }
    let mut c = Command::new(copy);
    c.uid(uid).gid(uid);
    c
}
