//! Memory held by a parsed reference reply (issue 14 #3): every record is kept (the official
//! result), in at most 2× the reply's size. Counted with a counting global allocator (bytes
//! requested and not yet freed), so the figure is exact and independent of other processes.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use paygent_core::config::CsvMode;
use paygent_core::reply::{self, ReplyFormat};

struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only a counter is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size(), Ordering::Relaxed);
        // SAFETY: same layout contract as ours.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        // SAFETY: `p` came from `alloc` with this layout.
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new, Ordering::Relaxed);
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        // SAFETY: as for `dealloc` and `alloc`.
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The shape of `bench/ref027.pl`: header, data header of 10 names, `n` data lines, trailer.
fn reply_027(n: usize) -> Vec<u8> {
    let mut b = b"\"1\",\"0\",\"\",\"\"\r\n\"2\",\"customer_id\",\"customer_card_id\",\"card_number\",\
                  \"card_valid_term\",\"cardholder_name\",\"add_info1\",\"add_info2\",\"add_info3\",\
                  \"add_info4\"\r\n"
        .to_vec();
    for i in 1..=n {
        b.extend_from_slice(
            format!(
                "\"3\",\"bench-customer\",\"{i}\",\"************{:04}\",\"{:02}{:02}\",\
                 \"\u{30e4}\u{30de}\u{30c0} \u{30bf}\u{30ed}\u{30a6}\",\"note {i}, with comma\",\"\",\"\",\"\"\r\n",
                i % 10000,
                1 + i % 12,
                27 + i % 5
            )
            .as_bytes(),
        );
    }
    b.extend_from_slice(format!("\"4\",\"{n}\"\r\n").as_bytes());
    b
}

#[test]
fn every_record_is_kept_in_at_most_twice_the_reply() {
    let n = 100_000;
    let body = reply_027(n);
    let before = LIVE.load(Ordering::Relaxed);
    let parsed = reply::parse(ReplyFormat::Reference, &body, true, CsvMode::Compat);
    let held = LIVE.load(Ordering::Relaxed) - before;
    assert_eq!(parsed.error, None);
    assert_eq!(parsed.reply.records.len(), n);
    let last = &parsed.reply.records[n - 1];
    assert_eq!(
        last.get(b"customer_card_id"),
        Some(format!("{n}").as_bytes())
    );
    assert_eq!(
        last.field(5),
        Some((
            &b"add_info1"[..],
            format!("note {n}, with comma").as_bytes()
        ))
    );
    let ratio = held as f64 / body.len() as f64;
    eprintln!(
        "{n} records: reply {} bytes, records hold {held} bytes ({ratio:.2}×)",
        body.len()
    );
    assert!(ratio <= 2.0, "records hold {ratio:.2}× the reply");
}
