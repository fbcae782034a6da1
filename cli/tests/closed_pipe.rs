//! A closed pipe (`paygent … | head`, `| true`) ends the command quietly with status 141, as a
//! shell tool ends at SIGPIPE, not with "internal error (a bug)" (issue 20 item 2).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

use std::io::Write;
use std::os::fd::FromRawFd;
use std::process::{Command, Stdio};

/// Run `paygent args` with standard output a pipe whose reader is already closed.
fn into_closed_pipe(args: &[&str], stdin: &[u8]) -> (Option<i32>, String) {
    // std::io::pipe is newer than the MSRV (1.85): libc's.
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe writes.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: both descriptors were just opened and are owned here only.
    let (reader, writer) = unsafe {
        (
            std::fs::File::from_raw_fd(fds[0]),
            std::fs::File::from_raw_fd(fds[1]),
        )
    };
    drop(reader);
    let mut child = Command::new(env!("CARGO_BIN_EXE_paygent"))
        .args(args)
        .env("LANG", "C")
        .stdin(Stdio::piped())
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let _ = input.write_all(stdin);
    drop(input);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let (code, stderr) = into_closed_pipe(&["completions", "bash"], b"");
    assert_eq!(code, Some(141), "{stderr}");
    assert_eq!(stderr, "");
    let (code, stderr) = into_closed_pipe(
        &["decode"],
        b"telegram_kind=020&merchant_id=1&trading_id=abc&payment_amount=100\n",
    );
    assert_eq!(code, Some(141), "{stderr}");
    assert!(!stderr.contains("internal error"), "{stderr}");
}
