//! The global `define()` constants of the V1 module (protocol.md §1.2). Error codes come from
//! core's one table; the rest are the official values, kept for code that references them.

use std::ffi::{c_char, c_int};

use ext_php_rs::builders::ModuleBuilder;
use ext_php_rs::constant::IntoConst;
use ext_php_rs::flags::GlobalConstantFlags;
use paygent_core::ErrorCode;
use paygent_core::config::PREFIX;
use paygent_core::telegram::{
    CONNECT_ID_KEY, CONNECT_PASSWORD_KEY, DATA_KEY, FILE_PAYMENT_RES_KIND, KIND_PREFIX_LEN,
    LIMIT_COUNT_KEY, PARTIAL_DATA_CODE, RESULT_STATUS_ERROR, TELEGRAM_KEY_LENGTH,
    TELEGRAM_KIND_KEY, TELEGRAM_LENGTH, TELEGRAM_LENGTH_FILE, TELEGRAM_VALUE_LENGTH,
};

/// A value of the constant table.
#[derive(Debug, Clone, Copy)]
enum Value {
    Str(&'static str),
    Int(i64),
}

const fn s(name: &'static str, v: &'static str) -> (&'static str, Value) {
    (name, Value::Str(v))
}
const fn i(name: &'static str, v: i64) -> (&'static str, Value) {
    (name, Value::Int(v))
}

fn error_code_name(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::ResourceFileNotFound => {
            "PaygentB2BModuleException__RESOURCE_FILE_NOT_FOUND_ERROR"
        }
        ErrorCode::ResourceFileRequired => {
            "PaygentB2BModuleException__RESOURCE_FILE_REQUIRED_ERROR"
        }
        ErrorCode::CsvOutput => "PaygentB2BModuleException__CSV_OUTPUT_ERROR",
        ErrorCode::FilePayment => "PaygentB2BModuleException__FILE_PAYMENT_ERROR",
        ErrorCode::Encoding => "PaygentB2BModuleException__ENCODING_ERROR",
        ErrorCode::Other => "PaygentB2BModuleException__OTHER_ERROR",
        ErrorCode::ModuleParamRequired => {
            "PaygentB2BModuleConnectException__MODULE_PARAM_REQUIRED_ERROR"
        }
        ErrorCode::TelegramParamRequired => {
            "PaygentB2BModuleConnectException__TEREGRAM_PARAM_REQUIRED_ERROR"
        }
        ErrorCode::TelegramParamOutside => {
            "PaygentB2BModuleConnectException__TEREGRAM_PARAM_OUTSIDE_ERROR"
        }
        ErrorCode::Certificate => "PaygentB2BModuleConnectException__CERTIFICATE_ERROR",
        ErrorCode::KsConnect => "PaygentB2BModuleConnectException__KS_CONNECT_ERROR",
        ErrorCode::ResponseType => "PaygentB2BModuleConnectException__RESPONSE_TYPE_ERROR",
    }
}

const CRLF: &str = "\r\n";
const RES: &str = "PaygentB2BModuleResources__";

/// `PaygentB2BModuleResources__<NAME>` = `paygentB2Bmodule.<key>` (property key names, §3.2).
const RESOURCE_KEYS: [(&str, &str); 15] = [
    ("CLIENT_FILE_PATH", "client_file_path"),
    ("CA_FILE_PATH", "ca_file_path"),
    ("PROXY_SERVER_NAME", "proxy_server_name"),
    ("PROXY_SERVER_IP", "proxy_server_ip"),
    ("PROXY_SERVER_PORT", "proxy_server_port"),
    ("DEFAULT_ID", "default_id"),
    ("DEFAULT_PASSWORD", "default_password"),
    ("TIMEOUT_VALUE", "timeout_value"),
    ("LOG_OUTPUT_PATH", "log_output_path"),
    ("SELECT_MAX_CNT", "select_max_cnt"),
    ("TELEGRAM_KIND_REFS", "telegram_kind.ref"),
    ("DEBUG_FLG", "debug_flg"),
    ("NOT_USE_CLIENT_CERT", "not_use_client_cert"),
    ("NOT_USE_CA_CERT", "not_use_ca_cert"),
    ("TELEGRAM_KIND_UTF8", "telegram_kind.utf8"),
];

const TABLE: &[(&str, Value)] = &[
    i("PaygentB2BModuleConnectException__serialVersionUID", 1),
    i("PaygentB2BModuleException__serialVersionUID", 1),
    // PaygentB2BModule
    i(
        "PaygentB2BModule__TELEGRAM_KEY_LENGTH",
        TELEGRAM_KEY_LENGTH as i64,
    ),
    i(
        "PaygentB2BModule__TELEGRAM_VALUE_LENGTH",
        TELEGRAM_VALUE_LENGTH as i64,
    ),
    i("PaygentB2BModule__TELEGRAM_LENGTH", TELEGRAM_LENGTH as i64),
    i(
        "PaygentB2BModule__TELEGRAM_LENGTH_FILE",
        TELEGRAM_LENGTH_FILE as i64,
    ),
    s("PaygentB2BModule__CONNECT_ID_KEY", CONNECT_ID_KEY),
    s(
        "PaygentB2BModule__CONNECT_PASSWORD_KEY",
        CONNECT_PASSWORD_KEY,
    ),
    s("PaygentB2BModule__TELEGRAM_KIND_KEY", TELEGRAM_KIND_KEY),
    s("PaygentB2BModule__LIMIT_COUNT_KEY", LIMIT_COUNT_KEY),
    s("PaygentB2BModule__DATA_KEY", DATA_KEY),
    s("PaygentB2BModule__RESULT_STATUS_ERROR", RESULT_STATUS_ERROR),
    s("PaygentB2BModule__RESPONSE_CODE_9003", PARTIAL_DATA_CODE),
    // PaygentB2BModuleResources (the property keys are added from RESOURCE_KEYS)
    s(
        "PaygentB2BModuleResources__PROPERTIES_FILE_NAME",
        "modenv_properties.php",
    ),
    s("PaygentB2BModuleResources__TELEGRAM_KIND_SEPARATOR", ","),
    i(
        "PaygentB2BModuleResources__TELEGRAM_KIND_FIRST_CHARS",
        KIND_PREFIX_LEN as i64,
    ),
    // CSVTokenizer (NO_ITEM_ENVELOPE, a NUL byte, is registered apart)
    s("CSVTokenizer__DEF_SEPARATOR", ","),
    s("CSVTokenizer__DEF_ITEM_ENVELOPE", "\""),
    // CSVWriter
    s("CSVWriter__ENCODING_SJIS", "Shift_JIS"),
    s("CSVWriter__ENCODING_EUC", "EUC_JP"),
    s("CSVWriter__ENCODING_MS932", "SJIS-win"),
    s("CSVWriter__WINDOWS_NEWLINE", CRLF),
    s("CSVWriter__UNIX_NEWLINE", "\n"),
    s("CSVWriter__MAC_NEWLINE", "\r"),
    // ResponseData and its implementations
    s("ResponseData__RESULT", "result"),
    s("ResponseData__RESPONSE_CODE", "response_code"),
    s("ResponseData__RESPONSE_DETAIL", "response_detail"),
    s("ResponseData__HTML_ITEM", "_html"),
    s("PaymentResponseDataImpl__PROPERTIES_REGEX", "="),
    i("PaymentResponseDataImpl__PROPERTIES_REGEX_COUNT", 2),
    s("PaymentResponseDataImpl__LINE_SEPARATOR", CRLF),
    s("ReferenceResponseDataImpl__LINENO_HEADER", "1"),
    s("ReferenceResponseDataImpl__LINENO_DATA_HEADER", "2"),
    s("ReferenceResponseDataImpl__LINENO_DATA", "3"),
    s("ReferenceResponseDataImpl__LINENO_TRAILER", "4"),
    i("ReferenceResponseDataImpl__LINE_RECORD_DIVISION", 0),
    i("ReferenceResponseDataImpl__LINE_HEADER_RESULT", 1),
    i("ReferenceResponseDataImpl__LINE_HEADER_RESPONSE_CODE", 2),
    i("ReferenceResponseDataImpl__LINE_HEADER_RESPONSE_DETAIL", 3),
    i("ReferenceResponseDataImpl__LINE_TRAILER_DATA_COUNT", 1),
    s("ReferenceResponseDataImpl__LINE_SEPARATOR", CRLF),
    s("FilePaymentResponseDataImpl__LINENO_HEADER", "1"),
    i("FilePaymentResponseDataImpl__LINE_RECORD_DIVISION", 0),
    i("FilePaymentResponseDataImpl__LINE_HEADER_RESULT", 6),
    i("FilePaymentResponseDataImpl__LINE_HEADER_RESPONSE_CODE", 7),
    i(
        "FilePaymentResponseDataImpl__LINE_HEADER_RESPONSE_DETAIL",
        8,
    ),
    s("FilePaymentResponseDataImpl__LINE_SEPARATOR", CRLF),
    // HttpsRequestSender
    i("HttpsRequestSender__CURLE_COULDNT_CONNECT", 7),
    i("HttpsRequestSender__CURLE_SSL_CERTPROBLEM", 58),
    i("HttpsRequestSender__CURLE_SSL_CACERT", 60),
    i("HttpsRequestSender__CURLE_SSL_CACERT_BADFILE", 77),
    i("HttpsRequestSender__CURLE_HTTP_RETURNED_ERROR", 22),
    s("HttpsRequestSender__POST", "POST"),
    s("HttpsRequestSender__HTTP", "HTTP"),
    s("HttpsRequestSender__HTTP_1_0", "HTTP/1.0"),
    s("HttpsRequestSender__HTTP_1_0_200", "HTTP/1.0 200"),
    i("HttpsRequestSender__HTTP_SUCCESS", 200),
    i("HttpsRequestSender__HTTP_PARTIAL_CONTENT", 206),
    i("HttpsRequestSender__TELEGRAM_LENGTH", 10240),
    i("HttpsRequestSender__DEFAULT_PORT", 443),
    s("HttpsRequestSender__CRLF", CRLF),
    s("HttpsRequestSender__DEFAULT_ENCODING", "SJIS-win"),
    i("HttpsRequestSender__HTTP_STATUS_INIT_VALUE", -1),
    i("HttpsRequestSender__REGEXPSTATUS_LEN", 3),
    s("HttpsRequestSender__CONTENT_LENGTH", "Content-Length"),
    s("HttpsRequestSender__USER_AGENT", "User-Agent"),
    s(
        "HttpsRequestSender__CONTENT_TYPE",
        "Content-Type=application/x-www-form-urlencoded",
    ),
    s("HttpsRequestSender__HTTP_ENCODING", "charset=Windows-31J"),
    s("HttpsRequestSender__MASK_STRING", "X"),
];

/// Every constant name and value, for the module builder.
pub fn register(mut module: ModuleBuilder<'_>) -> ModuleBuilder<'_> {
    for code in ErrorCode::ALL {
        module = module.constant((error_code_name(code), code.as_str(), &[]));
    }
    for (name, value) in TABLE {
        module = match *value {
            Value::Str(v) => module.constant((*name, v, &[])),
            Value::Int(v) => module.constant((*name, v, &[])),
        };
    }
    for (suffix, key) in RESOURCE_KEYS {
        let name = format!("{RES}{suffix}");
        module = module.constant((name.as_str(), format!("{PREFIX}{key}"), &[]));
    }
    // Values whose home is core: the file payment result kind, the url key prefix.
    let file_res = String::from_utf8_lossy(FILE_PAYMENT_RES_KIND).into_owned();
    module = module.constant((
        "PaygentB2BModule__TELEGRAM_KIND_FILE_PAYMENT_RES",
        file_res,
        &[],
    ));
    module = module.constant((
        format!("{RES}URL_COMM").as_str(),
        format!("{PREFIX}url."),
        &[],
    ));
    module.constant(("CSVTokenizer__NO_ITEM_ENVELOPE", Bytes(b"\0"), &[]))
}

/// A string constant that may hold NUL bytes (ext-php-rs registers `&str` as a C string).
#[derive(Debug, Clone, Copy)]
struct Bytes(&'static [u8]);

type RegisterStringl =
    unsafe extern "C" fn(*const c_char, usize, *const c_char, usize, c_int, c_int);

impl IntoConst for Bytes {
    fn stub_value(&self) -> String {
        let escaped: String = self.0.iter().map(|b| format!("\\x{b:02x}")).collect();
        format!("\"{escaped}\"")
    }

    fn register_constant_flags(
        &self,
        name: &str,
        module_number: i32,
        flags: GlobalConstantFlags,
    ) -> ext_php_rs::error::Result<()> {
        // Resolved at run time, not linked: cargo-php dlopens the .so outside PHP (toolchain.md).
        // SAFETY: RegisterStringl is the C signature of `zend_register_stringl_constant` (PHP 8).
        let Some(register) = (unsafe {
            crate::symbols::lookup::<RegisterStringl>(c"zend_register_stringl_constant")
        }) else {
            return Ok(());
        };
        let flags = c_int::try_from(flags.bits()).unwrap_or(0);
        // SAFETY: the engine copies name and value (persistent constant); both outlive the call.
        unsafe {
            register(
                name.as_ptr().cast(),
                name.len(),
                self.0.as_ptr().cast(),
                self.0.len(),
                flags,
                module_number,
            );
        }
        Ok(())
    }
}
