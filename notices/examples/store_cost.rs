//! `cargo run --release -p paygent-notices --example store_cost -- URL [N]`: the time of N
//! `Store::store` calls alone (no telegram), to see a store's own per-notice cost.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a measuring tool run by hand: a failure ends it with its message"
)]

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "sqlite:/tmp/store_cost.db".into());
    let n: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let mut s = match paygent_notices::open(&url) {
        Ok(s) => s,
        Err(e) => return eprintln!("{e}"),
    };
    if let Err(e) = s.init() {
        return eprintln!("{e}");
    }
    let start = Instant::now();
    for i in 1..=n {
        let mut items = serde_json::Map::new();
        for (k, v) in [
            ("success_code", "0".to_string()),
            ("payment_notice_id", i.to_string()),
            ("payment_id", format!("1000000000000{i:05}")),
            ("trading_id", format!("seed-{i}")),
            ("payment_type", "02".into()),
            ("payment_status", "40".into()),
            ("payment_amount", format!("{}", 100 + i * 10)),
            ("change_date", "20261204120000".into()),
            ("customer_name", "髙橋 花子".into()),
        ] {
            items.insert(k.into(), v.into());
        }
        let notice = paygent_notices::Notice::from_items(items);
        if let Err(e) = s.store("bench", &notice, false) {
            return eprintln!("{e}");
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "stored={n} seconds={secs:.3} us_per_notice={:.1}",
        secs * 1e6 / n as f64
    );
}
