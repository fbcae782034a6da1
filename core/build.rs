//! `cfg(ossl300)` when the system OpenSSL is 3.x (openssl-sys passes its version number to the
//! crates that link it directly): the legacy-provider code exists only there. OpenSSL 1.1.1
//! (Debian 11) has RC2-40 built in.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(ossl300)");
    println!("cargo::rerun-if-env-changed=DEP_OPENSSL_VERSION_NUMBER");
    let version = std::env::var("DEP_OPENSSL_VERSION_NUMBER")
        .ok()
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok());
    if version.is_some_and(|v| v >= 0x3000_0000) {
        println!("cargo::rustc-cfg=ossl300");
    }
}
