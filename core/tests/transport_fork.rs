//! Fork safety (decision 19): a child never uses the parent's pooled connections; parent and
//! children all post successfully. Its own test binary: fork() with other test threads holding
//! locks would be unsafe.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

mod transport_support;

use std::time::Duration;

use transport_support::*;

#[test]
fn parent_children_parent() {
    for backend in BACKENDS {
        let srv = tls_server(ServerOpts::default(), always(ok(b"ok")));
        let url = srv.url("localhost");
        let s = settings(backend);
        assert_eq!(post(&url, &s).unwrap().body, b"ok");
        let mut children = Vec::new();
        for _ in 0..2 {
            // SAFETY: the child only posts and leaves with _exit; the server threads are idle
            // in accept/read and hold no lock the child needs.
            let pid = unsafe { libc::fork() };
            assert!(pid >= 0, "fork failed");
            if pid == 0 {
                let code = match post(&url, &s) {
                    Ok(r) if r.body == b"ok" => 0,
                    Ok(_) => 2,
                    Err(e) => {
                        eprintln!("child: {e:?}");
                        3
                    }
                };
                // SAFETY: the forked child ends without running the parent's destructors or atexit.
                unsafe { libc::_exit(code) };
            }
            children.push(pid);
        }
        for pid in children {
            let mut status = 0;
            // SAFETY: our own child's pid and a live status slot.
            assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
            assert!(libc::WIFEXITED(status), "{backend:?}: child died: {status}");
            assert_eq!(
                libc::WEXITSTATUS(status),
                0,
                "{backend:?}: child post failed"
            );
        }
        // The parent's pooled connection is intact: the next post reuses it.
        assert_eq!(post(&url, &s).unwrap().body, b"ok");
        std::thread::sleep(Duration::from_millis(50));
        let log = srv.log();
        // Parent: 1 connection for both posts; each child: its own.
        assert_eq!((log.accepts, log.requests.len()), (3, 4), "{backend:?}");
        let parent_conns: Vec<usize> = log.requests.iter().map(|r| r.conn).collect();
        assert_eq!(
            parent_conns.first(),
            parent_conns.last(),
            "parent reused its connection"
        );
    }
}
