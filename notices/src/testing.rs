//! Test support (not a public API): the store URLs a test runs against. SQLite always;
//! PostgreSQL and MySQL/MariaDB when `PAYGENT_TEST_PG_URL` / `PAYGENT_TEST_MYSQL_URL` name a
//! server (tests/notices/run.sh starts throwaway ones). Outside the `notices` suite a missing
//! URL skips that store with a message; inside it (`PAYGENT_NOTICES_SUITE=1`) it fails.
//! Each test gets its own fresh database on the server.

use std::path::Path;

/// `(backend, url)` pairs for the test `name` (letters, digits, `_`).
pub fn store_urls(dir: &Path, name: &str) -> Vec<(&'static str, String)> {
    let mut v = vec![(
        "sqlite",
        format!("sqlite:{}", dir.join(format!("{name}.db")).display()),
    )];
    let suite = std::env::var("PAYGENT_NOTICES_SUITE").is_ok_and(|v| v == "1");
    for (backend, var) in [
        ("postgres", "PAYGENT_TEST_PG_URL"),
        ("mysql", "PAYGENT_TEST_MYSQL_URL"),
    ] {
        match std::env::var(var).ok().filter(|u| !u.is_empty()) {
            Some(admin) => {
                let db = format!("t_{name}_{}", std::process::id());
                match fresh_database(&admin, &db) {
                    Ok(url) => v.push((backend, url)),
                    Err(e) => panic!("{backend}: cannot create test database {db}: {e}"),
                }
            }
            None if suite => {
                panic!("{var} is not set inside the notices suite (tests/notices/run.sh sets it)")
            }
            None => skipped(backend, var),
        }
    }
    v
}

/// Say once per test binary that a store is skipped, past the test harness's output capture
/// (which hides `eprintln!` of passing tests): a skip must be seen.
fn skipped(backend: &str, var: &str) {
    use std::io::Write;
    static ONCE: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut told = ONCE.lock().unwrap_or_else(|p| p.into_inner());
    if !told.iter().any(|b| b == backend) {
        told.push(backend.to_string());
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED the {backend} store: {var} is not set (tests/notices/run.sh starts a server)"
        );
    }
}

/// Create (or re-create) database `db` on the server of `admin_url`; returns its URL.
pub fn fresh_database(admin_url: &str, db: &str) -> Result<String, String> {
    if !db.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(format!("bad database name {db}"));
    }
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin_url, String::new()),
    };
    let (scheme, rest) = base.split_once("://").ok_or("not a URL")?;
    let host = rest.split_once('/').map_or(rest, |(h, _)| h);
    let url = format!("{scheme}://{host}/{db}{query}");
    if scheme.starts_with("postgres") {
        let mut c =
            postgres::Client::connect(admin_url, postgres::NoTls).map_err(|e| e.to_string())?;
        // Not one batch: CREATE DATABASE refuses to run inside a transaction block.
        c.batch_execute(&format!("DROP DATABASE IF EXISTS {db}"))
            .and_then(|_| {
                c.batch_execute(&format!(
                    "CREATE DATABASE {db} ENCODING 'UTF8' TEMPLATE template0"
                ))
            })
            .map_err(|e| format!("{e:?}"))?;
    } else {
        use mysql::prelude::Queryable;
        let opts = mysql::Opts::from_url(admin_url).map_err(|e| e.to_string())?;
        let mut c = mysql::Conn::new(opts).map_err(|e| e.to_string())?;
        c.query_drop(format!("DROP DATABASE IF EXISTS {db}"))
            .and_then(|_| c.query_drop(format!("CREATE DATABASE {db} CHARACTER SET utf8mb4")))
            .map_err(|e| e.to_string())?;
    }
    Ok(url)
}

/// Run `sql` (one or more statements) on the database of a store URL: the tests change a
/// store behind the program's back with it (an older schema's rows, a merchant's constraint).
pub fn execute(url: &str, sql: &str) -> Result<(), String> {
    if let Some(path) = url.strip_prefix("sqlite:") {
        let c = rusqlite::Connection::open(path).map_err(|e| e.to_string())?;
        return c.execute_batch(sql).map_err(|e| e.to_string());
    }
    if url.starts_with("postgres") {
        let mut c = postgres::Client::connect(url, postgres::NoTls).map_err(|e| e.to_string())?;
        return c.batch_execute(sql).map_err(|e| format!("{e:?}"));
    }
    use mysql::prelude::Queryable;
    let opts = mysql::Opts::from_url(&url.replacen("mariadb://", "mysql://", 1))
        .map_err(|e| e.to_string())?;
    let mut c = mysql::Conn::new(opts).map_err(|e| e.to_string())?;
    c.query_drop(sql).map_err(|e| e.to_string())
}

/// A statement that makes the store refuse a notice whose `trading_id` is `poison`, as a
/// merchant's own constraint or trigger would: a CHECK constraint (PostgreSQL, MySQL/MariaDB),
/// a trigger (SQLite cannot add a constraint to a table).
pub fn refuse_poison_sql(backend: &str) -> &'static str {
    match backend {
        "sqlite" => {
            "CREATE TRIGGER refuse_poison BEFORE INSERT ON paygent_notices \
             WHEN NEW.trading_id = 'poison' \
             BEGIN SELECT RAISE(ABORT, 'poison refused by the merchant''s trigger'); END"
        }
        _ => "ALTER TABLE paygent_notices ADD CONSTRAINT no_poison CHECK (trading_id <> 'poison')",
    }
}
