//! `phpinfo()` section.

use std::ffi::CString;

use ext_php_rs::ffi::{
    php_info_print_table_end, php_info_print_table_row, php_info_print_table_start,
};
use ext_php_rs::zend::ModuleEntry;
use paygent_core::config::TlsBackend;

use crate::discover::ini_file;

fn row(name: &str, value: &str) {
    let (Ok(n), Ok(v)) = (CString::new(name), CString::new(value.replace('\0', ""))) else {
        return;
    };
    // SAFETY: two NUL-terminated strings, alive for the call; PHP copies them to the output.
    unsafe { php_info_print_table_row(2, n.as_ptr(), v.as_ptr()) };
}

pub extern "C" fn info(_module: *mut ModuleEntry) {
    let _ = crate::panic::guard(|| {
        let tls = match TlsBackend::default() {
            TlsBackend::OpenSsl => "OpenSSL (system libssl)",
            TlsBackend::Rustls => "rustls",
        };
        let file = ini_file().map(|p| p.display().to_string());
        // SAFETY: phpinfo() is running; start/end bracket the rows.
        unsafe { php_info_print_table_start() };
        row("paygent support", "enabled");
        row("version", paygent_core::VERSION);
        row("default TLS backend", tls);
        row(
            "paygent.properties_file",
            file.as_deref()
                .unwrap_or("(not set: include_path, then composer layout)"),
        );
        // SAFETY: as above.
        unsafe { php_info_print_table_end() };
    });
}
