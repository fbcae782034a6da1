//! `phpinfo()` section (`php --ri paygent`): what an administrator checks after installing —
//! version, TLS library in use, which `modenv_properties.php` `init()` would load (or why none),
//! and the session cache, log and debug settings of that file.

use std::ffi::CString;

use ext_php_rs::ffi::{
    php_info_print_table_end, php_info_print_table_row, php_info_print_table_start,
};
use ext_php_rs::zend::ModuleEntry;
use paygent_core::config::load_php_properties;
use paygent_core::info;

use crate::call::call;
use crate::discover::{FILE_NAME, find, ini_file};

fn row(name: &str, value: &str) {
    let (Ok(n), Ok(v)) = (CString::new(name), CString::new(value.replace('\0', ""))) else {
        return;
    };
    // SAFETY: two NUL-terminated strings, alive for the call; PHP copies them to the output.
    unsafe { php_info_print_table_row(2, n.as_ptr(), v.as_ptr()) };
}

/// The file `init()` would load now, or why there is none.
fn properties_file() -> Result<std::path::PathBuf, String> {
    let Some(path) = find() else {
        let include_path = call("get_include_path", vec![])
            .and_then(|v| v.string())
            .unwrap_or_default();
        return Err(format!(
            "none: {FILE_NAME} is not on include_path ({include_path}), paygent.properties_file \
             is empty and no vendor/autoload.php is included"
        ));
    };
    if ini_file().is_some() && !path.is_file() {
        return Err(format!(
            "{} (paygent.properties_file): no such file",
            path.display()
        ));
    }
    Ok(path)
}

pub extern "C" fn info(_module: *mut ModuleEntry) {
    let _ = crate::panic::guard(|| {
        let file = properties_file();
        let config = file.as_ref().ok().map(|p| load_php_properties(p));
        // SAFETY: phpinfo() is running; start/end bracket the rows.
        unsafe { php_info_print_table_start() };
        row("paygent support", "enabled");
        let settings = match &config {
            Some(Ok(c)) => Some(&**c),
            _ => None,
        };
        for r in info::report(settings) {
            row(r.label, &r.value);
        }
        let ini = ini_file().map(|p| p.display().to_string());
        row(
            "paygent.properties_file",
            ini.as_deref()
                .unwrap_or("(not set: include_path, then composer layout)"),
        );
        match (&file, &config) {
            (Err(why), _) => row("properties file", why),
            (Ok(p), Some(Err(e))) => {
                let why = info::unreadable(p)
                    .map(|w| format!("; {w}"))
                    .unwrap_or_default();
                row(
                    "properties file",
                    &format!("{} (not loaded: {e}{why})", p.display()),
                )
            }
            (Ok(p), _) => row("properties file", &p.display().to_string()),
        }
        // SAFETY: as above.
        unsafe { php_info_print_table_end() };
    });
}
