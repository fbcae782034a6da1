//! Per-process cache of parsed properties files, re-read when mtime or size change
//! (decisions.md 6) and rebuilt after fork.

use std::path::Path;
use std::sync::Arc;

use super::Config;
use crate::error::Error;

/// Read, parse and validate a `modenv_properties.php` (E01001 when unreadable, E01002 invalid).
pub fn load_php_properties(path: &Path) -> Result<Arc<Config>, Error> {
    let _ = path;
    todo!("config helper")
}
