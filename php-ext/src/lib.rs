//! PHP extension (filled by the PHP issue).
