//! C ABI (filled by the Perl issue).
