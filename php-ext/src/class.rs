//! `PaygentB2BModule` (protocol.md §1.3–§1.4): converts arguments, calls core, converts
//! results, raises warnings. No protocol logic lives here.
//!
//! Return conventions are the official module's: `init()`/`post()` give `true` or an error-code
//! string, never `false`/`null` and never an exception on a documented error path.

use ext_php_rs::convert::IntoZval;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendObject, Zval};
use paygent_core::config::ConfigSource;
use paygent_core::error::{Error, ErrorKind, WarningLevel};
use paygent_core::{Dialect, Module, Warning};

use crate::args::{
    Mixed, Refused, bytes_zval, is_integer_key, key_bytes, opt_bytes_zval, pairs_array, value_bytes,
};
use crate::discover;
use crate::panic::{guard, test_hook};
use crate::warnings;

/// The connection-module object.
#[php_class]
#[php(name = "PaygentB2BModule")]
pub struct PaygentB2BModule {
    module: Module,
}

/// What a method returns when a panic was caught inside it.
#[derive(Clone, Copy)]
enum OnPanic {
    /// The error-code string (`init`, `post`, `setEncoding`).
    Code,
    /// `null` (everything else).
    Null,
}

/// Warnings of one call: the core's, then the binding's own (argument refusals…).
type PendingWarnings = Vec<Warning>;

fn warning(text: impl Into<Vec<u8>>) -> Warning {
    Warning {
        level: WarningLevel::Warning,
        text: text.into(),
    }
}

fn bool_zval(b: bool) -> Zval {
    let mut zv = Zval::new();
    zv.set_bool(b);
    zv
}

fn outcome(result: Result<(), Error>) -> Zval {
    match result {
        Ok(()) => bool_zval(true),
        Err(e) => code_zval(&e),
    }
}

fn code_zval(e: &Error) -> Zval {
    bytes_zval(e.code.as_str().as_bytes())
}

/// A setter's argument as bytes; arrays/objects are stored as "" with a warning.
fn setting(method: &str, value: &Zval, extra: &mut PendingWarnings) -> Vec<u8> {
    value_bytes(value).unwrap_or_else(|r| {
        extra.push(refused(method, r));
        Vec::new()
    })
}

fn refused(method: &str, r: Refused) -> Warning {
    warning(format!(
        "PaygentB2BModule::{method}(): {} given where a string is expected; \"\" stored",
        r.type_name()
    ))
}

impl PaygentB2BModule {
    /// Run a method body inside the panic boundary, then raise its warnings through PHP.
    fn run(
        &mut self,
        on_panic: OnPanic,
        body: impl FnOnce(&mut Module, &mut PendingWarnings) -> Zval,
    ) -> Zval {
        let mut extra = PendingWarnings::new();
        let result = guard(|| body(&mut self.module, &mut extra));
        let mut all = self.module.take_warnings();
        all.append(&mut extra);
        let out = match result {
            Ok(zv) => zv,
            Err(e) => {
                all.push(warning(e.warning_text(Dialect::Php)));
                match on_panic {
                    OnPanic::Code => code_zval(&e),
                    OnPanic::Null => Zval::null(),
                }
            }
        };
        // Last: a user error handler may re-enter this object; we no longer touch `self`.
        warnings::raise(all);
        out
    }

    /// A read-only view (property getters): no warnings, a panic reads as null.
    fn view(&self, body: impl FnOnce(&Module) -> Zval) -> Zval {
        guard(|| body(&self.module)).unwrap_or_else(|_| Zval::null())
    }

    fn set(&mut self, method: &'static str, value: &Zval, apply: fn(&mut Module, &[u8])) -> Zval {
        self.run(OnPanic::Null, |m, extra| {
            let v = setting(method, value, extra);
            apply(m, &v);
            Zval::null()
        })
    }

    fn get(&self, read: fn(&Module) -> &[u8]) -> Zval {
        self.view(|m| bytes_zval(read(m)))
    }
}

#[php_impl]
impl PaygentB2BModule {
    pub fn __construct() -> Self {
        let not_found = ConfigSource::Failed(Error::new(ErrorKind::PropertiesNotFound));
        Self {
            module: Module::new(Dialect::Php, not_found),
        }
    }

    /// Load `modenv_properties.php`: `true`, or `"E01001"` (not found) / `"E01002"` (invalid).
    pub fn init(&mut self) -> Zval {
        self.run(OnPanic::Code, |m, _| {
            m.set_source(discover::config_source());
            outcome(m.init())
        })
    }

    /// Send the telegram: `true` when a reply was read (check `getResultStatus()`), else the
    /// error code string.
    pub fn post(&mut self) -> Zval {
        self.run(OnPanic::Code, |m, _| {
            if m.config().is_none() {
                // post() without a successful init(): core initialises lazily from this source.
                m.set_source(discover::config_source());
            }
            outcome(m.post())
        })
    }

    /// Extension (not in the official module): where the last `post()` broke off —
    /// `"not_sent"` (nothing left this process: safe to send again), `"maybe_sent"` (the gateway
    /// may have processed it: `confirm()`, never resend blindly), or `""` (no failure, or the
    /// gateway's answer was read).
    pub fn get_failure_phase(&self) -> Zval {
        self.view(|m| bytes_zval(m.failure_phase().map_or("", |p| p.as_str()).as_bytes()))
    }

    /// Extension: ask the gateway (094 payment information inquiry) about the last telegram's
    /// `trading_id` / `payment_id`. Returns `['outcome' => 'found', 'payment_id' => …,
    /// 'trading_id' => …, 'payment_type' => …, 'payment_status' => …, 'payment_amount' => …]`,
    /// `['outcome' => 'not_found']` (not yet, at least) or `['outcome' => 'unknown', 'reason' =>
    /// …]`. The object's parameters and reply are left as they are.
    pub fn confirm(&mut self) -> Zval {
        self.run(OnPanic::Null, |m, _| {
            let c = m.confirm();
            let mut zv = Zval::new();
            zv.set_hashtable(pairs_array(c.items().into_iter()));
            zv
        })
    }

    /// V3: `null`, or `"E01006"` for anything but `UTF-8`, `Shift_JIS`, `EUC-JP`.
    pub fn set_encoding(&mut self, encoding: &Zval) -> Zval {
        self.run(OnPanic::Code, |m, extra| {
            let v = setting("setEncoding", encoding, extra);
            match m.set_encoding(&v) {
                Ok(()) => Zval::null(),
                Err(e) => code_zval(&e),
            }
        })
    }

    /// Store a telegram parameter. Only `null` becomes `""` (decisions.md 7); numbers and
    /// booleans are converted like PHP's string conversion; arrays and objects without
    /// `__toString()` are stored as `""` with a warning. An array or object key is ignored
    /// with a warning (PHP: "Illegal offset type").
    pub fn req_put(&mut self, key: &Zval, value: &Zval) -> Zval {
        self.run(OnPanic::Null, |m, extra| {
            let key = match key_bytes(key) {
                Ok(k) => k,
                Err(r) => {
                    extra.push(warning(format!(
                        "PaygentB2BModule::reqPut(): illegal key of type {}; parameter ignored",
                        r.type_name()
                    )));
                    return Zval::null();
                }
            };
            test_hook(&key);
            let value = setting("reqPut", value, extra);
            m.req_put(&key, &value);
            Zval::null()
        })
    }

    /// A stored parameter; a missing key warns (`Undefined array key`) and gives `null`.
    pub fn req_get(&mut self, key: &Zval) -> Zval {
        self.run(OnPanic::Null, |m, extra| {
            let key = match key_bytes(key) {
                Ok(k) => k,
                Err(r) => {
                    extra.push(warning(format!("Illegal offset type {}", r.type_name())));
                    return Zval::null();
                }
            };
            match m.req_get(&key) {
                Some(v) => bytes_zval(v),
                None => {
                    let mut text = b"Undefined array key ".to_vec();
                    if is_integer_key(&key).is_some() {
                        text.extend_from_slice(&key);
                    } else {
                        text.push(b'"');
                        text.extend_from_slice(&key);
                        text.push(b'"');
                    }
                    extra.push(warning(text));
                    Zval::null()
                }
            }
        })
    }

    pub fn set_default_id(&mut self, value: &Zval) -> Zval {
        self.set("setDefaultId", value, Module::set_default_id)
    }
    pub fn get_default_id(&self) -> Zval {
        self.get(|m| &m.instance().default_id)
    }
    pub fn set_default_password(&mut self, value: &Zval) -> Zval {
        self.set("setDefaultPassword", value, Module::set_default_password)
    }
    pub fn get_default_password(&self) -> Zval {
        self.get(|m| &m.instance().default_password)
    }
    pub fn set_timeout(&mut self, value: &Zval) -> Zval {
        self.set("setTimeout", value, Module::set_timeout)
    }
    pub fn get_timeout(&self) -> Zval {
        self.get(|m| &m.instance().timeout)
    }
    pub fn set_result_csv(&mut self, value: &Zval) -> Zval {
        self.set("setResultCsv", value, Module::set_result_csv)
    }
    pub fn get_result_csv(&self) -> Zval {
        self.get(|m| &m.instance().result_csv)
    }
    pub fn set_select_max_cnt(&mut self, value: &Zval) -> Zval {
        self.set("setSelectMaxCnt", value, Module::set_select_max_cnt)
    }
    pub fn get_select_max_cnt(&self) -> Zval {
        self.get(|m| &m.instance().select_max_cnt)
    }
    pub fn set_send_file_path(&mut self, value: &Zval) -> Zval {
        self.set("setSendFilePath", value, Module::set_send_file_path)
    }
    pub fn get_send_file_path(&self) -> Zval {
        self.get(|m| &m.instance().send_file_path)
    }

    /// `"0"`/`"1"` of the last reply (raw bytes), `null` before a reply.
    pub fn get_result_status(&self) -> Zval {
        self.view(|m| opt_bytes_zval(m.result_status()))
    }
    /// `response_code` of the last reply (raw bytes), `null` before a reply.
    pub fn get_response_code(&self) -> Zval {
        self.view(|m| opt_bytes_zval(m.response_code()))
    }
    /// `response_detail` of the last reply (raw Windows-31J bytes), `null` before a reply.
    pub fn get_response_detail(&self) -> Zval {
        self.view(|m| opt_bytes_zval(m.response_detail()))
    }
    /// Human-readable outcome of the last call (§5.4); `null` before any.
    pub fn get_result_message(&self) -> Zval {
        self.view(result_message)
    }

    pub fn has_res_next(&self) -> Zval {
        self.view(|m| bool_zval(m.has_res_next()))
    }

    /// The next record as an ordered array of binary strings; `null` past the end.
    pub fn res_next(&mut self) -> Zval {
        self.run(OnPanic::Null, |m, _| match m.res_next() {
            Some(rec) => {
                let mut zv = Zval::new();
                zv.set_hashtable(pairs_array(rec.iter()));
                zv
            }
            None => Zval::null(),
        })
    }

    // ---- public properties of the official object: mirrors of core state. The six settings
    // are writable (as the setters); telegramParam, telegramKind, resultMessage and
    // responseData are read-only (writing throws).

    /// `$p->telegramParam`: the parameters in insertion order.
    #[php(getter, name = "telegramParam")]
    pub fn prop_telegram_param(&self) -> Zval {
        self.view(|m| {
            let mut zv = Zval::new();
            zv.set_hashtable(pairs_array(m.params().iter()));
            zv
        })
    }
    /// `$p->telegramKind`: the kind captured by the last `post()`.
    #[php(getter, name = "telegramKind")]
    pub fn prop_telegram_kind(&self) -> Zval {
        self.view(|m| bytes_zval(m.telegram_kind()))
    }
    /// `$p->resultMessage`, as `getResultMessage()`.
    #[php(getter, name = "resultMessage")]
    pub fn prop_result_message(&self) -> Zval {
        self.view(result_message)
    }
    /// `$p->responseData`: `null` before a reply, else a snapshot object with the official
    /// ResponseData fields `resultStatus`, `responseCode`, `responseDetail` and `data` (records).
    #[php(getter, name = "responseData")]
    pub fn prop_response_data(&self) -> Zval {
        self.view(response_data)
    }
    #[php(getter, name = "defaultId")]
    pub fn prop_default_id(&self) -> Mixed {
        Mixed(self.get(|m| &m.instance().default_id))
    }
    #[php(setter, name = "defaultId")]
    pub fn prop_set_default_id(&mut self, v: Mixed) {
        self.set("setDefaultId", &v.0, Module::set_default_id);
    }
    #[php(getter, name = "defaultPassword")]
    pub fn prop_default_password(&self) -> Mixed {
        Mixed(self.get(|m| &m.instance().default_password))
    }
    #[php(setter, name = "defaultPassword")]
    pub fn prop_set_default_password(&mut self, v: Mixed) {
        self.set("setDefaultPassword", &v.0, Module::set_default_password);
    }
    #[php(getter, name = "timeout")]
    pub fn prop_timeout(&self) -> Mixed {
        Mixed(self.get(|m| &m.instance().timeout))
    }
    #[php(setter, name = "timeout")]
    pub fn prop_set_timeout(&mut self, v: Mixed) {
        self.set("setTimeout", &v.0, Module::set_timeout);
    }
    #[php(getter, name = "selectMaxCnt")]
    pub fn prop_select_max_cnt(&self) -> Mixed {
        Mixed(self.get(|m| &m.instance().select_max_cnt))
    }
    #[php(setter, name = "selectMaxCnt")]
    pub fn prop_set_select_max_cnt(&mut self, v: Mixed) {
        self.set("setSelectMaxCnt", &v.0, Module::set_select_max_cnt);
    }
    #[php(getter, name = "resultCsv")]
    pub fn prop_result_csv(&self) -> Mixed {
        Mixed(self.get(|m| &m.instance().result_csv))
    }
    #[php(setter, name = "resultCsv")]
    pub fn prop_set_result_csv(&mut self, v: Mixed) {
        self.set("setResultCsv", &v.0, Module::set_result_csv);
    }
    #[php(getter, name = "sendFilePath")]
    pub fn prop_send_file_path(&self) -> Mixed {
        Mixed(self.get(|m| &m.instance().send_file_path))
    }
    #[php(setter, name = "sendFilePath")]
    pub fn prop_set_send_file_path(&mut self, v: Mixed) {
        self.set("setSendFilePath", &v.0, Module::set_send_file_path);
    }
}

fn result_message(m: &Module) -> Zval {
    let msg = m.result_message();
    if msg.is_empty() {
        Zval::null()
    } else {
        bytes_zval(msg)
    }
}

fn response_data(m: &Module) -> Zval {
    let Some(status) = m.result_status() else {
        return Zval::null();
    };
    let mut obj = ZendObject::new_stdclass();
    let mut records = Zval::new_array();
    if let Some(list) = records.array_mut() {
        for rec in m.records() {
            let mut zv = Zval::new();
            zv.set_hashtable(pairs_array(rec.iter()));
            let _ = list.push(zv);
        }
    }
    // Writing to a fresh stdClass cannot fail; a failure would only lose a field.
    let _ = obj.set_property("resultStatus", bytes_zval(status));
    let _ = obj.set_property("responseCode", opt_bytes_zval(m.response_code()));
    let _ = obj.set_property("responseDetail", opt_bytes_zval(m.response_detail()));
    let _ = obj.set_property("data", records);
    obj.into_zval(false).unwrap_or_default()
}
