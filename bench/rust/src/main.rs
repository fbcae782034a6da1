//! paygent-bench: times `paygent_core::Module` against a running paygent-sim.
//!
//! ```text
//! paygent-bench loop --config FILE [--telegram card|ref] [--count N] [--batch B] [--warmup W]
//!                    [--expect-records N]
//! paygent-bench once --config FILE [--telegram card|ref] [--expect-records N]
//! paygent-bench soak --config FILE --count N --gap-ms MIN:MAX
//! paygent-bench notices --config FILE
//! ```
//!
//! `FILE` is a `modenv_properties.php`; its `keep_alive` and `session_cache_dir` choose the
//! transport pattern under test. `loop` sends N telegrams in one process, a fresh Module each
//! (as a merchant script does), and prints one line:
//! `telegrams=N batches=K median_us=X p90_us=Y` — µs per telegram over batches of B.
//! `once` sends one telegram and prints nothing (for a process-per-telegram measure with
//! hyperfine). Any failed telegram is a harness error: message on stderr, exit status 1.
//! `soak` sends N telegrams in one process with idle gaps drawn from MIN..MAX ms between them
//! (across a server's keep-alive timeout) and prints
//! `telegrams=N failures=F connections=C`; failures are counted, not fatal.
//! `notices` is the bare 091 loop of `paygent notices sync` without a database: one Module
//! (`caller_encoding=UTF-8`), the last `payment_notice_id` as cursor, until `success_code=1`;
//! it prints `notices=N seconds=S us_per_notice=X` (bench/notices.sh compares the stores to it).

mod stats;
mod telegram;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use telegram::Telegram;

struct Args {
    mode: String,
    config: PathBuf,
    telegram: Telegram,
    count: usize,
    batch: usize,
    warmup: usize,
    expect_records: Option<usize>,
    gap_ms: (u64, u64),
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let mode = it
        .next()
        .ok_or("usage: paygent-bench loop|once --config FILE ...")?;
    if !matches!(mode.as_str(), "loop" | "once" | "soak" | "notices") {
        return Err(format!(
            "unknown mode {mode:?} (loop, once, soak or notices)"
        ));
    }
    let mut a = Args {
        mode,
        config: PathBuf::new(),
        telegram: Telegram::Card,
        count: 1000,
        batch: 50,
        warmup: 20,
        expect_records: None,
        gap_ms: (900, 1100),
    };
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let num = || {
            value
                .parse::<usize>()
                .map_err(|_| format!("{flag}: not a number: {value}"))
        };
        match flag.as_str() {
            "--config" => a.config = PathBuf::from(&value),
            "--telegram" => {
                a.telegram =
                    Telegram::parse(&value).ok_or(format!("--telegram card|ref, not {value}"))?
            }
            "--count" => a.count = num()?,
            "--batch" => a.batch = num()?,
            "--warmup" => a.warmup = num()?,
            "--expect-records" => a.expect_records = Some(num()?),
            "--gap-ms" => {
                let (lo, hi) = value.split_once(':').ok_or("--gap-ms MIN:MAX")?;
                let ms = |v: &str| v.parse::<u64>().map_err(|_| format!("--gap-ms: {value}"));
                a.gap_ms = (ms(lo)?, ms(hi)?.max(ms(lo)?));
            }
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    if a.config.as_os_str().is_empty() {
        return Err("--config FILE is required".into());
    }
    if a.batch == 0 || a.count < a.batch {
        return Err("need --count >= --batch > 0".into());
    }
    Ok(a)
}

fn one(a: &Args) -> Result<(), String> {
    let n = telegram::send(&a.config, a.telegram)?;
    match a.expect_records {
        Some(want) if want != n => Err(format!("{n} records, expected {want}")),
        _ => Ok(()),
    }
}

/// Telegrams spaced by gaps around a server's keep-alive timeout: how many fail (decision 18
/// forbids resending, so a connection the server closes while we write would be a failure).
fn soak(a: &Args) -> Result<(), String> {
    // A small LCG: reproducible gaps without a dependency.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut failures = 0;
    for i in 0..a.count {
        if i > 0 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let span = a.gap_ms.1 - a.gap_ms.0 + 1;
            let gap = a.gap_ms.0 + (seed >> 33) % span;
            std::thread::sleep(std::time::Duration::from_millis(gap));
        }
        if let Err(e) = one(a) {
            failures += 1;
            eprintln!("telegram {i}: {e}");
        }
    }
    println!(
        "telegrams={} failures={failures} connections={}",
        a.count,
        paygent_core::transport::connections_opened()
    );
    Ok(())
}

/// The 091 drain loop as `paygent notices sync` runs it, minus the store.
fn notices(a: &Args) -> Result<(), String> {
    use paygent_core::charset::{Charset, convert_lossy, convert_strict};
    use paygent_core::config::ConfigSource;
    let start = Instant::now();
    let mut c = (*ConfigSource::PhpProperties(a.config.clone())
        .load()
        .map_err(|e| format!("config: {e:?}"))?)
    .clone();
    // As the sync: reply values as received, decoded from Windows-31J here.
    c.caller_encoding = None;
    let text = |b: &[u8]| {
        let utf8 = convert_strict(b, Charset::Cp932, Charset::Utf8)
            .unwrap_or_else(|| convert_lossy(b, Charset::Cp932, Charset::Utf8));
        String::from_utf8_lossy(&utf8).into_owned()
    };
    let mut m = paygent_core::Module::new(
        paygent_core::Dialect::Php,
        ConfigSource::Ready(std::sync::Arc::new(c)),
    );
    m.init().map_err(|e| format!("init: {e:?}"))?;
    // The drain step the sync runs (core's 091 rules), minus the store.
    paygent_core::notice::prepare(&mut m, b"");
    let mut cursor: Option<Vec<u8>> = None;
    let mut n = 0u64;
    loop {
        let page = paygent_core::notice::step(&mut m, cursor.as_deref())
            .map_err(|e| format!("091: {e:?}"))?;
        for notice in &page.notices {
            // The items as UTF-8 text, as the sync reads them.
            let items: Vec<(String, String)> = notice
                .record
                .iter()
                .map(|(k, v)| (text(k), text(v)))
                .collect();
            std::hint::black_box(items);
            n += 1;
        }
        cursor = page.cursor_after(cursor.as_deref()).map(<[u8]>::to_vec);
        if !page.more {
            break;
        }
    }
    let s = start.elapsed().as_secs_f64();
    println!(
        "notices={n} seconds={s:.3} us_per_notice={:.1}",
        s * 1e6 / n.max(1) as f64
    );
    Ok(())
}

fn run(a: &Args) -> Result<(), String> {
    if a.mode == "notices" {
        return notices(a);
    }
    if a.mode == "once" {
        return one(a);
    }
    if a.mode == "soak" {
        return soak(a);
    }
    for _ in 0..a.warmup {
        one(a)?;
    }
    let batches = a.count / a.batch;
    let mut per_telegram = Vec::with_capacity(batches);
    for _ in 0..batches {
        let t = Instant::now();
        for _ in 0..a.batch {
            one(a)?;
        }
        per_telegram.push(t.elapsed().as_secs_f64() * 1e6 / a.batch as f64);
    }
    let (median, p90) = stats::median_p90(&per_telegram).ok_or("no batches")?;
    println!(
        "telegrams={} batches={batches} median_us={median:.1} p90_us={p90:.1}",
        batches * a.batch
    );
    Ok(())
}

fn main() -> ExitCode {
    let result = parse_args().and_then(|a| run(&a));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("paygent-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
