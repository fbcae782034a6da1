//! PHP values ↔ bytes. Payment values are binary strings both ways (style.md rule 5): nothing
//! is UTF-8-validated or NUL-terminated.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::convert::{FromZval, IntoZval};
use ext_php_rs::flags::DataType;
use ext_php_rs::types::{ArrayKey, ZendHashTable, ZendStr, Zval};

use crate::call::call;

/// A value `reqPut` and the setters cannot turn into a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    Array,
    Object,
    Resource,
}

impl Refused {
    pub fn type_name(self) -> &'static str {
        match self {
            Self::Array => "array",
            Self::Object => "object",
            Self::Resource => "resource",
        }
    }
}

/// PHP string conversion: string as is, null → "", true → "1", false → "", int/float as
/// `strval()`, an object with `__toString()` through it. Arrays, other objects and resources are
/// refused (the caller decides what to store).
pub fn value_bytes(zv: &Zval) -> Result<Vec<u8>, Refused> {
    let zv = zv.dereference();
    if let Some(s) = zv.zend_str() {
        return Ok(s.as_bytes().to_vec());
    }
    if zv.is_null() {
        return Ok(Vec::new());
    }
    if let Some(b) = zv.bool() {
        return Ok(if b { b"1".to_vec() } else { Vec::new() });
    }
    if let Some(n) = zv.long() {
        return Ok(n.to_string().into_bytes());
    }
    if zv.is_array() {
        return Err(Refused::Array);
    }
    if let Some(obj) = zv.object() {
        if obj.get_class_entry().__tostring.is_null() {
            return Err(Refused::Object);
        }
    } else if !zv.is_double() {
        return Err(Refused::Resource);
    }
    // Floats (precision ini) and __toString objects: let PHP convert.
    match call("strval", vec![zv]) {
        Some(s) => Ok(s
            .zend_str()
            .map(|s| s.as_bytes().to_vec())
            .unwrap_or_default()),
        None if zv.is_double() => Ok(zv
            .double()
            .map(|d| d.to_string())
            .unwrap_or_default()
            .into_bytes()),
        None => Err(Refused::Object),
    }
}

/// PHP array-key conversion (the official module stores `telegramParam[$key]`): null → "",
/// true → "1", false → "0", floats truncate, strings as is. Arrays/objects are refused.
pub fn key_bytes(zv: &Zval) -> Result<Vec<u8>, Refused> {
    let zv = zv.dereference();
    if let Some(b) = zv.bool() {
        return Ok(if b { b"1".to_vec() } else { b"0".to_vec() });
    }
    if let Some(d) = zv.double() {
        if d.is_finite() && d.abs() < 9.2e18 {
            return Ok((d.trunc() as i64).to_string().into_bytes());
        }
        return Ok(b"0".to_vec());
    }
    if zv.is_object() {
        return Err(Refused::Object);
    }
    value_bytes(zv)
}

/// Any PHP value, owned: the type of the writable properties (getter and setter share it).
pub struct Mixed(pub Zval);

impl IntoZval for Mixed {
    const TYPE: DataType = DataType::Mixed;
    const NULLABLE: bool = true;

    fn set_zval(self, zv: &mut Zval, _persistent: bool) -> ext_php_rs::error::Result<()> {
        *zv = self.0;
        Ok(())
    }
}

impl FromZval<'_> for Mixed {
    const TYPE: DataType = DataType::Mixed;

    fn from_zval(zval: &Zval) -> Option<Self> {
        Some(Self(zval.shallow_clone()))
    }
}

/// Binary string zval.
pub fn bytes_zval(bytes: &[u8]) -> Zval {
    let mut zv = Zval::new();
    zv.set_zend_string(ZendStr::new(bytes, false));
    zv
}

/// Optional binary string zval: `None` → null.
pub fn opt_bytes_zval(bytes: Option<&[u8]>) -> Zval {
    match bytes {
        Some(b) => bytes_zval(b),
        None => Zval::null(),
    }
}

/// Canonical decimal integer keys become integer keys, as PHP arrays do (`"5"` ≡ `5`).
pub fn is_integer_key(key: &[u8]) -> Option<i64> {
    let digits = key.strip_prefix(b"-").unwrap_or(key);
    let canonical = match digits {
        [b'0'] => key == b"0",
        [b'1'..=b'9', rest @ ..] => rest.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    if !canonical {
        return None;
    }
    std::str::from_utf8(key).ok()?.parse().ok()
}

/// Ordered associative array of binary strings (keys keep their order).
pub fn pairs_array<'a>(pairs: impl Iterator<Item = (&'a [u8], &'a [u8])>) -> ZBox<ZendHashTable> {
    let mut ht = ZendHashTable::new();
    for (k, v) in pairs {
        let value = bytes_zval(v);
        // Inserting a zval of a string never fails; a failure would only lose the entry.
        let _ = match is_integer_key(k) {
            Some(i) => ht.insert(ArrayKey::Long(i), value),
            None => {
                let key = ZendStr::new(k, false);
                ht.insert(ArrayKey::ZendString(&key), value)
            }
        };
    }
    ht
}

#[cfg(test)]
mod tests {
    use super::is_integer_key;

    #[test]
    fn integer_keys_follow_php_rules() {
        assert_eq!(is_integer_key(b"5"), Some(5));
        assert_eq!(is_integer_key(b"-3"), Some(-3));
        assert_eq!(is_integer_key(b"0"), Some(0));
        assert_eq!(is_integer_key(b"05"), None);
        assert_eq!(is_integer_key(b"-0"), None);
        assert_eq!(is_integer_key(b"+1"), None);
        assert_eq!(is_integer_key(b"99999999999999999999"), None);
        assert_eq!(is_integer_key(b""), None);
    }
}
