//! Per-process cache of parsed properties files, re-read when mtime or size change
//! (decisions.md 6) and rebuilt after fork.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use super::{Config, properties};
use crate::error::{Error, ErrorKind};

type Entry = (Option<SystemTime>, u64, u32, Arc<Config>);

fn cache() -> &'static Mutex<HashMap<PathBuf, Entry>> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Entry>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Read, parse and validate a `modenv_properties.php` (E01001 when unreadable, E01002 invalid).
/// A failure is not cached: the next call reads the file again.
pub fn load_php_properties(path: &Path) -> Result<Arc<Config>, Error> {
    let not_found = || Error::new(ErrorKind::PropertiesNotFound);
    let meta = std::fs::metadata(path).map_err(|_| not_found())?;
    let (mtime, size, pid) = (meta.modified().ok(), meta.len(), std::process::id());
    {
        // A poisoned lock only means another thread panicked mid-insert; the map is still usable.
        let map = cache().lock().unwrap_or_else(|e| e.into_inner());
        if let Some((m, s, p, config)) = map.get(path) {
            if *m == mtime && *s == size && *p == pid && mtime.is_some() {
                return Ok(config.clone());
            }
        }
    }
    let text = std::fs::read(path).map_err(|_| not_found())?;
    let config = Arc::new(parse_php_properties(&text)?);
    let mut map = cache().lock().unwrap_or_else(|e| e.into_inner());
    map.insert(path.to_path_buf(), (mtime, size, pid, config.clone()));
    Ok(config)
}

/// Parse and validate properties text. The `compat` switch `escape_truncation` is read from a
/// first parse without truncation, then the text is parsed again with it.
pub fn parse_php_properties(text: &[u8]) -> Result<Config, Error> {
    let mut props = properties::parse(text, false);
    if properties::wants_escape_truncation(&props) {
        props = properties::parse(text, true);
    }
    properties::validate(&props, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    const GOOD: &str = "paygentB2Bmodule.client_file_path=/k/c.pem\n\
        paygentB2Bmodule.ca_file_path=/k/ca.pem\n\
        paygentB2Bmodule.timeout_value=35\n\
        paygentB2Bmodule.log_output_path=\n\
        paygentB2Bmodule.select_max_cnt=2000\n";

    /// A file name in a scratch directory removed when the TempDir is dropped.
    fn temp(name: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::Builder::new()
            .prefix("paygent-cache-")
            .tempdir()
            .unwrap();
        let path = dir.path().join(name);
        (dir, path)
    }

    #[test]
    fn missing_file_is_e01001_and_not_cached() {
        let (_dir, p) = temp("missing.php");
        assert_eq!(
            load_php_properties(&p).unwrap_err().code,
            ErrorCode::ResourceFileNotFound
        );
        std::fs::write(&p, GOOD).unwrap();
        assert!(load_php_properties(&p).is_ok());
    }

    #[test]
    fn cached_until_the_file_changes() {
        let (_dir, p) = temp("cached.php");
        std::fs::write(&p, GOOD).unwrap();
        let a = load_php_properties(&p).unwrap();
        let b = load_php_properties(&p).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        // A different size is noticed even within the mtime granularity.
        std::fs::write(&p, format!("{GOOD}paygentB2Bmodule.default_id=abc\n")).unwrap();
        let c = load_php_properties(&p).unwrap();
        assert_eq!(c.default_id, b"abc");
        // An invalid file is an error, and the error is not cached.
        std::fs::write(&p, "paygentB2Bmodule.timeout_value=35s\n").unwrap();
        assert_eq!(
            load_php_properties(&p).unwrap_err().code,
            ErrorCode::ResourceFileRequired
        );
        std::fs::write(&p, GOOD).unwrap();
        assert!(load_php_properties(&p).is_ok());
    }

    #[test]
    fn escape_truncation_switch_comes_from_the_file() {
        let text = format!("{GOOD}paygentB2Bmodule.default_id=C:\\id\\new\n");
        assert_eq!(
            parse_php_properties(text.as_bytes()).unwrap().default_id,
            br"C:\id\new"
        );
        let text = format!("{text}paygentB2Bmodule.compat=escape_truncation\n");
        let c = parse_php_properties(text.as_bytes()).unwrap();
        assert_eq!(c.default_id, br"C:\id");
        assert!(c.compat.escape_truncation);
    }
}
