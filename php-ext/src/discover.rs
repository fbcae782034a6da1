//! Where `init()` finds `modenv_properties.php` (decisions.md 6, protocol.md §3.1):
//! 1. ini `paygent.properties_file` when set (PHP_INI_ALL);
//! 2. `modenv_properties.php` through `include_path` (the V1 way, `FILE_USE_INCLUDE_PATH`);
//! 3. the composer layout beside an included `vendor/autoload.php`:
//!    `<vendor>/paygent/connect/src/paygent_module/modenv_properties.php`.

use std::path::PathBuf;

use ext_php_rs::types::Zval;
use paygent_core::config::ConfigSource;
use paygent_core::error::{Error, ErrorKind};
use paygent_core::php::bytes_to_path;

use crate::call::call;
use crate::ini::PROPERTIES_FILE;

pub const FILE_NAME: &str = "modenv_properties.php";
const AUTOLOAD: &[u8] = b"/vendor/autoload.php";
const COMPOSER_DIR: &str = "paygent/connect/src/paygent_module";

pub fn config_source() -> ConfigSource {
    match find() {
        Some(path) => ConfigSource::PhpProperties(path),
        None => ConfigSource::Failed(Error::new(ErrorKind::PropertiesNotFound)),
    }
}

pub fn find() -> Option<PathBuf> {
    if let Some(p) = ini_file() {
        return Some(p);
    }
    include_path_file().or_else(composer_file)
}

/// The ini setting, when non-empty. A set but missing file is E01001, not a fall-through.
pub fn ini_file() -> Option<PathBuf> {
    let v = call("ini_get", vec![&PROPERTIES_FILE])?;
    let bytes = v.zend_str()?.as_bytes();
    (!bytes.is_empty()).then(|| bytes_to_path(bytes))
}

pub fn include_path_file() -> Option<PathBuf> {
    let v = call("stream_resolve_include_path", vec![&FILE_NAME])?;
    Some(bytes_to_path(v.zend_str()?.as_bytes()))
}

fn composer_file() -> Option<PathBuf> {
    let files: Zval = call("get_included_files", vec![])?;
    let list = files.array()?;
    for file in list.values() {
        let Some(name) = file.zend_str().map(|s| s.as_bytes()) else {
            continue;
        };
        let Some(dir) = name.strip_suffix(AUTOLOAD) else {
            continue;
        };
        let mut path = bytes_to_path(dir);
        path.push("vendor");
        path.push(COMPOSER_DIR);
        path.push(FILE_NAME);
        if path.is_file() {
            return Some(path);
        }
    }
    None
}
