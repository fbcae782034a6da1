//! The protocol's fixed numbers: telegram length limits (protocol.md §4.6) and the kinds with a
//! reply format of their own. A leaf: the request checks, the error messages and the
//! configuration all read them from here.

/// `PaygentB2BModule__TELEGRAM_KEY_LENGTH` (decisions.md 7: the manual's 8190).
pub const TELEGRAM_KEY_LENGTH: usize = 8190;
/// `PaygentB2BModule__TELEGRAM_VALUE_LENGTH`
pub const TELEGRAM_VALUE_LENGTH: usize = 102_400;
/// `PaygentB2BModule__TELEGRAM_LENGTH`
pub const TELEGRAM_LENGTH: usize = 102_400;
/// `PaygentB2BModule__TELEGRAM_LENGTH_FILE`
pub const TELEGRAM_LENGTH_FILE: usize = 10_485_760;

/// `PaygentB2BModule__TELEGRAM_KIND_FILE_PAYMENT_RES`
pub const FILE_PAYMENT_RES_KIND: &[u8] = b"201";

/// A url key names a full kind or its first this many characters (`url.02` serves 020–029).
pub const KIND_PREFIX_LEN: usize = 2;

/// Parameter names the module itself reads or fills (protocol.md §4.1–§4.3).
pub const TELEGRAM_KIND_KEY: &str = "telegram_kind";
/// Filled from `default_id` when the script sets none (§4.2).
pub const CONNECT_ID_KEY: &str = "connect_id";
/// Filled from `default_password` when the script sets none (§4.2).
pub const CONNECT_PASSWORD_KEY: &str = "connect_password";
/// Filled from `select_max_cnt` for reference kinds (§4.3).
pub const LIMIT_COUNT_KEY: &str = "limit_count";
/// The file payment's file content (kind 200, §4.4).
pub const DATA_KEY: &str = "data";
/// `result` of a refused telegram.
pub const RESULT_STATUS_ERROR: &str = "1";
/// The response code of a reference reply cut at `limit_count`: its CSV is still written (§6.4.3).
pub const PARTIAL_DATA_CODE: &str = "9003";
